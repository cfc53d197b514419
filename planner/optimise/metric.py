"""Service measures for spare-parts stocking (Poisson pipelines, METRIC, VARI-METRIC, exact).

Units: a *pipeline mean* is the expected number of units in resupply (dimensionless
count, demand rate in units/year times resupply time in years); stock levels are
whole units; EBO (expected backorders) and VBO (variance of backorders) are in units
and units squared; fill rate, ready rate and availability are probabilities.

References: Sherbrooke, *Optimal Inventory Modeling of Systems*, 2nd ed. (2004),
ch. 2-5; Graves (1985), Management Science 31(10).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "availability",
    "ebo",
    "ebo_table",
    "erlang_b",
    "exact_two_echelon_ebo",
    "fill_rate",
    "metric_depot_means",
    "metric_two_echelon_ebo",
    "negbin_ebo",
    "poisson_cdf",
    "poisson_pmf",
    "poisson_sf",
    "poisson_upper",
    "ready_rate",
    "vari_metric_two_echelon_ebo",
    "vbo",
]


def poisson_pmf(k: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """P(X = k) for X ~ Poisson(mu), computed in log space (stable for large mu)."""
    k = np.asarray(k, dtype=float)
    mu = np.asarray(mu, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = special.xlogy(k, mu) - mu - special.gammaln(k + 1.0)
        out = np.exp(logp)
    return np.where(k < 0, 0.0, out)


def poisson_cdf(k: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """P(X <= k) for X ~ Poisson(mu); 0 for k < 0."""
    k = np.asarray(k, dtype=float)
    return np.where(k < 0, 0.0, special.pdtr(np.maximum(k, 0.0), mu))


def poisson_sf(k: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """P(X > k) for X ~ Poisson(mu), accurate in the upper tail; 1 for k < 0."""
    k = np.asarray(k, dtype=float)
    return np.where(k < 0, 1.0, special.pdtrc(np.maximum(k, 0.0), mu))


def poisson_upper(mu: ArrayLike, tail: float = 1e-16) -> NDArray[np.int64]:
    """A stock level s with P(X > s) <= ``tail`` for X ~ Poisson(mu) (units).

    The exact upper quantile is evaluated on a fine logarithmic grid of means (64 per
    decade) and each mean takes the quantile of the grid point just above it; the
    quantile is non-decreasing in the mean, so this is a tight, safe bound that costs
    only a few hundred quantile evaluations for any number of means.
    """
    mu = np.asarray(mu, dtype=float)
    out = np.zeros(mu.shape, dtype=np.int64)
    pos = mu > 0
    if not pos.any():
        return out
    # means below 1e-30 share the quantile of 1e-30 (safe: it is non-decreasing)
    lo = max(float(mu[pos].min()), 1e-30)
    hi = max(float(mu[pos].max()), lo)
    n_grid = max(2, int(np.ceil(64 * (np.log10(hi) - np.log10(lo)))) + 2)
    grid = np.geomspace(lo, hi * (1 + 1e-12), n_grid)
    q_grid = _upper_quantile(grid, tail)
    out[pos] = q_grid[np.minimum(np.searchsorted(grid, mu[pos]), n_grid - 1)]
    return out


def _upper_quantile(mu: NDArray[np.float64], tail: float) -> NDArray[np.int64]:
    """Smallest s with P(X > s) <= tail, by bisection on the Poisson sf (vectorised)."""
    z = np.sqrt(2.0 * np.log(1.0 / tail))
    lo = np.full(mu.shape, -1, dtype=np.int64)  # sf(lo) > tail (sf(-1) = 1)
    hi = np.ceil(mu + z * np.sqrt(mu) + z * z + 2.0).astype(np.int64)  # sf(hi) <= tail
    while True:
        open_ = hi - lo > 1
        if not open_.any():
            return hi
        mid = (lo + hi) // 2
        ok = special.pdtrc(np.maximum(mid, 0), mu) <= tail
        hi = np.where(open_ & ok, mid, hi)
        lo = np.where(open_ & ~ok, mid, lo)


def ebo_table(mu: ArrayLike, s_max: int) -> NDArray[np.float64]:
    """EBO(s; mu) for s = 0..s_max along a new last axis (units).

    Uses the exact recursion EBO(s+1) = EBO(s) - P(X > s) summed from the tail,
    EBO(s) = sum_{k >= s} P(X > k), so small values keep full relative accuracy.
    """
    mu = np.asarray(mu, dtype=float)
    hi = int(max(s_max, int(np.max(poisson_upper(mu), initial=0)))) + 1
    k = np.arange(hi + 1, dtype=float)
    sf = poisson_sf(k, mu[..., None])
    tail = np.cumsum(sf[..., ::-1], axis=-1)[..., ::-1]
    return tail[..., : s_max + 1]


def ebo(s: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """Expected backorders E[(X - s)^+] for X ~ Poisson(mu), elementwise (units)."""
    s = np.asarray(s, dtype=float)
    mu = np.asarray(mu, dtype=float)
    # E[(X-s)^+] = mu P(X >= s) - s P(X > s)   (Poisson identity x p(x) = mu p(x-1))
    return mu * poisson_sf(s - 1.0, mu) - s * poisson_sf(s, mu)


def vbo(s: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """Variance of backorders Var[(X - s)^+] for X ~ Poisson(mu) (units^2)."""
    s = np.asarray(s, dtype=float)
    mu = np.asarray(mu, dtype=float)
    # E[((X-s)^+)^2] = E[X^2; X > s] - 2 s E[X; X > s] + s^2 P(X > s), with the Poisson
    # identities x p(x) = mu p(x-1) and x(x-1) p(x) = mu^2 p(x-2):
    # E[X; X > s] = mu P(X > s-1) and E[X^2; X > s] = mu^2 P(X > s-2) + mu P(X > s-1)
    second = (
        mu * mu * poisson_sf(s - 2.0, mu)
        + mu * poisson_sf(s - 1.0, mu)
        - 2.0 * s * mu * poisson_sf(s - 1.0, mu)
        + s * s * poisson_sf(s, mu)
    )
    e = ebo(s, mu)
    return np.maximum(second - e * e, 0.0)


def fill_rate(s: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """Fill rate P(X <= s - 1): the share of demands met from stock at once."""
    return poisson_cdf(np.asarray(s, dtype=float) - 1.0, mu)


def ready_rate(s: ArrayLike, mu: ArrayLike) -> NDArray[np.float64]:
    """Ready rate P(X <= s): the probability of no backorder at a random time."""
    return poisson_cdf(s, mu)


def erlang_b(k_max: int, m: float) -> NDArray[np.float64]:
    """Erlang loss B(k; m) for k = 0..k_max by B(0)=1, B(k) = m B(k-1) / (k + m B(k-1))."""
    out = np.empty(k_max + 1)
    b = 1.0
    out[0] = b
    for k in range(1, k_max + 1):
        b = m * b / (k + m * b)
        out[k] = b
    return out


def availability(ebo_per_item: ArrayLike, n_systems: float, units_per_system: ArrayLike) -> float:
    """Sherbrooke availability A = prod_i (1 - EBO_i / (N Z_i))^{Z_i}.

    ``ebo_per_item`` in units, ``n_systems`` N the installed base (systems),
    ``units_per_system`` Z_i the installed units of item i per system.
    Each factor is clipped at 0 (more backorders than installed units).
    """
    e = np.asarray(ebo_per_item, dtype=float)
    z = np.asarray(units_per_system, dtype=float)
    base = np.clip(1.0 - e / (n_systems * z), 0.0, 1.0)
    return float(np.prod(base**z))


def negbin_ebo(s: ArrayLike, mean: ArrayLike, var: ArrayLike) -> NDArray[np.float64]:
    """E[(X - s)^+] for X negative binomial with the given mean and variance (units).

    Falls back to Poisson where variance-to-mean <= 1 (Sherbrooke's VARI-METRIC rule).
    """
    s = np.atleast_1d(np.asarray(s, dtype=float))
    mean = np.broadcast_to(np.asarray(mean, dtype=float), s.shape)
    var = np.broadcast_to(np.asarray(var, dtype=float), s.shape)
    from scipy import stats  # imported here: scipy.stats is slow to import

    out = np.asarray(ebo(s, mean), dtype=float).copy()
    nb = var > mean * (1.0 + 1e-12)
    for idx in np.flatnonzero(nb):
        mu_i, v_i, s_i = mean[idx], var[idx], s[idx]
        p = mu_i / v_i  # success probability (scipy convention)
        r = mu_i * p / (1.0 - p)  # number of successes
        k = np.arange(int(s_i))
        pmf = stats.nbinom.pmf(k, r, p)
        # E[(X-s)^+] = mean - s + sum_{x<s} (s - x) p(x)
        out[idx] = mu_i - s_i + float(np.sum((s_i - k) * pmf))
    return out


def metric_depot_means(
    s0: int,
    central_mean: float,
    local_means: ArrayLike,
    central_shares: ArrayLike,
) -> NDArray[np.float64]:
    """METRIC depot pipeline means: a_j + q_j EBO(s0; mu0) (units).

    ``central_mean`` mu0 is the central resupply pipeline mean, ``local_means`` a_j the
    depot's own resupply pipeline mean (demand times resupply time), and
    ``central_shares`` q_j the depot's share of central demand (m_j / M).
    """
    e0 = float(ebo(s0, central_mean))
    return np.asarray(local_means, dtype=float) + np.asarray(central_shares, dtype=float) * e0


def metric_two_echelon_ebo(
    s0: int,
    depot_stock: Sequence[int] | NDArray[np.int64],
    central_mean: float,
    local_means: ArrayLike,
    central_shares: ArrayLike,
) -> NDArray[np.float64]:
    """Per-depot EBO under METRIC (Poisson depot pipelines) for one item (units)."""
    means = metric_depot_means(s0, central_mean, local_means, central_shares)
    return ebo(np.asarray(depot_stock, dtype=float), means)


def vari_metric_two_echelon_ebo(
    s0: int,
    depot_stock: Sequence[int] | NDArray[np.int64],
    central_mean: float,
    local_means: ArrayLike,
    central_shares: ArrayLike,
) -> NDArray[np.float64]:
    """Per-depot EBO under VARI-METRIC (Graves; Sherbrooke ch. 5) for one item (units).

    Depot pipeline mean a_j + q_j EBO0 and variance a_j + q_j (1 - q_j) EBO0 + q_j^2 VBO0;
    negative binomial fitted where variance-to-mean > 1, Poisson otherwise.
    """
    a = np.asarray(local_means, dtype=float)
    q = np.asarray(central_shares, dtype=float)
    e0 = float(ebo(s0, central_mean))
    v0 = float(vbo(s0, central_mean))
    mean = a + q * e0
    var = a + q * (1.0 - q) * e0 + q * q * v0
    return negbin_ebo(np.asarray(depot_stock, dtype=float), mean, var)


def exact_two_echelon_ebo(
    s0: int,
    depot_stock: Sequence[int] | NDArray[np.int64],
    central_mean: float,
    local_means: ArrayLike,
    central_shares: ArrayLike,
    tail: float = 1e-15,
) -> NDArray[np.float64]:
    """Exact per-depot EBO for one item in the two-echelon one-for-one system (units).

    Central backorders B0 = (X0 - s0)^+ with X0 ~ Poisson(mu0); each outstanding central
    backorder belongs to depot j with probability q_j, so the depot's share is
    Binomial(B0, q_j); the depot pipeline is that share plus an independent
    Poisson(a_j). Distributions are truncated where the Poisson tail is below ``tail``.
    """
    from scipy import stats  # imported here: scipy.stats is slow to import

    a = np.asarray(local_means, dtype=float)
    q = np.asarray(central_shares, dtype=float)
    stock = np.asarray(depot_stock, dtype=int)
    x0_max = int(poisson_upper(central_mean, tail))
    b = np.arange(max(x0_max - s0, 0) + 1)
    p_b = poisson_pmf(b + s0, central_mean)
    p_b[0] = poisson_cdf(s0, central_mean)
    out = np.empty(len(a))
    for j in range(len(a)):
        # Distribution of Binomial(B0, q_j), mixed over B0.
        share = stats.binom.pmf(b[None, :], b[:, None], q[j])  # [B0, k]
        p_share = p_b @ share
        a_max = int(poisson_upper(a[j], tail))
        p_local = poisson_pmf(np.arange(a_max + 1), a[j])
        p_pipe = np.convolve(p_share, p_local)
        x = np.arange(len(p_pipe))
        out[j] = float(np.sum(np.maximum(x - stock[j], 0) * p_pipe))
    return out
