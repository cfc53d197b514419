"""Improvement of a plan: single-site moves and shedding a technician or an on-duty level
(local search with the exact cost), and the group search (a MILP over a few open stations'
sites at a time).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from planner.optimise.technicians.formulation import build, plan_of, run_milp
from planner.optimise.technicians.plans import Plan, plan_from
from planner.optimise.technicians.prepared import linear_costs, pair_index, pair_matrix
from planner.optimise.technicians.settings import FEAS_TOL
from planner.optimise.technicians.state import SolveState

log = logging.getLogger(__name__)


def shed(
    assign: np.ndarray,
    j: int,
    measure: np.ndarray,
    need: float,
    open_: np.ndarray,
    trav: np.ndarray,
    work_m: np.ndarray,
    spare: np.ndarray,
    room_calls: np.ndarray,
    calls: np.ndarray,
) -> np.ndarray | None:
    """An assignment moving station j's sites, cheapest per unit of ``measure`` first, to
    other open stations with room for their hours (``spare``) and calls (``room_calls``),
    until ``need`` units are shed; None if they cannot be."""
    inf = np.inf
    mine = np.nonzero((assign == j) & (measure > 0))[0]
    others = open_[open_ != j]
    if not len(mine) or not len(others):
        return None
    extra = trav[np.ix_(others, mine)] - trav[j, mine][None, :]
    fits = (work_m[np.ix_(others, mine)] <= spare[others][:, None]) & (
        calls[mine][None, :] <= room_calls[others][:, None]
    )
    extra = np.where(fits, extra, inf)
    k_best = np.argmin(extra, axis=0)
    cost_move = extra[k_best, np.arange(len(mine))]
    order = np.argsort(cost_move / measure[mine])
    trial = assign.copy()
    room_w, room_c = spare.copy(), room_calls.copy()
    gone = 0.0
    for q in order:
        if not np.isfinite(cost_move[q]) or gone >= need - 1e-9:
            break
        i, k = mine[q], others[k_best[q]]
        if work_m[k, i] > room_w[k] or calls[i] > room_c[k]:
            continue
        trial[i] = k
        room_w[k] -= work_m[k, i]
        room_c[k] -= calls[i]
        gone += measure[i]
    return trial if gone >= need - 1e-9 else None


def improve_plan(
    state: SolveState,
    plan: Plan,
    deadline: float,
) -> Plan:
    """Local search on a plan's assignment with the exact cost (integer technicians): move
    single sites to another open station, and shed a station's last technician by moving
    its cheapest-to-move sites to open stations with spare hours. Keeps every promise
    (each candidate is re-checked by :func:`plan_from`); returns a plan no dearer."""
    prep, target, covered = state.prep, state.target, state.covered
    problem = prep.problem
    n_st, n_sites = len(problem.stations), len(problem.sites)
    hours_h = problem.technician.productive_hours
    open_ = np.unique(plan.assign)
    if len(open_) < 2:
        return plan
    inf = np.inf
    trav = pair_matrix(prep, prep.pcost)
    work_m = pair_matrix(prep, prep.pw)
    cov_m = np.zeros((n_st, n_sites), dtype=bool)
    cov_m[prep.pj, prep.pi] = covered
    total = float(prep.calls.sum())
    need_cov = target * total * (1 - 1e-7) if total > 0 else -inf
    best = plan
    for _ in range(10 * len(open_) + 10):
        if time.monotonic() > deadline:
            break
        assign = best.assign.copy()
        sites = np.arange(n_sites)
        work = np.bincount(assign, weights=work_m[assign, sites], minlength=n_st)
        tech = best.technicians.astype(float)
        spare = tech * hours_h - work
        cov = float(prep.calls[cov_m[assign, sites]].sum())
        changed = False
        # call room: calls a station can still take at its on-duty level (dispatch only)
        calls_at = np.bincount(assign, weights=prep.calls, minlength=n_st)
        room_calls = np.full(n_st, inf)
        level_floor = np.zeros(n_st)  # calls at the level below (dispatch only)
        if problem.dispatch is not None:
            for k in open_:
                lv = prep.levels[k]
                if calls_at[k] <= 0 or not len(lv):
                    room_calls[k] = 0.0
                    continue
                c = int(np.searchsorted(lv, calls_at[k] * (1 - FEAS_TOL))) + 1
                room_calls[k] = lv[min(c, len(lv)) - 1] - calls_at[k]
                level_floor[k] = lv[c - 2] if c >= 2 else 0.0

        # shed a station's last technician (hours) or its top on-duty level (calls)
        own_work = work_m[assign, sites]
        excess = work - (tech - 1) * hours_h
        tries: list[tuple[float, int, np.ndarray, float]] = [
            (float(excess[j]), int(j), own_work, float(excess[j]))
            for j in open_
            if tech[j] >= 1 and excess[j] > 0
        ]
        if problem.dispatch is not None:
            tries += [
                (
                    float(calls_at[j] - level_floor[j]),
                    int(j),
                    prep.calls,
                    float(calls_at[j] - level_floor[j]),
                )
                for j in open_
                if calls_at[j] > 0
            ]
        for _, j, measure, need in sorted(tries, key=lambda t: t[0]):
            if time.monotonic() > deadline:
                break
            trial = shed(
                assign, j, measure, need, open_, trav, work_m, spare, room_calls, prep.calls
            )
            if trial is None:
                continue
            cand = plan_from(state, trial)
            if cand is not None and cand.cost < best.cost - 1e-9 * max(1.0, abs(best.cost)):
                best = cand
                changed = True
                break
        if changed:
            continue
        # single moves, best first
        delta_tr = trav[open_][:, sites] - trav[assign, sites][None, :]
        w_new = work_m[open_][:, sites]
        fits = (w_new <= spare[open_][:, None]) & (
            prep.calls[None, :] <= room_calls[open_][:, None]
        )
        lose_cov = cov_m[assign, sites][None, :] & ~cov_m[open_][:, sites]
        ok_cov = ~lose_cov | (cov - prep.calls[None, :] >= need_cov)
        gain = np.where(fits & ok_cov & (open_[:, None] != assign[None, :]), delta_tr, inf)
        flat = np.argsort(gain, axis=None)[: 4 * n_sites]
        moved = np.zeros(n_sites, dtype=bool)
        trial = assign.copy()
        for f in flat:
            row, i = divmod(int(f), n_sites)
            if gain[row, i] >= -1e-9 or not np.isfinite(gain[row, i]):
                break
            if moved[i]:
                continue
            k = open_[row]
            if work_m[k, i] > spare[k] or prep.calls[i] > room_calls[k]:
                continue
            spare[k] -= work_m[k, i]
            room_calls[k] -= prep.calls[i]
            trial[i] = k
            moved[i] = True
        if moved.any():
            cand = plan_from(state, trial)
            if cand is not None and cand.cost < best.cost - 1e-9 * max(1.0, abs(best.cost)):
                best = cand
                continue
        break
    return best


def station_groups(assign: np.ndarray, cmat: np.ndarray, size: int) -> list[np.ndarray]:
    """Per open station, it and the ``size - 1`` open stations that most sites of the two
    (either way) would go to next: cheapest other open station on ``cmat``."""
    open_ = np.unique(assign)
    sub = np.where(open_[:, None] == assign[None, :], np.inf, cmat[open_])
    pos = np.full(cmat.shape[0], -1)
    pos[open_] = np.arange(len(open_))
    shared = np.zeros((len(open_), len(open_)))
    finite = np.isfinite(sub.min(axis=0))
    nxt = np.argmin(sub, axis=0)
    np.add.at(shared, (pos[assign[finite]], nxt[finite]), 1.0)
    shared += shared.T
    np.fill_diagonal(shared, -1.0)
    groups = []
    for q, j in enumerate(open_):
        near = np.argsort(-shared[q], kind="stable")[: size - 1]
        groups.append(np.sort(np.concatenate([[j], open_[near[shared[q, near] > 0]]])))
    return groups


def group_search(
    state: SolveState,
    plan: Plan,
    deadline: float,
    done: set[bytes] | None = None,
) -> Plan:
    """Large-neighbourhood search on a plan, a few open stations at a time.

    For each open station, its sites and those of the open stations they would go to next
    (:func:`station_groups`) are reassigned among those stations by a MILP, with their
    staffing, dispatch levels and whether they stay open free and every other site kept in
    place; a cheaper plan replaces the plan. Single-site moves (:func:`improve_plan`) cannot
    shed a technician whose hours are spread over many sites; this moves them together.
    Passes until one gains nothing or the deadline. A group whose sites have not changed
    since it was solved (``done`` remembers across calls) is not solved again."""
    prep = state.prep
    done = set() if done is None else done
    cmat = linear_costs(prep)
    improved = True
    while improved:
        improved = False
        open_ = np.unique(plan.assign)
        own = pair_index(prep, plan.assign)
        assert own is not None  # a plan's pairs exist
        for group in station_groups(plan.assign, cmat, state.settings.group_size):
            left = deadline - time.monotonic()
            if left < state.settings.min_phase_seconds / 4:
                return plan
            mine = np.isin(plan.assign, group)
            key = group.tobytes() + np.packbits(mine).tobytes()
            if len(group) < 2 or key in done:
                continue
            done.add(key)
            kept = own[~mine[prep.pi[own]]]
            free = np.nonzero(mine[prep.pi] & np.isin(prep.pj, group))[0]
            model = build(state, np.union1d(kept, free), open_)
            _, values, _ = run_milp(prep, model, plan, min(state.settings.group_seconds, left))
            found = None if values is None else plan_of(state, model, values)
            if found is not None and found.cost < plan.cost - 1e-9 * max(1.0, abs(plan.cost)):
                log.debug("group %s: %.2f -> %.2f", group.tolist(), plan.cost, found.cost)
                plan = found
                improved = True
                break  # the groups follow the plan
    return plan
