"""Spare-parts stocking optimiser for ``spares/v1`` and ``spares/v2`` problems (two-echelon METRIC).

Front door: :func:`solve_spares` (the proven optimum, or the best plan with a proven
bound at a time limit), :func:`greedy_spares` (the classic marginal-analysis plan, for
comparison), :func:`spares_frontier` (efficient investment/backorders points for
charts) and :class:`SparesSettings` (tuning).

Method, and where each step lives
---------------------------------
1. :mod:`.instance`: the problem as arrays (parts by depots: costs, demand, pipeline
   means, weights) and the model's constants.
2. :mod:`.tables`: per-group option tables. A group is one part at one depot without
   a central warehouse, one part across all its locations with one; an option is the
   group's total number of units, its quality the best backorders (budget mode) or
   fill shortfall (fill-rate mode) reachable with them. The tables hold every
   non-dominated (cost, quality) pair of the group (up to a Poisson tail of 1e-16 per
   location), built with numpy for whole buckets of groups at once.
3. :mod:`.lazy`: big parts with a central warehouse (fast movers) get lazy tables over
   the central stock instead, exact by a certificate on the knapsack's reduced costs.
4. :mod:`.plan`: combining groups exactly is a multiple-choice knapsack
   (:mod:`planner.optimise.mckp`, reduced-cost fixing and a core dynamic programme);
   the lazy tables are refined until the certificate holds; the chosen options become
   stock per location. ``status = "optimal"`` only when the knapsack is solved to
   optimality, to a relative tolerance of 1e-9 on the objective and on the resource
   constraint; otherwise ``feasible`` with a proven ``bound``.
5. :mod:`.measures`: backorders, fill rate, investment, availability, VARI-METRIC and
   the exact model of a plan's stock.
6. :mod:`.api`: the three public functions; :mod:`.settings`: the tuning constants.
7. :mod:`.availability`: the v2 availability objective (least investment meeting an
   availability target per depot and the floors), which is not a one-resource knapsack:
   a Dantzig-Wolfe bound, exact reduced-cost fixing and a core MILP (HiGHS). Its
   phases: :mod:`.availability_options` (one part's options, its pricing and fixing),
   :mod:`.availability_plans` (the solve's state, a plan's checks and repair),
   :mod:`.availability_master` (the master LP and column generation) and
   :mod:`.availability_core` (the core MILP).

Fill-rate floors (v2) hold in every objective: each group's options start at its
cheapest stock meeting them.

Units: demand in units a year, times in days, costs in currency, backorders in units.
Fill rates with no demand at all are taken as 1. Magnitudes spanning more than about
1e250 (for example unit costs of 1e-300 next to 1e3) are outside the supported range.
"""

from planner.optimise.spares.api import greedy_spares, solve_spares, spares_frontier
from planner.optimise.spares.settings import SparesSettings

__all__ = ["SparesSettings", "greedy_spares", "solve_spares", "spares_frontier"]
