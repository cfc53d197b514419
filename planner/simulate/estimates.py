"""Means over replications: :func:`estimate` (with its 95 % Student-t interval) and
:func:`nanmean` (per element, ignoring ``nan``)."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from planner.simulate.models import Estimate


def estimate(values: ArrayLike) -> Estimate:
    """Mean of per-replication values and its 95 % Student-t interval.

    ``nan`` values (a replication where the measure is undefined, e.g. no calls) are
    left out; none left gives ``nan`` throughout. With one value, zero variance or an
    infinite value the interval is the mean itself.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[~np.isnan(v)]
    if v.size == 0:
        return Estimate(math.nan, math.nan, math.nan)
    mean = float(v.mean())
    if v.size == 1 or not np.all(np.isfinite(v)):
        return Estimate(mean, mean, mean)
    sd = float(v.std(ddof=1))
    if sd == 0.0:
        return Estimate(mean, mean, mean)
    half = float(special.stdtrit(v.size - 1, 0.975)) * sd / math.sqrt(v.size)
    return Estimate(mean, mean - half, mean + half)


def nanmean(values: NDArray) -> NDArray[np.float64]:
    """Mean over replications (axis 0) ignoring nan; nan where every value is nan."""
    ok = ~np.isnan(values)
    n = ok.sum(axis=0)
    total = np.where(ok, values, 0.0).sum(axis=0)
    return np.where(n > 0, total / np.maximum(n, 1), math.nan)
