"""Hook specifications: what a Service Planner plugin may implement.

A plugin is any module or object with functions marked ``@hookimpl`` whose
names match the specifications below (``from planner import hookimpl``).
Unknown ``planner_*`` names fail at start-up (``check_pending``), so a
misspelt hook never goes silently unused.

Each hook says what it receives, what it returns and when it is called.
The rest of the code never calls ``pm.hook`` directly; it goes through the
typed facade in :mod:`planner.plugins`, which calls every implementation on its
own so that one failing plugin is reported by name and the others still run.
Every hook here is documented in ``docs/plugins.md`` with its exact signature;
a test fails when the two drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from planner.export import ExportFormat
    from planner.models.plan import ServicePlan
    from planner.models.profiles import ProductProfile, Region, Strategy
    from planner.models.report import PlanReport, Scorecard
    from planner.models.scenario import ScenarioFacts
    from planner.products import ProductPlugin

PROJECT = "service_planner"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def planner_add_products() -> Sequence[type[ProductPlugin]]:
    """Return the product classes this plugin provides.

    Called once, when the product registry is built (at start-up of every
    command that needs products). Each class subclasses
    :class:`planner.products.ProductPlugin` and declares its ``id``; two
    classes declaring the same id are an error naming both plugins.
    """


@hookspec
def planner_adjust_plan(
    plan: ServicePlan, product: ProductProfile, region: Region, strategy: Strategy
) -> ServicePlan | None:
    """Return a changed copy of ``plan``, or ``None`` to leave it as it is.

    Called after a product class has built the plan of ``product`` for
    ``region``, once per plugin in registration order; each call receives the
    plan as the previous plugin left it. Plans are frozen: build the changed
    plan with ``plan.model_copy(update=...)``.
    """


@hookspec
def planner_scorecards(report: PlanReport, strategy: Strategy) -> Sequence[Scorecard]:
    """Return scorecards to add to a finished plan report (may be empty).

    Called once per report, after every region's plan and demand are built.
    """


@hookspec
def planner_scenario_scorecards(facts: ScenarioFacts) -> Sequence[Scorecard]:
    """Return scorecards to add to a finished scenario run (may be empty).

    Called once per scenario run, after the simulation. ``facts``
    (:class:`planner.models.scenario.ScenarioFacts`) carry the strategy the
    scenario ran under, its plan reports, the simulated call outcomes (shares
    of calls within the promise, within 24 h, fixed on the first visit), the
    parts availability and fill rate, whether every depot's availability
    target was met, and the GB/T 27922 self-assessment, if any.
    """


@hookspec
def planner_export_formats() -> Sequence[ExportFormat]:
    """Return the export formats this plugin provides.

    Called once, when the export registry is built. A format
    (:class:`planner.export.ExportFormat`) names itself (``name``, file
    ``suffix``) and writes a report to a path; two formats of the same name
    are an error naming both plugins.
    """
