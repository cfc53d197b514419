"""Cut families for the column-generation LP, in python-mip's ``ConstrsGenerator`` style.

A family is an object with one method, ``separate(view)``: given what an LP solution does
at one open station (a :class:`StationView`), it returns one row that every plan keeps and
the LP breaks, or None. :func:`staffing_cuts` runs every family of :data:`STAFFING_CUTS`
over the stations the LP opens. A new family is a class with ``separate`` added to that
tuple.

For a set S of sites at station j (the prefix, by ``x_ij / y_j``, that the LP breaks most;
each row ``sum coef * col <= 0``):

* :class:`WorkloadRounding`, with ``a_i = w_ij / H`` and ``a(S) = k + f`` (k integer,
  0 < f < 1): ``sum_S a_i x_ij <= k (1 - f) y_j + f n_j``. With y = 1 it is the
  mixed-integer rounding of ``sum_S a_i x_ij <= n_j``: n = k allows k, n >= k + 1 allows
  a(S); with y = 0 all is 0.
* :class:`DispatchStep`, with e(S) the calls of S and c the fewest on duty that serve them
  (``L_{c-1} < e(S) <= L_c``, c >= 2): ``sum_S e_i x_ij <= L_{c-1} y_j + (e(S) - L_{c-1}) z_jc``.
  With z_jc = 1 it allows all of e(S); with z_jc = 0 the station keeps at most c - 1 on
  duty and its dispatch row allows ``L_{c-1}``; with y = 0 all is 0.

Both hold for every plan, with assignments integer or not (a relaxation with integer
staffing and levels keeps them); the LP's fractional staffing and levels break them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from planner.optimise.technicians.formulation import Model
from planner.optimise.technicians.prepared import Prepared
from planner.optimise.technicians.settings import FEAS_TOL

__all__ = [
    "STAFFING_CUTS",
    "CutFamily",
    "DispatchStep",
    "Row",
    "StationView",
    "WorkloadRounding",
    "sparse_row",
    "staffing_cuts",
]

Row = tuple[np.ndarray, np.ndarray]
"""A sparse cut row ``sum val * x[idx] <= 0``: (column indices, sorted; coefficients)."""


def sparse_row(idx: np.ndarray, val: np.ndarray) -> Row:
    """A sparse row with its indices sorted (duplicates added up)."""
    uniq, inv = np.unique(idx, return_inverse=True)
    return uniq.astype(np.int32), np.bincount(inv, weights=val)


@dataclass(frozen=True)
class StationView:
    """An LP solution at one open station j, its sites in the order of ``x_ij`` (largest
    first): the pairs, their values and columns, and the station's own columns."""

    prep: Prepared
    model: Model
    values: np.ndarray  # the LP's columns
    station: int
    pairs: np.ndarray  # the station's pairs the LP uses, largest x first
    x: np.ndarray  # their values
    cols: np.ndarray  # their columns
    y: float  # the station's opening value
    col_y: int
    col_n: int
    zcol: dict[tuple[int, int], int]  # (station, level) -> z column


class CutFamily(Protocol):
    """A family of valid rows: ``separate`` returns the one the LP breaks most at a station."""

    def separate(self, view: StationView) -> Row | None: ...


class WorkloadRounding:
    """The mixed-integer rounding of a station's workload row on a prefix of its sites."""

    def separate(self, view: StationView) -> Row | None:
        prep, x_ = view.prep, view.x
        a = prep.pw[view.pairs] / prep.problem.technician.productive_hours
        ca = np.cumsum(a)
        whole = np.floor(ca + 1e-9)
        f = ca - whole
        viol = np.cumsum(a * x_) - whole * (1 - f) * view.y - f * view.values[view.col_n]
        viol[f < 1e-6] = -np.inf
        q = int(np.argmax(viol))
        if viol[q] <= 1e-6 * max(1.0, ca[q]):
            return None
        return sparse_row(
            np.concatenate([view.cols[: q + 1], [view.col_y, view.col_n]]),
            np.concatenate([a[: q + 1], [-whole[q] * (1 - f[q]), -f[q]]]),
        )


class DispatchStep:
    """The on-duty step a prefix of a station's sites needs for its calls (dispatch only)."""

    def separate(self, view: StationView) -> Row | None:
        prep, model, j = view.prep, view.model, view.station
        levels = prep.levels[j] if model.row_disp else np.zeros(0)
        e = prep.calls[prep.pi[view.pairs]]
        if len(levels) < 2 or not (e > 0).any():
            return None
        ce = np.cumsum(e)
        need = np.searchsorted(levels, ce * (1 - FEAS_TOL)) + 1  # fewest on duty for e(S)
        ok = (need >= 2) & (need <= len(levels))
        if not ok.any():
            return None
        need = np.clip(need, 2, len(levels))
        below = levels[need - 2]
        zval = np.array([view.values[view.zcol[(int(j), int(c))]] for c in need])
        viol = np.where(ok, np.cumsum(e * view.x) - below * view.y - (ce - below) * zval, -np.inf)
        q = int(np.argmax(viol))
        if viol[q] <= 1e-6 * max(1.0, ce[q]):
            return None
        return sparse_row(
            np.concatenate([view.cols[: q + 1], [view.col_y, view.zcol[(int(j), int(need[q]))]]]),
            np.concatenate([e[: q + 1], [-below[q], -(ce[q] - below[q])]]),
        )


STAFFING_CUTS: tuple[CutFamily, ...] = (WorkloadRounding(), DispatchStep())
"""The families the column-generation LP separates, in this order at each station."""


def staffing_cuts(
    prep: Prepared,
    model: Model,
    pairs: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    families: Sequence[CutFamily] = STAFFING_CUTS,
) -> list[Row]:
    """Rows that an LP solution ``values`` breaks, at most one per family and station it
    opens (``pairs``: the LP's assignment columns ``cols``)."""
    n_st = len(prep.problem.stations)
    spos = np.full(n_st, -1)
    spos[model.stations] = np.arange(len(model.stations))
    y = np.zeros(n_st)
    y[model.stations] = values[model.y0 : model.y0 + len(model.stations)]
    xv = values[cols]
    zcol: dict[tuple[int, int], int] = {
        (int(j), int(c)): model.z0 + q
        for q, (j, c) in enumerate(zip(model.z_station, model.z_level, strict=True))
    }
    used = xv > 1e-9
    order = np.argsort(prep.pj[pairs[used]], kind="stable")
    ks, xs, cs = pairs[used][order], xv[used][order], cols[used][order]
    starts = np.searchsorted(prep.pj[ks], np.arange(n_st + 1))
    rows: list[Row] = []
    for j in np.nonzero(y > 1e-6)[0]:
        mine = slice(starts[j], starts[j + 1])
        k_, x_, c_ = ks[mine], xs[mine], cs[mine]
        if not len(k_):
            continue
        o = np.argsort(-x_, kind="stable")
        view = StationView(
            prep,
            model,
            values,
            int(j),
            k_[o],
            x_[o],
            c_[o],
            float(y[j]),
            int(model.y0 + spos[j]),
            int(model.n0 + spos[j]),
            zcol,
        )
        for family in families:
            row = family.separate(view)
            if row is not None:
                rows.append(row)
    return rows
