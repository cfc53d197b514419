"""Built-in scorecards of a scenario run: service KPIs, complaint handling, GB/T 27922.

Registered as a built-in plugin through ``planner_scenario_scorecards``, called once
per scenario run after the simulation with the run's :class:`ScenarioFacts`. Each card
is a function of the facts, public so that the app can show the figures behind it:

- *Service KPIs* (:func:`kpi_card`): customer satisfaction, response within 24 h and
  resolution rate, weighted by ``strategy.kpi_weights`` (40/30/30 %).

  - Response: the share of simulated calls on site within 24 h
    (``outcomes.within_24h``) against 1.0, the reply standard being every call.
  - Resolution: the first-visit fix rate (``outcomes.first_visit_fix``) against 0.90.
  - Satisfaction, an ILLUSTRATIVE model (no survey data is simulated): each call scores
    on the 1-5 scale by what happened to it: within the on-site promise and fixed on
    the first visit 5, within the promise but not fixed 4, late but fixed 3, late and
    not fixed 2 (:data:`SATISFACTION_SCORES`). The four shares of calls are derived
    from the outcomes (:func:`satisfaction_cells`): ``promise_and_fixed``,
    ``within_promise − promise_and_fixed``, ``first_visit_fix − promise_and_fixed``
    and the rest. The card shows the mean score and the *satisfied* share (scoring
    4 or more, so the calls within the promise) against the year-1 target
    ``strategy.targets.satisfaction_by_year[0]`` (95 %); the later years' targets
    (97 %, 98 %) are shown against the same share.
  - Weighted score, 0-100 points: ``Σ weight × min(1, achieved ÷ target) × 100``
    over the three KPIs (satisfaction measured by the satisfied share against the
    year-1 target): a KPI at or above its target earns its full weight, one below
    it earns in proportion, and exceeding one target never makes up for another.

- *Complaint handling* (:func:`complaint_card`): the strategy's complaint limits
  (service attitude, product quality, other) against the service standard's 24 / 48 /
  72 h (at most), and the satisfaction surveys and service reviews a year against 2
  (half-yearly, at least).

- *GB/T 27922 self-assessment* (:func:`self_assessment_card`, from
  :func:`self_assessment_score`): the indicator tree of ``planner/data/gbt27922.toml``
  (:func:`load_indicator_tree`) answered partly by the plan (:func:`derived_answers`)
  and partly by the self-assessment file (``facts.self_assessment``):

  - Derived from the plan, each a share in [0, 1] of the item's points:
    ``resources`` 1 if every depot's parts availability target is met
    (``facts.availability_targets_met``), else 0; ``repair`` 1 if any region's plan
    offers substitute equipment (``posture.emergency.substitute_equipment``), else 0;
    ``technical_support`` 1 if any plan has a value-added item whose id or name
    mentions training, else 0; ``complaint_handling`` the share of the three
    complaint limits within the standard's; ``customer_relations`` the share of the
    two contacts (surveys, reviews) at least half-yearly
    (``strategy.customer_care``). Repair and technical support need plan reports;
    without any they are not derived.
  - The file answers by item id: a share of the points earned, or ``"excluded"``.
  - Both for one item: ``"excluded"`` in the file excludes it (whether an item
    applies is the assessor's call); a share combines with the derived one as the
    smaller of the two, since the plan shows only part of what the item asks (the
    parts of *resources*, not the buildings) and the item earns no more than
    either allows.
  - Neither: the item scores 0 and is listed as unanswered.
  - Score = points earned ÷ points of the applicable (not excluded) items × 100,
    minus the special deductions (1 each), plus the bonus (at most 1), clamped to
    [0, 100]. Grades: ≥ 95 five-star, ≥ 90 four-star, ≥ 80 three-star, ≥ 70
    compliant, else below compliant (the thresholds are in the data file).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from planner.hookspecs import hookimpl
from planner.models.assessment import (
    EXCLUDED,
    AssessmentRow,
    AssessmentScore,
    IndicatorScore,
    IndicatorTree,
    load_indicator_tree,
)
from planner.models.profiles import Strategy
from planner.models.report import PlanReport, Scorecard, ScoreLine

if TYPE_CHECKING:
    from planner.models.scenario import CallOutcomes, ScenarioFacts

__all__ = [
    "COMPLAINT_STANDARD_HOURS",
    "CONTACTS_STANDARD_PER_YEAR",
    "RESOLUTION_TARGET",
    "RESPONSE_TARGET",
    "SATISFACTION_SCORES",
    "Evidence",
    "SatisfactionCells",
    "complaint_card",
    "derived_answers",
    "kpi_card",
    "kpi_score",
    "load_indicator_tree",
    "planner_scenario_scorecards",
    "satisfaction_cells",
    "self_assessment_card",
    "self_assessment_score",
]

#: Share of calls on site within 24 h the response KPI aims at (reply standard: every call).
RESPONSE_TARGET = 1.0
#: Resolution rate (first-visit fix) the resolution KPI aims at.
RESOLUTION_TARGET = 0.90
#: [illustrative] satisfaction score (1-5) of a call: (within promise, fixed first visit).
SATISFACTION_SCORES = {
    (True, True): 5.0,
    (True, False): 4.0,
    (False, True): 3.0,
    (False, False): 2.0,
}
#: A call scoring this or more counts as satisfied.
SATISFIED_FROM = 4.0
#: The service standard's complaint handling limits, hours (at most).
COMPLAINT_STANDARD_HOURS = {"attitude": 24.0, "quality": 48.0, "other": 72.0}
COMPLAINT_LABELS = {"attitude": "service attitude", "quality": "product quality", "other": "other"}
#: Satisfaction surveys and service reviews a year the standard asks (half-yearly).
CONTACTS_STANDARD_PER_YEAR = 2.0
_TOLERANCE = 1e-9


@hookimpl
def planner_scenario_scorecards(facts: ScenarioFacts) -> list[Scorecard]:
    cards = [kpi_card(facts), complaint_card(facts.strategy), self_assessment_card(facts)]
    budget = budget_card(facts)
    return cards if budget is None else [budget, *cards]


# --------------------------------------------------------------------------- budget


def budget_card(facts: ScenarioFacts) -> Scorecard | None:
    """The scenario's annual cost against the strategy's service budget and its parts stock
    against the spare-parts budget (None when the run gives no cost)."""
    if facts.cost is None:
        return None
    budget = facts.strategy.budget
    lines = [
        ScoreLine(
            metric="annual cost (network, parts used, holding)",
            value=facts.cost,
            target=budget.service,
            unit="CNY",
            higher_is_better=False,
        )
    ]
    if facts.revenue is not None:
        lines.append(
            ScoreLine(
                metric="net cost (cost minus revenue)",
                value=facts.cost - facts.revenue,
                target=budget.service,
                unit="CNY",
                higher_is_better=False,
            )
        )
    if facts.investment is not None:
        lines.append(
            ScoreLine(
                metric="parts stock value",
                value=facts.investment,
                target=budget.spares,
                unit="CNY",
                higher_is_better=False,
            )
        )
    return Scorecard(name="Scenario budget", lines=tuple(lines))


# --------------------------------------------------------------------------- service KPIs


class SatisfactionCells(NamedTuple):
    """Shares of calls by what happened to them, and the illustrative satisfaction model."""

    in_time_fixed: float
    in_time_not_fixed: float
    late_fixed: float
    late_not_fixed: float

    @property
    def mean(self) -> float:
        """Mean satisfaction score on the 1-5 scale."""
        return sum(share * SATISFACTION_SCORES[key] for key, share in self._keyed())

    @property
    def satisfied(self) -> float:
        """Share of calls scoring :data:`SATISFIED_FROM` or more."""
        return sum(
            share for key, share in self._keyed() if SATISFACTION_SCORES[key] >= SATISFIED_FROM
        )

    def _keyed(self) -> Iterable[tuple[tuple[bool, bool], float]]:
        keys = ((True, True), (True, False), (False, True), (False, False))
        return zip(keys, self, strict=True)


def satisfaction_cells(outcomes: CallOutcomes) -> SatisfactionCells:
    """The four shares of calls (in time or late × fixed or not) from the call outcomes.

    Raises :class:`ValueError` if the outcomes contradict each other (more calls within
    the promise and fixed than within the promise, or than fixed).
    """
    both = outcomes.promise_and_fixed
    cells = (
        both,
        outcomes.within_promise - both,
        outcomes.first_visit_fix - both,
        1.0 - outcomes.within_promise - outcomes.first_visit_fix + both,
    )
    if min(cells) < -_TOLERANCE:
        raise ValueError(
            "call outcomes contradict each other: within_promise "
            f"{outcomes.within_promise}, first_visit_fix {outcomes.first_visit_fix}, "
            f"promise_and_fixed {both}"
        )
    return SatisfactionCells(*(max(0.0, c) for c in cells))


def kpi_score(strategy: Strategy, achieved: dict[str, tuple[float, float]]) -> dict[str, float]:
    """Points of each KPI: ``weight × min(1, achieved ÷ target) × 100``, and their ``total``.

    ``achieved`` maps ``satisfaction``, ``response`` and ``resolution`` to
    ``(achieved, target)``; a target of 0 is met by anything.
    """
    weights = strategy.kpi_weights
    points = {}
    for name, (value, target) in achieved.items():
        ratio = 1.0 if target <= 0 else min(1.0, value / target)
        points[name] = getattr(weights, name) * ratio * 100.0
    points["total"] = sum(points.values())
    return points


def kpi_card(facts: ScenarioFacts) -> Scorecard:
    """The service KPI card: satisfaction (illustrative model), response, resolution."""
    strategy = facts.strategy
    outcomes = facts.outcomes
    cells = satisfaction_cells(outcomes)
    by_year = strategy.targets.satisfaction_by_year
    achieved = {
        "satisfaction": (cells.satisfied, by_year[0]),
        "response": (outcomes.within_24h, RESPONSE_TARGET),
        "resolution": (outcomes.first_visit_fix, RESOLUTION_TARGET),
    }
    points = kpi_score(strategy, achieved)
    weights = strategy.kpi_weights
    labels = {
        "satisfaction": "customer satisfaction",
        "response": "response within 24 h",
        "resolution": "resolution rate",
    }
    return Scorecard(
        name="Service KPIs",
        lines=(
            ScoreLine(
                metric="calls within the promise, fixed first visit (5)",
                value=cells[0],
                unit="share",
            ),
            ScoreLine(
                metric="calls within the promise, not fixed (4)", value=cells[1], unit="share"
            ),
            ScoreLine(metric="calls late, fixed first visit (3)", value=cells[2], unit="share"),
            ScoreLine(metric="calls late, not fixed (2)", value=cells[3], unit="share"),
            ScoreLine(
                metric="customer satisfaction, mean (illustrative model)",
                value=cells.mean,
                unit="1-5",
            ),
            *(
                ScoreLine(
                    metric=f"satisfied customers (4 or more), year-{year} target",
                    value=cells.satisfied,
                    target=target,
                    unit="share",
                )
                for year, target in enumerate(by_year[:3], start=1)
            ),
            ScoreLine(
                metric="response within 24 h",
                value=outcomes.within_24h,
                target=RESPONSE_TARGET,
                unit="share",
            ),
            ScoreLine(
                metric="resolution rate (first-visit fix)",
                value=outcomes.first_visit_fix,
                target=RESOLUTION_TARGET,
                unit="share",
            ),
            *(
                ScoreLine(
                    metric=f"{labels[name]}, weighted ({getattr(weights, name):.0%})",
                    value=points[name],
                    target=getattr(weights, name) * 100.0,
                    unit="points",
                )
                for name in ("satisfaction", "response", "resolution")
            ),
            ScoreLine(metric="KPI score", value=points["total"], target=100.0, unit="points"),
        ),
    )


# --------------------------------------------------------------------------- complaints


def complaint_card(strategy: Strategy) -> Scorecard:
    """The strategy's complaint limits and customer contacts against the service standard."""
    limits = strategy.complaint_limits
    care = strategy.customer_care
    return Scorecard(
        name="Complaint handling",
        lines=(
            *(
                ScoreLine(
                    metric=f"complaint limit, {COMPLAINT_LABELS[kind]}",
                    value=getattr(limits, f"{kind}_hours"),
                    target=standard,
                    unit="h",
                    higher_is_better=False,
                )
                for kind, standard in COMPLAINT_STANDARD_HOURS.items()
            ),
            ScoreLine(
                metric="satisfaction surveys a year",
                value=care.surveys_per_year,
                target=CONTACTS_STANDARD_PER_YEAR,
                unit="/yr",
            ),
            ScoreLine(
                metric="service reviews a year",
                value=care.reviews_per_year,
                target=CONTACTS_STANDARD_PER_YEAR,
                unit="/yr",
            ),
        ),
    )


# --------------------------------------------------------------------------- GB/T 27922


class Evidence(NamedTuple):
    """A derived answer: the share of the item's points the plan earns, and why."""

    share: float
    reason: str


def _training_offered(reports: Iterable[PlanReport]) -> list[str]:
    found = []
    for report in reports:
        for rp in report.regions:
            for item in rp.plan.value_added.items:
                if "training" in item.id.lower() or "training" in item.name.lower():
                    found.append(f"{report.product}/{rp.plan.region}: {item.id}")
    return found


def derived_answers(facts: ScenarioFacts) -> dict[str, Evidence]:
    """The items the plan answers itself, by item id (see the module docstring)."""
    out: dict[str, Evidence] = {}
    met = facts.availability_targets_met
    out["resources"] = Evidence(
        1.0 if met else 0.0,
        "every depot's parts availability target met"
        if met
        else "a depot misses its parts availability target",
    )
    regions = [(r.product, rp.plan) for r in facts.reports for rp in r.regions]
    if regions:
        substitute = [
            f"{p}/{plan.region}"
            for p, plan in regions
            if plan.posture.emergency.substitute_equipment
        ]
        out["repair"] = Evidence(
            1.0 if substitute else 0.0,
            f"substitute equipment offered in {len(substitute)} of {len(regions)} region plans"
            if substitute
            else "no region plan offers substitute equipment",
        )
        training = _training_offered(facts.reports)
        out["technical_support"] = Evidence(
            1.0 if training else 0.0,
            f"training offered as a value-added item ({training[0]}"
            + (f" and {len(training) - 1} more)" if len(training) > 1 else ")")
            if training
            else "no value-added item offers training",
        )
    limits = facts.strategy.complaint_limits
    within = [
        kind
        for kind, standard in COMPLAINT_STANDARD_HOURS.items()
        if getattr(limits, f"{kind}_hours") <= standard + _TOLERANCE
    ]
    out["complaint_handling"] = Evidence(
        len(within) / len(COMPLAINT_STANDARD_HOURS),
        f"{len(within)} of {len(COMPLAINT_STANDARD_HOURS)} complaint limits within the "
        "standard's 24 / 48 / 72 h",
    )
    care = facts.strategy.customer_care
    contacts = {"surveys": care.surveys_per_year, "reviews": care.reviews_per_year}
    often = [k for k, v in contacts.items() if v >= CONTACTS_STANDARD_PER_YEAR - _TOLERANCE]
    out["customer_relations"] = Evidence(
        len(often) / len(contacts),
        f"at least half-yearly: {', '.join(often) or 'neither surveys nor reviews'}",
    )
    return out


def self_assessment_score(
    facts: ScenarioFacts, tree: IndicatorTree | None = None
) -> AssessmentScore:
    """The GB/T 27922 self-assessment of the run: derived answers, the file's, the score.

    ``tree`` defaults to the bundled indicator tree (:func:`load_indicator_tree`).
    """
    tree = tree or load_indicator_tree()
    derived = derived_answers(facts)
    assessment = facts.self_assessment
    answers = dict(assessment.answers) if assessment is not None else {}
    rows: list[AssessmentRow] = []
    groups: list[IndicatorScore] = []
    for indicator in tree.indicators:
        group_rows = []
        for item in indicator.items:
            evidence = derived.get(item.id)
            given = answers.get(item.id)
            reason = evidence.reason if evidence is not None else ""
            if given == EXCLUDED:
                share, basis = None, "excluded"
            elif evidence is not None and given is not None:
                share, basis = min(evidence.share, float(given)), "plan and file"
            elif evidence is not None:
                share, basis = evidence.share, "plan"
            elif given is not None:
                share, basis = float(given), "file"
            else:
                share, basis = 0.0, "unanswered"
            group_rows.append(
                AssessmentRow(
                    indicator=indicator.id,
                    item=item.id,
                    name=item.name,
                    points=item.points,
                    share=share,
                    earned=0.0 if share is None else share * item.points,
                    applicable=share is not None,
                    basis=basis,
                    evidence=reason,
                )
            )
        rows.extend(group_rows)
        groups.append(
            IndicatorScore(
                id=indicator.id,
                name=indicator.name,
                points=indicator.points,
                applicable=sum(r.points for r in group_rows if r.applicable),
                earned=sum(r.earned for r in group_rows),
            )
        )
    earned = sum(r.earned for r in rows)
    applicable = sum(r.points for r in rows if r.applicable)
    base = earned / applicable * 100.0 if applicable > 0 else 0.0
    deductions = assessment.deductions if assessment is not None else 0
    bonus = 1 if assessment is not None and assessment.bonus else 0
    score = min(100.0, max(0.0, base - deductions + bonus))
    return AssessmentScore(
        standard=tree.standard,
        rows=tuple(rows),
        indicators=tuple(groups),
        earned=earned,
        applicable=applicable,
        base=base,
        deductions=deductions,
        bonus=bonus,
        score=score,
        grade=tree.grade(score),
        unanswered=tuple(r.item for r in rows if r.basis == "unanswered"),
        excluded=tuple(r.item for r in rows if r.basis == "excluded"),
    )


def self_assessment_card(facts: ScenarioFacts) -> Scorecard:
    """The GB/T 27922 card: the score and grade, each level-1 indicator, what is missing."""
    result = self_assessment_score(facts)
    compliant = load_indicator_tree().grades.compliant
    return Scorecard(
        name=f"{result.standard} self-assessment",
        lines=(
            ScoreLine(
                metric=f"score, grade {result.grade}",
                value=result.score,
                target=compliant,
                unit="points",
            ),
            *(
                ScoreLine(
                    metric=f"{group.name}: points earned of {group.applicable:g} applicable",
                    value=group.earned,
                    target=group.applicable,
                    unit="points",
                )
                for group in result.indicators
            ),
            ScoreLine(metric="special deductions", value=result.deductions, unit="points"),
            ScoreLine(metric="bonus", value=result.bonus, unit="points"),
            ScoreLine(
                metric="items unanswered",
                value=len(result.unanswered),
                target=0,
                unit="items",
                higher_is_better=False,
            ),
            ScoreLine(metric="items excluded", value=len(result.excluded), unit="items"),
        ),
    )
