"""Exact multiple-choice knapsack (MCKP): one option per group, one resource.

The problem: groups ``g = 0..G-1``, each with options ``x`` of weight ``w[x]`` (the
resource they use) and value ``v[x]``; choose exactly one option per group so that
``sum w <= cap`` and ``sum v`` is least. Groups are given as one flat array of options
with ``ptr`` (G+1,) delimiting them (group ``g`` is ``ptr[g]:ptr[g+1]``); within a
group ``w`` must be strictly ascending and ``v`` strictly descending (the
non-dominated options; :func:`pareto_groups` makes them from any option lists).

Method (:func:`solve_mckp`)
---------------------------
The LP relaxation is solved by the greedy over the groups' lower convex envelopes (the
classic efficient points, :func:`lp_relaxation`); its breakpoint efficiency is the
optimal Lagrange multiplier ``lam`` and gives the lower bound ``L(lam)``. The greedy
solution, topped up with segments that still fit, is an upper bound ``U``. Options
whose reduced cost ``v + lam w`` (less their group's least) exceeds the duality gap
cannot be in a better solution and are fixed away (reduced-cost fixing); the small
*core* that remains is solved exactly by a Pareto dynamic programme pruned with the LP
bound of the groups still to come (HiGHS MILP takes over if the state count or the
time limit is exceeded). The core DP first looks for a plan below the aspiration
levels ``L + (1 + 1/16) tol`` (a plan within the tolerance of the bound: when many
options are almost equally efficient the greedy can leave budget unused, the core is
then wide but such plans are few) and, for long tables, ``L + f (U - L)``, f = 1/256,
1/64, ..., 1/2 (smaller cores, harder pruning; a plan found is optimal, none found
raises the level), then below the incumbent. The
result is ``proven`` only when the core is solved to optimality (or no core remains),
to a relative tolerance of 1e-9 on the objective, and within ``cap + ctol``;
otherwise ``bound`` is the best proven lower bound.

The MILP finish keeps ``scipy.optimize.milp`` rather than
:func:`planner.optimise.highs.solve_mip`: scipy runs its own bundled HiGHS build
(1.12 against highspy's 1.16 here) with its own defaults, so switching would change
which of several optimal cores is returned and the bounds reported at a time limit,
and the spares results must stay exactly as they are.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from planner.optimise.highs import quiet_stdout

__all__ = [
    "LEVELS",
    "MAX_STATES",
    "TIGHT",
    "LpRelaxation",
    "MckpResult",
    "greedy_choice",
    "lp_relaxation",
    "pareto_groups",
    "solve_mckp",
]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

MAX_STATES = 400_000
"""Default number of states the core dynamic programme may keep before HiGHS takes over."""
LEVELS = (1.0 / 256, 1.0 / 64, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1.0)
"""Aspiration levels: shares ``f`` of the duality gap; the core DP looks for a plan
worth less than ``L + f (U - L)`` at each in turn, the last (1) being the incumbent."""
TIGHT = 1.0 / 16
"""The first aspiration level is ``L + (1 + TIGHT) tol``: a plan within the objective
tolerance ``tol`` of the bound, which needs no further proof."""


@dataclass(frozen=True)
class MckpResult:
    """Outcome of :func:`solve_mckp`.

    ``choice`` (G,) the chosen option (an index into the flat option arrays) per group;
    ``value`` its total value ``sum v[choice]``; ``bound`` a proven lower bound on
    every feasible choice (equal to ``value`` when ``proven``); ``proven`` whether
    ``value`` is optimal (to a relative tolerance of 1e-9); ``multiplier`` the LP
    (Lagrange) multiplier ``lam >= 0`` of the resource constraint (0 when every
    group's last option fits).
    """

    choice: I64
    value: float
    bound: float
    proven: bool
    multiplier: float = 0.0


@dataclass(frozen=True)
class LpRelaxation:
    """LP relaxation of an MCKP instance: the greedy over the groups' convex envelopes.

    The envelope segments (each moves one group from option ``seg_start`` to option
    ``seg_end``, using ``seg_dw`` more resource and gaining ``seg_dv`` value, with
    efficiency ``seg_eff = seg_dv / seg_dw``) in greedy order (efficiency descending);
    ``base_w`` the weight of every group's first option; ``taken`` how many segments
    fit entirely within the capacity (the LP optimum takes those and a share of the
    next).
    """

    seg_group: I64
    seg_start: I64
    seg_end: I64
    seg_dw: F64
    seg_dv: F64
    seg_eff: F64
    base_w: float
    taken: int


def pareto_groups(
    groups: Sequence[Sequence[tuple[float, float]]],
) -> tuple[I64, F64, F64, I64]:
    """Option lists of (weight, value) per group as the arrays :func:`solve_mckp` takes.

    Each group's options are sorted by weight and the dominated ones dropped (another
    option of no more weight and no more value; of equal options the first is kept).
    Returns ``ptr``, ``w``, ``v`` and ``option``: for each kept option its position in
    its own group's list, so ``option[result.choice]`` are the picks per group. Raises
    ValueError for a group without options or a weight or value that is not finite.
    """
    ptr = [0]
    ws: list[float] = []
    vs: list[float] = []
    pos: list[int] = []
    for g, options in enumerate(groups):
        if len(options) == 0:
            raise ValueError(f"groups[{g}]: a group needs at least one option")
        best = np.inf
        for k in sorted(range(len(options)), key=lambda k: (*options[k], k)):
            wk, vk = (float(x) for x in options[k])
            if not (np.isfinite(wk) and np.isfinite(vk)):
                raise ValueError(f"groups[{g}][{k}]: weight and value must be finite")
            if vk < best:
                best = vk
                ws.append(wk)
                vs.append(vk)
                pos.append(k)
        ptr.append(len(ws))
    return (
        np.array(ptr, dtype=np.int64),
        np.array(ws, dtype=np.float64),
        np.array(vs, dtype=np.float64),
        np.array(pos, dtype=np.int64),
    )


def _hull_segments(ptr: I64, w: F64, v: F64) -> tuple[I64, I64, I64, F64, F64, F64]:
    """Lower convex envelope segments of each group (options sorted by w ascending)."""
    n = len(w)
    group = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    alive = np.arange(n)
    while True:
        g = group[alive]
        same_prev = np.zeros(len(alive), dtype=bool)
        same_prev[1:] = g[1:] == g[:-1]
        eff = np.full(len(alive), np.inf)
        i = np.flatnonzero(same_prev)
        eff[i] = (v[alive[i - 1]] - v[alive[i]]) / (w[alive[i]] - w[alive[i - 1]])
        same_next = np.zeros(len(alive), dtype=bool)
        same_next[:-1] = same_prev[1:]
        nxt = np.full(len(alive), -np.inf)
        nxt[:-1] = eff[1:]
        drop = same_prev & same_next & (eff < nxt)
        if not drop.any():
            break
        alive = alive[~drop]
    seg = np.flatnonzero(same_prev)
    end = alive[seg]
    start = alive[seg - 1]
    return group[end], start, end, w[end] - w[start], v[start] - v[end], eff[seg]


def lp_relaxation(ptr: I64, w: F64, v: F64, cap: float, ctol: float = 0.0) -> LpRelaxation:
    """Greedy over the groups' convex envelopes up to ``cap`` (+ ``ctol``)."""
    g, start, end, dw, dv, eff = _hull_segments(ptr, w, v)
    order = np.lexsort((end, -eff))
    g, start, end = g[order], start[order], end[order]
    dw, dv, eff = dw[order], dv[order], eff[order]
    base_w = float(w[ptr[:-1]].sum())
    room = cap - base_w
    cum = np.cumsum(dw)
    taken = int(np.searchsorted(cum, room + ctol, side="right"))
    return LpRelaxation(g, start, end, dw, dv, eff, base_w, taken)


def greedy_choice(ptr: I64, lp: LpRelaxation, upto: int) -> I64:
    """Options chosen after the first ``upto`` envelope segments of ``lp`` (an efficient
    point: optimal for its own weight; ``lp.taken`` gives the greedy plan)."""
    choice = ptr[:-1].copy()
    if upto:
        # segments of a group appear in envelope order, so the last one wins
        choice[lp.seg_group[:upto]] = lp.seg_end[:upto]
    return choice


def solve_mckp(
    ptr: I64,
    w: F64,
    v: F64,
    cap: float,
    ctol: float = 0.0,
    *,
    deadline: float | None = None,
    lp_only: bool = False,
    max_states: int = MAX_STATES,
) -> MckpResult | None:
    """Minimise ``sum v`` over one option per group subject to ``sum w <= cap``.

    Options of each group are sorted by w strictly ascending and v strictly descending
    (see :func:`pareto_groups`); ``ctol`` is an absolute tolerance on the capacity (the
    choice keeps ``sum w <= cap + ctol``). Returns None when even the smallest-w
    options exceed ``cap + ctol``. ``deadline`` (a ``time.monotonic()`` instant) stops
    the exact finish: the best choice found is returned, not proven, with its bound.
    With ``lp_only`` the greedy plan is returned with the Lagrangian bound and
    multiplier (proven only when the gap is closed). ``max_states`` caps the core
    dynamic programme's states before HiGHS takes over (0: HiGHS at once).
    """
    n_groups = len(ptr) - 1
    if n_groups == 0:
        return MckpResult(np.zeros(0, dtype=np.int64), 0.0, 0.0, True)
    lp = lp_relaxation(ptr, w, v, cap, ctol)
    if lp.base_w > cap + ctol:
        return None
    choice = greedy_choice(ptr, lp, lp.taken)
    if lp.taken == len(lp.seg_group):
        # every group at its best option: optimal outright
        val = float(v[choice].sum())
        return MckpResult(choice, val, val, True)
    lam = float(lp.seg_eff[lp.taken])
    # top up: later segments that still fit and continue their group's envelope
    room = cap - float(w[choice].sum())
    stop = min(len(lp.seg_group), lp.taken + 200_000)
    min_dw = float(lp.seg_dw[lp.taken : stop].min())
    for t in range(lp.taken, stop):
        if room < min_dw:
            break
        gi = lp.seg_group[t]
        if lp.seg_start[t] == choice[gi] and lp.seg_dw[t] <= room + ctol:
            choice[gi] = lp.seg_end[t]
            room -= lp.seg_dw[t]
    upper = float(v[choice].sum())
    # Lagrangian bound and reduced costs
    red = v + lam * w
    gmin = np.minimum.reduceat(red, ptr[:-1])
    lower = float(gmin.sum() - lam * cap)
    lower = min(lower, upper)
    gap = upper - lower
    tol = 1e-9 * (abs(upper) + abs(lower) + abs(lam * cap))
    if lp_only:
        return MckpResult(choice, upper, lower, gap <= tol, lam)
    if gap <= tol:
        return MckpResult(choice, upper, upper, True, lam)
    group = np.repeat(np.arange(n_groups), np.diff(ptr))
    rc = red - gmin[group]
    # Aspiration levels: first look for a plan worth less than lower + f * gap with
    # small f. Options with rc > f * gap cannot be part of such a plan, so the core is
    # small and the DP bound prunes hard; a plan found is optimal (the DP keeps every
    # partial plan that might beat the level), none found proves the optimum is at
    # least that level. The last level is the incumbent itself (f = 1). The first is
    # just above the tolerance (a plan within it of the bound is all a proof needs):
    # many nearly equally efficient options make the core wide, but plans that close
    # to the bound are few, and one is found fast when the greedy merely left room.
    per_group = np.bincount(group, weights=rc <= gap + tol, minlength=n_groups)
    # levels pay off for long tables (fast movers); many short ones go straight to U
    levels = LEVELS if per_group.max() >= 32 else (1.0,)
    level_gaps = [tol * (1.0 + TIGHT), *(gap * f for f in levels[:-1])]
    level_gaps = [*sorted(g for g in level_gaps if tol < g < gap), gap]
    for n_level, level_gap in enumerate(level_gaps):
        last = n_level == len(level_gaps) - 1
        alive = rc <= level_gap + tol
        per_group = np.bincount(group, weights=alive, minlength=n_groups).astype(np.int64)
        if last:
            fixed = choice[per_group < 2]  # the incumbent's options are alive
        else:
            if (per_group == 0).any():
                continue
            first_alive = np.flatnonzero(alive)
            first_alive = first_alive[np.unique(group[first_alive], return_index=True)[1]]
            fixed = first_alive[per_group == 1]
        core = per_group >= 2
        level = upper if last else lower + level_gap
        if not core.any():
            if last:
                return MckpResult(choice, upper, upper, True, lam)
            continue
        opt_mask = alive & core[group]
        core_groups = np.flatnonzero(core)
        opt_index = np.flatnonzero(opt_mask)
        local = np.searchsorted(core_groups, group[opt_index])
        core_cap = cap - float(w[fixed].sum())
        fixed_v = float(v[fixed].sum())
        if core_cap < -ctol:
            continue
        found = _core_dp(
            local, opt_index, w, v, core_cap, ctol, level - fixed_v, tol, deadline, max_states
        )
        if found is None:
            if last:
                return MckpResult(choice, upper, upper, True, lam)
            continue
        if found is not False:
            core_choice, proven = found, True
            bound = lower
        elif not last:
            continue  # too many states at this level: go straight to the incumbent's
        else:
            core_choice, _, core_bound, proven = _core_milp(
                local, opt_index, w, v, core_cap, ctol, len(core_groups), tol, deadline
            )
            bound = max(lower, fixed_v + core_bound)
        if core_choice is not None and fixed_v + float(v[core_choice].sum()) < upper:
            if not last:
                choice[per_group == 1] = fixed
            choice[core_groups] = core_choice
            upper = fixed_v + float(v[core_choice].sum())
        if proven:
            bound = upper
        return MckpResult(choice, upper, min(bound, upper), proven, lam)
    raise AssertionError("unreachable: the last level always returns")


def _core_dp(
    local: I64,
    opt_index: I64,
    w: F64,
    v: F64,
    cap: float,
    ctol: float,
    upper: float,
    tol: float,
    deadline: float | None,
    max_states: int,
) -> I64 | Literal[False] | None:
    """Exact core MCKP by a Pareto dynamic programme with LP-bound pruning.

    Core groups are processed one at a time; a partial choice (state) is kept only when
    it is Pareto-optimal in (weight, value) and when its value plus the LP relaxation of
    the groups still to come, at the capacity left, is below ``upper - tol`` (the
    incumbent). Returns the chosen option per core group, None when no state can
    improve on the incumbent (the incumbent is optimal), or False when the state
    count exceeds ``max_states`` or the deadline passes (then a MILP takes over).
    """
    n_core = int(local.max()) + 1
    order = np.lexsort((w[opt_index], local))
    local, opt_index = local[order], opt_index[order]
    starts = np.searchsorted(local, np.arange(n_core + 1))
    wo, vo = w[opt_index], v[opt_index]
    seg_g, _, _, seg_dw, seg_dv, seg_eff = _hull_segments(starts, wo, vo)
    # process groups whose envelope efficiency is closest to the LP multiplier last:
    # the clear-cut ones are settled by the bound while few states exist
    by_eff = np.argsort(-seg_eff, kind="stable")
    brk = np.searchsorted(np.cumsum(seg_dw[by_eff]), cap - float(wo[starts[:-1]].sum()))
    lam = seg_eff[by_eff[min(brk, len(by_eff) - 1)]]
    dist = np.full(n_core, np.inf)
    np.minimum.at(dist, seg_g, np.abs(np.log(seg_eff / lam)))
    sizes = np.diff(starts)
    if sizes.max() >= 32:
        # a few long tables (fast movers): their many options first, while the bound
        # of the coarse groups still to come keeps the states few (measured faster)
        rank = np.lexsort((-dist, -sizes))
    else:
        rank = np.argsort(-dist, kind="stable")
    new_id = np.empty(n_core, dtype=np.int64)
    new_id[rank] = np.arange(n_core)
    local = new_id[local]
    order = np.lexsort((w[opt_index], local))
    local, opt_index = local[order], opt_index[order]
    starts = np.searchsorted(local, np.arange(n_core + 1))
    wo, vo = w[opt_index], v[opt_index]
    seg_g, _, _, seg_dw, seg_dv, seg_eff = _hull_segments(starts, wo, vo)
    seg_order = np.lexsort((seg_g, -seg_eff))
    seg_g, seg_dw, seg_dv = seg_g[seg_order], seg_dw[seg_order], seg_dv[seg_order]
    live = np.ones(len(seg_g), dtype=bool)
    base_w = float(wo[starts[:-1]].sum())
    base_v = float(vo[starts[:-1]].sum())
    big_w = np.zeros(1)
    big_v = np.zeros(1)
    parents: list[tuple[I64, I64]] = []
    for g in range(n_core):
        lo, hi = starts[g], starts[g + 1]
        k = hi - lo
        base_w -= wo[lo]
        base_v -= vo[lo]
        live &= seg_g != g
        cum_w = np.concatenate([[0.0], np.cumsum(seg_dw[live])])
        cum_v = np.concatenate([[0.0], np.cumsum(seg_dv[live])])
        nw = (big_w[:, None] + wo[None, lo:hi]).ravel()
        nv = (big_v[:, None] + vo[None, lo:hi]).ravel()
        room = cap - nw - base_w
        lp_rest = base_v - np.interp(room, cum_w, cum_v)
        ok = (room >= -ctol) & (nv + lp_rest < upper - tol)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return None
        srt = idx[np.lexsort((nv[idx], nw[idx]))]
        vs = nv[srt]
        keep = np.ones(len(srt), dtype=bool)
        keep[1:] = vs[1:] < np.minimum.accumulate(vs)[:-1]
        srt = srt[keep]
        if len(srt) > max_states or (deadline is not None and time.monotonic() > deadline):
            return False
        big_w, big_v = nw[srt], nv[srt]
        parents.append((srt // k, lo + srt % k))
    best = int(np.argmin(big_v))
    picked = np.empty(n_core, dtype=np.int64)
    for g in range(n_core - 1, -1, -1):
        parent, opt = parents[g]
        picked[g] = opt_index[opt[best]]
        best = int(parent[best])
    return picked[new_id]  # back to the caller's group order


def _core_milp(
    local: I64,
    opt_index: I64,
    w: F64,
    v: F64,
    cap: float,
    ctol: float,
    n_core: int,
    obj_tol: float,
    deadline: float | None,
) -> tuple[I64 | None, float, float, bool]:
    """Solve the core MCKP exactly with HiGHS (scipy.optimize.milp).

    Returns (choice per core group or None, value, lower bound, proven). The objective
    is scaled so that HiGHS's absolute gap (1e-6) is ``obj_tol`` in objective units.
    """
    # imported here: only needed for large cores, and slow to import
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    n_col = len(opt_index)
    # normalise per group for conditioning: subtract the group's smallest w and v
    w_min = np.full(n_core, np.inf)
    np.minimum.at(w_min, local, w[opt_index])
    v_min = np.full(n_core, np.inf)
    np.minimum.at(v_min, local, v[opt_index])
    wc = w[opt_index] - w_min[local]
    vc = v[opt_index] - v_min[local]
    room = cap - float(w_min.sum())
    scale = 1e-6 / obj_tol
    rows = np.concatenate([local, np.full(n_col, n_core)])
    cols = np.concatenate([np.arange(n_col), np.arange(n_col)])
    vals = np.concatenate([np.ones(n_col), wc])
    a_mat = sparse.csr_array((vals, (rows, cols)), shape=(n_core + 1, n_col))
    lower = np.concatenate([np.ones(n_core), [-np.inf]])
    upper = np.concatenate([np.ones(n_core), [max(room, 0.0) + ctol]])
    options: dict[str, float] = {"mip_rel_gap": 1e-12}
    if deadline is not None:
        options["time_limit"] = max(0.05, deadline - time.monotonic())
    with quiet_stdout():  # HiGHS may print to the C-level stdout
        res = milp(
            vc * scale,
            integrality=np.ones(n_col),
            bounds=Bounds(0.0, 1.0),
            constraints=LinearConstraint(a_mat, lower, upper),
            options=options,
        )
    dual = getattr(res, "mip_dual_bound", None)
    bound = float(dual) / scale + float(v_min.sum()) if dual is not None else -np.inf
    if not np.isfinite(bound):
        bound = -np.inf
    if res.x is None:
        return None, np.inf, bound, False
    x = res.x > 0.5
    picked_group = local[x]
    if len(picked_group) != n_core or len(np.unique(picked_group)) != n_core:
        return None, np.inf, bound, False
    core_choice = opt_index[x][np.argsort(picked_group)]
    if float(w[core_choice].sum()) > cap + ctol:
        return None, np.inf, bound, False
    return core_choice, float(v[core_choice].sum()), bound, res.status == 0
