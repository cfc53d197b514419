"""Location models on a cost matrix, in the manner of PySAL spopt's ``locate``: each model is
a small module that takes plain arrays (a station-by-site cost or coverage matrix, opening
costs, a station count) and knows nothing of technicians or products.

* :func:`solve_uncapacitated`: p-median and uncapacitated facility location, exact, by the
  radius formulation (:mod:`~planner.optimise.location.radius`);
* :func:`max_covering`: maximal covering location (:mod:`~planner.optimise.location.covering`);
* :func:`fast_interchange`, :func:`first_improvement`, :func:`greedy_interchange`: the
  add / drop / swap local searches on station sets (:mod:`~planner.optimise.location.interchange`).
"""

from planner.optimise.location.covering import Covering, max_covering
from planner.optimise.location.interchange import (
    fast_interchange,
    first_improvement,
    greedy_interchange,
    open_cost,
)
from planner.optimise.location.radius import RadiusOutcome, RadiusSettings, solve_uncapacitated

__all__ = [
    "Covering",
    "RadiusOutcome",
    "RadiusSettings",
    "fast_interchange",
    "first_improvement",
    "greedy_interchange",
    "max_covering",
    "open_cost",
    "solve_uncapacitated",
]
