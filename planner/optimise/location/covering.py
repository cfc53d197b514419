"""Maximal covering location (Church and ReVelle), from a coverage matrix.

Open at most ``p`` stations so that the sites they cover hold the largest weight: a
site counts once when any open station covers it. The MILP has one binary per station
and one per site that some station covers; a site's variable is at most the sum of
the stations covering it.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from planner.optimise.highs import HighsModel, new_highs, pass_model

__all__ = ["Covering", "max_covering"]


@dataclass(frozen=True)
class Covering:
    """``best``: the largest covered share of the weight found; ``top``: a proven upper bound
    on it (equal to ``best`` unless the time limit cut the MILP short, or with ``relax``
    where a solve is needed: then ``best`` is 0 and ``top`` the LP bound); ``stations``: the
    stations reaching ``best`` (sorted indices)."""

    best: float
    top: float
    stations: np.ndarray


def max_covering(
    covers: np.ndarray,
    weights: np.ndarray,
    p: int | None,
    time_limit: float | None = None,
    *,
    relax: bool = False,
) -> Covering:
    """Largest share of ``weights`` (one per site, >= 0) that at most ``p`` stations cover.

    ``covers[j, i]`` is True where station j covers site i. Shares are of the total
    weight of all sites (covered or not); a total weight of zero covers everything.
    ``p`` None: no limit. With ``relax`` only the LP relaxation is solved.
    """
    covers = np.asarray(covers, dtype=bool)
    weights = np.asarray(weights, dtype=np.float64)
    total = float(weights.sum())
    if total == 0:
        return Covering(1.0, 1.0, np.zeros(0, dtype=np.int64))
    n_st, n_sites = covers.shape
    useful_pairs = covers & (weights[None, :] > 0)
    pair_site, pair_station = np.nonzero(useful_pairs.T)  # by site, then station
    reachable = np.zeros(n_sites, dtype=bool)
    reachable[pair_site] = True
    useful = np.unique(pair_station)
    if p is None or p >= len(useful):
        share = float(weights[reachable].sum()) / total
        return Covering(share, share, useful)
    sites_idx = np.nonzero(reachable)[0]
    site_pos = np.full(n_sites, -1)
    site_pos[sites_idx] = np.arange(len(sites_idx))
    st_pos = np.full(n_st, -1)
    st_pos[useful] = np.arange(len(useful))
    nu, ny = len(sites_idx), len(useful)
    rows = np.concatenate([site_pos[pair_site], np.arange(nu), np.full(ny, nu)])
    cols = np.concatenate([nu + st_pos[pair_station], np.arange(nu), nu + np.arange(ny)])
    vals = np.concatenate([-np.ones(len(pair_site)), np.ones(nu), np.ones(ny)])
    a = sp.csc_matrix((vals, (rows, cols)), shape=(nu + 1, nu + ny))
    h = new_highs()
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.0)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    model = HighsModel(
        cost=np.concatenate([-weights[sites_idx], np.zeros(ny)]),
        lower=np.zeros(nu + ny),
        upper=np.ones(nu + ny),
        row_lower=np.concatenate([np.full(nu, -np.inf), [-np.inf]]),
        row_upper=np.concatenate([np.zeros(nu), [p]]),
        a=a,
        integer=np.concatenate([np.zeros(nu), np.ones(ny)]).astype(bool),
    )
    pass_model(h, model, None if relax else model.integer)
    h.run()
    info = h.getInfo()
    none = np.zeros(0, dtype=np.int64)
    if relax:
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return Covering(0.0, 1.0, none)
        return Covering(0.0, min(1.0, -info.objective_function_value / total), none)
    chosen = none
    best = 0.0
    if info.primal_solution_status == 2:
        best = -info.objective_function_value / total
        chosen = useful[np.asarray(h.getSolution().col_value)[nu:] > 0.5]
    top = -info.mip_dual_bound / total if np.isfinite(info.mip_dual_bound) else 1.0
    if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        top = max(best, min(top, best + 1e-12))
    return Covering(best, max(best, min(top, 1.0)), chosen)
