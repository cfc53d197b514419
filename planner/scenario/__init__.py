"""Run the planning chain end to end.

For one product (:func:`plan_product`): profiles → posture → plugin plan → demand →
report. For a scenario (:func:`run`): the plans of every product and region → one station
problem per region, every product's calls and visits on the same candidate stations with
pooled technicians → one parts problem holding every product's parts → a simulation
checking each promise → scorecards. :func:`load_scenario` reads and checks a scenario
file (``kind = "scenario"``); :func:`bundled_scenarios` lists the bundled ones.

Where each thing lives (every name below imports from ``planner.scenario``):

- :mod:`planner.scenario.product` — one product's chain: :func:`plan_product`,
  :func:`product_profile`, :func:`default_regions`, :func:`default_strategy`.
- :mod:`planner.scenario.files` — scenario files: :func:`load_scenario` (overrides and
  targets applied), :class:`LoadedScenario`, :func:`bundled_scenarios`, the errors
  :class:`ScenarioError` and :class:`InfeasibleTarget`.
- :mod:`planner.scenario.parts` — the portfolio parts problem: :func:`depot_key`,
  :func:`part_key`, :func:`portfolio_spares_problem`, :func:`parts_policy`.
- :mod:`planner.scenario.predictions` — the models' predictions: :class:`PartsPrediction`,
  :func:`parts_predictions`, :func:`dispatch_prediction`, :func:`plan_hold_hours`, and
  :func:`simulation_network`, the plan as the simulation sees it.
- :mod:`planner.scenario.outcomes` — results: region outcomes, KPIs, call outcomes and
  :func:`check_rows` (prediction beside simulation; :data:`ASSUMPTIONS`).
- :mod:`planner.scenario.runner` — :func:`run`, its phases (``PHASES``) and :data:`Progress`
  (``runner``, not ``run``: ``planner.scenario.run`` is the function).

The modules import in that order (each only from those above it), so there is no cycle.
"""

from __future__ import annotations

from planner.scenario.files import SCENARIO_DIR as SCENARIO_DIR
from planner.scenario.files import (
    InfeasibleTarget,
    LoadedScenario,
    ScenarioError,
    bundled_scenarios,
    load_scenario,
)
from planner.scenario.outcomes import ASSUMPTIONS, check_rows
from planner.scenario.parts import depot_key, part_key, parts_policy, portfolio_spares_problem
from planner.scenario.predictions import (
    PartsPrediction,
    dispatch_prediction,
    parts_predictions,
    plan_hold_hours,
    simulation_network,
)
from planner.scenario.product import (
    default_regions,
    default_strategy,
    plan_product,
    product_profile,
)
from planner.scenario.runner import PHASES as PHASES
from planner.scenario.runner import SOLVER_THREADS as SOLVER_THREADS
from planner.scenario.runner import Progress, run

__all__ = [
    "ASSUMPTIONS",
    "InfeasibleTarget",
    "LoadedScenario",
    "PartsPrediction",
    "Progress",
    "ScenarioError",
    "bundled_scenarios",
    "check_rows",
    "default_regions",
    "default_strategy",
    "depot_key",
    "dispatch_prediction",
    "load_scenario",
    "part_key",
    "parts_policy",
    "parts_predictions",
    "plan_hold_hours",
    "plan_product",
    "portfolio_spares_problem",
    "product_profile",
    "run",
    "simulation_network",
]
