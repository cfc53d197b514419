"""Tuning of the spare-parts optimiser: one settings object for :func:`solve_spares`.

The defaults are what the solver uses; tests use other values to force a path (every
part lazy, the MILP finish) and benchmarks to measure one.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.optimise.mckp import MAX_STATES

__all__ = ["SparesSettings"]


@dataclass(frozen=True)
class SparesSettings:
    """Thresholds and budgets of one solve; none changes which plans are feasible.

    * ``adapt_cells``: a part with a central warehouse whose full option table has more
      (central stock, depot unit) cells than this gets a lazy table
      (:mod:`planner.optimise.spares.lazy`); 0 makes every such part lazy, a huge
      number none;
    * ``init_s0``: central stock levels evaluated first per lazy part, evenly spread;
    * ``max_lazy_cells``: (central stock, depot units) cells the lazy tables may keep
      (three float arrays each); past it the best plan over the tables so far is
      returned as ``feasible`` with the certificate's bound;
    * ``max_states``: states the knapsack's core dynamic programme may keep before HiGHS
      takes over (:func:`planner.optimise.mckp.solve_mckp`).
    """

    adapt_cells: int = 20_000
    init_s0: int = 33
    max_lazy_cells: int = 80_000_000
    max_states: int = MAX_STATES
