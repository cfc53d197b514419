"""Least investment that meets an availability target at every depot, exactly.

The problem (``spares/v2``, objective ``target_availability``): choose whole stocks
``s0_i`` (central, only with a central warehouse) and ``s_ij`` (depots) minimising
``sum_i c_i (s0_i + sum_j s_ij)`` subject to Sherbrooke's availability
``A_j = prod_i (1 - EBO_ij / (N_j Z_i))^Z_i >= T_j`` at every depot with a target
(the essential parts with demand there) and every part's fill-rate floor
``FR_ij >= f_i`` at every depot that demands it, under METRIC (depot pipeline mean
``a_ij + q_ij EBO(s0_i; mu0_i)``).

Method
------
1. *Separate what is separate.* A part that is not essential, or has demand only at
   depots without a target, only has to meet its floors: its cheapest central stock
   is found alone (the same search over ``s0`` as below, with nothing to price). A
   free part (unit cost 0) takes the most stock of its domain. The domain of every
   location is its Poisson tail: ``s0 <= q(mu0)``, ``s_ij <= q(mu_ij(s0)) + 1`` with
   ``q(mu)`` the least ``s`` with ``P(X > s) <= TAIL`` (1e-16). The most stock of the
   domain is the best availability reachable; a target it misses (or a floor it
   misses) makes the problem infeasible, and the reason names the depot and that
   availability (or the part and depot).
2. *Logs.* ``A_j >= T_j`` is ``sum_i g_ij(s0_i, s_ij) >= log T_j`` with
   ``g = Z log(1 - EBO / (N Z))`` (-inf: the option is forbidden), and an option with
   ``g_ij < log T_j`` alone breaks the target, so it is forbidden too. The rows carry a
   hair of safety (``ROW_SAFETY`` of ``|log T_j|``, about 3e-11 in the log) so that the
   measured product meets the target despite rounding and solver tolerances. For a
   fixed ``s0`` each depot's ``g`` is concave in ``s`` (EBO is convex and decreasing,
   ``log(1 - x)`` concave and decreasing) and every option of a depot is an interval
   ``lo_ij(s0) .. q + 1`` (``lo`` from the floor and from ``g >= log T``).
3. *Lagrangian / Dantzig-Wolfe bound.* With multipliers ``lam_j >= 0`` on the depot
   rows the problem separates per part: ``rho_i(lam) = min over (s0, s) of
   c_i (s0 + sum_j s_j) - sum_j lam_j g_ij(s0, s_j)``; for each ``s0`` each depot's
   term is a 1-D minimisation (numpy over all evaluated ``s0`` and ``s`` at once).
   ``LB(lam) = sum_j lam_j log T_j + sum_i rho_i(lam)`` bounds every plan. The
   multipliers come from column generation on the master LP (HiGHS): columns are
   whole plans of one part, the pricing problem is ``rho_i`` (first over the central
   stocks evaluated so far, then exactly, see 4), at multipliers smoothed towards the
   best so far (Wentges); at convergence ``LB`` equals the LP bound of the
   Dantzig-Wolfe master (the convex hull of each part's options).
4. *Lazy central stocks.* ``g`` only grows with ``s0`` (a smaller depot pipeline) and
   the floors only get easier, so the depot terms at an evaluated ``b`` bound every
   ``s0 < b`` from below: a block ``a..b-1`` of unevaluated central stocks costs at
   least ``c a + (fixed floor stock at b) + sum_j min(phi_j(b), c (q_j(b) + 2))``.
   Only the central stocks of blocks whose bound is below what is needed (the current
   minimum in pricing, ``rho + theta`` in fixing) are evaluated, by bisection of the
   blocks; so a fast mover with a central pipeline of thousands of units evaluates a
   few hundred of its central stocks (each over the depot stocks between its ``lo``
   and its tail only), never the dense ``s0 x depot x s`` table.
5. *Exact reduced-cost fixing.* Every plan costs at least
   ``LB + sum_i (value_i(choice_i) - rho_i)``, all terms >= 0, and a part's slack is
   the slack of its ``s0`` (``R_i(s0) - rho_i``) plus the slack of each depot's
   option (``c s - lam g - phi_j(s0)``). A plan cheaper than the incumbent ``UB``
   therefore uses only options whose slack is at most ``UB - LB``: the *core*.
6. *The core MILP.* On the core, the disaggregated MILP (per part a one-hot over its
   surviving ``s0``, per (part, ``s0``, depot) a one-hot over its surviving ``s``
   linked to the ``s0``, one linear log-availability row per depot, objective the
   investment) is solved by HiGHS with the incumbent as cutoff, to a relative gap of
   5e-10. Its LP relaxation is the Dantzig-Wolfe bound again (a disjunctive,
   convex-hull formulation of each part). The incumbent comes from marginal analysis
   on the LP solution rounded up and on the parts' best plans at the multipliers; core
   MILPs at growing ``theta`` (``THETA0`` of the bound, then four times more each
   time, each on a quarter of the time left) improve it, up to the core at
   ``theta = UB - LB`` (all the time left). Once a core whose ``theta`` is at least
   ``UB - LB`` is solved (or the bound meets the incumbent) the plan is proven
   optimal: every cheaper plan would lie in that core. A core of more than
   ``CORE_LIMIT`` options is not built; smaller ones are tried instead.

Where each step lives: :mod:`.availability_options` holds one part's options (the
domain, the logs, its pricing ``rho_i``, the block bounds and lazy central stocks of 4,
its fixing of 5); :mod:`.availability_plans` the solve's parts, depot rows and stock,
the checks of a plan and its repair by marginal analysis (the incumbent of 6);
:mod:`.availability_master` the master LP and the column generation of 3 (and the LP
solution rounded up); :mod:`.availability_core` the core MILP of 6. This module holds
the solve itself: the separate parts and the reachability checks of 1, the loop over
the core MILPs, and the outcome.

Why it is exact: the Lagrangian bound is valid for any ``lam >= 0`` (the block bounds
are valid lower bounds of unevaluated central stocks), the fixing removes only options
that cannot be in a plan cheaper than a known feasible plan, and the MILP on what is
left is solved to optimality; the result is ``proven`` only then. "Optimal" is for the
rows with the safety hair (a plan within ``ROW_SAFETY |log T_j|`` of a target in the
log is not used), and within the Poisson tail of every location. The returned stock is
checked with :func:`~planner.optimise.spares.measures.depot_availability` and
:func:`~planner.optimise.spares.measures.depot_fill_rates`: a missed target or floor
is a bug and raises AssertionError.

Limits: the Dantzig-Wolfe bound leaves an integrality gap, and closing it is a
knapsack with one near-tight row per depot, where branch and bound may need very many
nodes. The bundled crawler crane and excavator are proven optimal in a fraction of a
second; the bundled concrete pump and random instances of 100 parts or more by 10
depots are not proven in minutes (gap about 2e-4 to 5e-4 of the investment; HiGHS
explores tens of thousands of nodes on cores of a few hundred options). At the
deadline, or after ``UNTIMED_SECONDS`` when no deadline is given, the best plan found
is returned with ``proven=False`` and the best proven lower bound (the Lagrangian
bound, or the MILP's when its core held every cheaper plan). ``proven`` and the MILP's
bound refer to the rows with the safety hair.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from planner.models.status import Status
from planner.optimise.spares.availability_core import solve_core
from planner.optimise.spares.availability_master import column_generation, round_lp
from planner.optimise.spares.availability_plans import ROW_SAFETY, Plan, SolveState
from planner.optimise.spares.instance import I64, TAIL, Instance
from planner.optimise.spares.measures import depot_availability, depot_fill_rates, measure
from planner.optimise.spares.settings import SparesSettings

__all__ = ["ROW_SAFETY", "AvailabilityOutcome", "solve_availability"]

CORE_LIMIT = 60_000
"""Depot options the core MILP may hold; past it a smaller ``theta`` is solved first."""
THETA0 = 1e-5
"""First fixing threshold of the core MILPs, as a share of the bound."""
THETA_GROWTH = 4.0
"""Growth of the fixing threshold from one core MILP to the next (up to UB - LB)."""
THETA_TIME_SHARE = 0.25
"""Share of the time left that a core MILP short of UB - LB may take."""
UNTIMED_SECONDS = 30.0
"""Time a solve without a deadline is given (seconds): past it the best plan is returned
unproven, with its bound (a core MILP of a hard instance may not close in hours)."""


@dataclass(frozen=True)
class AvailabilityOutcome:
    """Stock of the availability objective.

    ``central`` (P,) and ``stock`` (P, J) whole units; ``proven`` when the plan is
    optimal (core MILP solved to a relative gap of 1e-9); ``bound`` a proven lower
    bound on the investment; ``reason`` set when the problem is infeasible (``central``
    and ``stock`` then hold the most stock of the domain, the best effort).
    """

    central: I64
    stock: I64
    proven: bool
    bound: float
    reason: str | None


# ------------------------------------------------------------------ the solve


class _Solve(SolveState):
    """One solve: the checks of the domain, the bound, the incumbent, the core MILPs and
    the outcome."""

    # -------------------------------------------------------------- main

    def run(self) -> AvailabilityOutcome:
        const = 0.0
        # parts with floors only: each on its own, cheapest central stock
        for part in self.other:
            part.refine(np.zeros(0), None, None)
            r = part.rows(np.zeros(0))[0]
            k = int(np.argmin(r))
            if not np.isfinite(r[k]):
                return self.floor_infeasible()
            s0 = int(part.e[k])
            self.put(part, s0, part.stock_at(s0, np.zeros(0, np.int64))[0])
            const += float(r[k])
        for part in self.free:
            self.put(part, *part.max_plan())
        # the most stock of the domain: are the floors and the targets reachable?
        top = self.max_plan()
        targets_ok, floors_ok = self.measured_ok()
        if not floors_ok:
            return self.floor_infeasible()
        if not targets_ok:
            return self.target_infeasible()
        if not self.rel:
            return self.finish(True, const)
        if top is None or (self.row_sums(top) < self.rhs[self.rows]).any():
            # the most stock meets the targets, but not with the safety hair: keep it
            return self.finish(False, const)
        return self.optimise(top, const)

    def max_plan(self) -> Plan | None:
        """Put the most stock of every relevant part; the plan, or None if an option of
        it is forbidden (a floor, or g below log T with the safety hair)."""
        s0s, sts = [], []
        inv = 0.0
        for part in self.rel:
            s0, st = part.max_plan()
            self.put(part, s0, st)
            part.evaluate(np.array([s0]))
            k = int(np.searchsorted(part.e, s0))
            s_t = st[part.t]
            s0s.append(s0)
            sts.append(s_t)
            inv += part.c * (s0 + st.sum())
            if not part.f_ok[k] or (s_t < part.lo[k]).any():
                return None
        return Plan(s0s, sts, inv)

    def optimise(self, top: Plan, const: float) -> AvailabilityOutcome:
        master, lam, rhos = column_generation(self, top, const)
        rel = self.rel
        lams = [lam[p.g_rows] for p in rel]
        rhs = self.rhs[self.rows]
        lb = self.lb
        # bound of the problem without the safety hair
        bound = lb - float(lam @ (rhs - self.log_t[self.rows]))
        # incumbent: the LP solution rounded up, or the best columns at the multipliers,
        # repaired and trimmed by marginal analysis; or the most stock
        ub_plan = top
        at_lam = [p.column(lp)[:2] for p, lp in zip(rel, lams, strict=True)]
        for start in (
            round_lp(self, master),
            Plan([c[0] for c in at_lam], [c[1] for c in at_lam], 0.0),
        ):
            got = None if start is None else self.repair(start)
            if got is not None and got.investment < ub_plan.investment:
                ub_plan = got
        ub = ub_plan.investment + const
        # the core MILPs: a small core first (a good incumbent, cheaply), then larger
        # ones (each on a share of the time left) up to the core that holds every plan
        # cheaper than the incumbent (the proof, on all the time left)
        proven = False
        solved = 0.0  # largest theta whose core MILP was solved
        theta = max(THETA0 * abs(lb), 1e-9)
        while True:
            gap = ub - lb
            tol = 1e-9 * max(1.0, abs(ub))
            if gap <= tol:
                proven = True  # the bound meets the incumbent
                break
            if self.timed_out():
                break
            theta = min(theta, gap + tol)
            full = theta >= gap
            maybe = [
                p.core(lp, rho, theta, self.deadline)
                for p, lp, rho in zip(rel, lams, rhos, strict=True)
            ]
            if any(core is None for core in maybe):
                break
            cores = [core for core in maybe if core is not None]
            n_options = sum(len(s) for core in cores for _, _, opts in core for s, _ in opts)
            if n_options > CORE_LIMIT:
                if theta <= 2.0 * solved:
                    break
                theta = max(theta / 2.0, solved)
                continue
            t_mip = time.monotonic()
            got, status, mip_bound = solve_core(
                self, cores, ub - const, 1.0 if full else THETA_TIME_SHARE
            )
            self.trace.append(
                {
                    "lb": lb,
                    "ub": ub,
                    "theta": theta,
                    "options": n_options,
                    "status": status,
                    "found": None if got is None else got.investment + const,
                    "seconds": time.monotonic() - t_mip,
                }
            )
            if got is not None and got.investment + const < ub:
                ub_plan, ub = got, got.investment + const
            if status not in (Status.OPTIMAL, Status.INFEASIBLE):
                if full:
                    if mip_bound is not None:
                        # every plan cheaper than the incumbent was in this core
                        bound = max(bound, min(ub, mip_bound + const))
                    break
                theta = math.inf  # its share of the time ran out: the full core next
                continue
            solved = theta
            if theta >= ub - lb:
                proven = True
                break
            theta *= THETA_GROWTH
        self.put_plan(ub_plan)
        return self.finish(proven, ub if proven else bound, ub)

    # -------------------------------------------------------------- outcomes

    def finish(self, proven: bool, bound: float, ub: float | None = None) -> AvailabilityOutcome:
        targets_ok, floors_ok = self.measured_ok()
        if not (targets_ok and floors_ok):
            raise AssertionError(
                "availability plan misses a target or a floor as measured "
                f"(targets met: {targets_ok}, floors met: {floors_ok})"
            )
        inv = measure(self.inst, self.central, self.stock).investment
        if ub is not None and not math.isclose(inv, ub, rel_tol=1e-9, abs_tol=1e-9):
            raise AssertionError(f"availability plan costs {inv!r}, the solve said {ub!r}")
        if proven:
            bound = inv
        return AvailabilityOutcome(self.central, self.stock, proven, float(min(bound, inv)), None)

    def floor_infeasible(self) -> AvailabilityOutcome:
        inst = self.inst
        for p in [*self.rel, *self.other, *self.free]:
            s0, st = p.max_plan()
            self.put(p, s0, st)
        fr = depot_fill_rates(inst, self.central, self.stock)
        bad = np.argwhere((fr < inst.floor[:, None]) & (inst.demand > 0))
        if len(bad) == 0:
            raise AssertionError("a floor was found unreachable but the most stock meets it")
        i, j = (int(v) for v in bad[0])
        reason = (
            f"fill-rate floor {inst.floor[i]} of part {inst.part_ids[i]!r} at depot "
            f"{inst.depot_ids[j]!r} cannot be met: the best fill rate reachable there is "
            f"{float(fr[i, j])!r} (stock up to a Poisson tail of {TAIL:g} per location)"
        )
        return AvailabilityOutcome(self.central, self.stock, False, math.inf, reason)

    def target_infeasible(self) -> AvailabilityOutcome:
        inst = self.inst
        for p in [*self.rel, *self.free]:
            s0, st = p.max_plan()
            self.put(p, s0, st)
        meas = measure(inst, self.central, self.stock)
        avail = depot_availability(inst, meas.ebo)
        tgt = np.isfinite(inst.target) & (inst.installed > 0)
        bad = np.flatnonzero(tgt & ~(avail >= inst.target))
        parts = [
            f"availability target {inst.target[j]} at depot {inst.depot_ids[j]!r} is beyond "
            f"the best availability reachable there, {float(avail[j])!r}"
            for j in bad
        ]
        reason = "; ".join(parts) + f" (stock up to a Poisson tail of {TAIL:g} per location)"
        return AvailabilityOutcome(self.central, self.stock, False, math.inf, reason)


def solve_availability(
    inst: Instance, deadline: float | None, settings: SparesSettings
) -> AvailabilityOutcome:
    """Least investment meeting every depot's availability target and every floor.

    ``deadline`` is a :func:`time.monotonic` value (None: no limit); ``settings`` are
    the solve's :class:`SparesSettings` (no field applies to this objective yet).
    """
    del settings
    if deadline is None:
        deadline = time.monotonic() + UNTIMED_SECONDS
    return _Solve(inst, deadline).run()
