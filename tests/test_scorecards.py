"""Scenario scorecards: the KPI card, complaint handling, the GB/T 27922 self-assessment,
the hook's facade, and the self-assessment file loader. Expectations are computed by hand."""

from __future__ import annotations

import pytest

from planner import actions, hookimpl
from planner.models.assessment import SelfAssessment
from planner.models.profiles import ComplaintLimits, CustomerCare, KpiWeights
from planner.models.report import PlanReport, Scorecard, ScoreLine
from planner.models.scenario import CallOutcomes, ScenarioFacts
from planner.plugins import load_plugins
from planner.profiles import (
    ProfileError,
    bundled_path,
    load_self_assessment,
    load_strategy,
    validate_files,
)
from planner.scorecards import (
    complaint_card,
    derived_answers,
    kpi_card,
    load_indicator_tree,
    satisfaction_cells,
    self_assessment_card,
    self_assessment_score,
)

# The ten items the plan does not answer, with their points (data file, illustrative).
FILE_ITEMS = {
    "organisation": 5,
    "staffing": 7,
    "norms": 6,
    "supervision": 5,
    "improvement": 5,
    "service_culture": 4,
    "product_information": 4,
    "delivery": 5,
    "quality_assurance": 6,
    "take_back": 2,
}
# The five the plan answers: resources 8, repair 10, technical support 8, customer
# relations 12, complaint handling 13 = 51 points.
DERIVED_ITEMS = {
    "resources": 8,
    "repair": 10,
    "technical_support": 8,
    "customer_relations": 12,
    "complaint_handling": 13,
}


@pytest.fixture(scope="module")
def host():
    return load_plugins(entry_points=False)


@pytest.fixture(scope="module")
def report(host) -> PlanReport:
    return actions.plan(host, "excavator").report


@pytest.fixture(scope="module")
def strategy():
    return load_strategy(bundled_path("strategy.toml"))


def outcomes(
    within_promise=0.9, within_24h=0.97, first_visit_fix=0.85, promise_and_fixed=0.8
) -> CallOutcomes:
    return CallOutcomes(
        calls=1000.0,
        within_promise=within_promise,
        within_24h=within_24h,
        first_visit_fix=first_visit_fix,
        promise_and_fixed=promise_and_fixed,
        mean_onsite_hours=5.0,
    )


def facts_of(strategy, reports, *, out=None, met=True, assessment=None) -> ScenarioFacts:
    return ScenarioFacts(
        scenario="test",
        strategy=strategy,
        reports=tuple(reports),
        outcomes=out or outcomes(),
        availability=0.99,
        fill_rate=0.92,
        availability_targets_met=met,
        self_assessment=assessment,
    )


def assessment(answers=None, **kw) -> SelfAssessment:
    full = {item: 1.0 for item in FILE_ITEMS}
    full.update(answers or {})
    return SelfAssessment(name="test", answers=full, **kw)


def line(card: Scorecard, metric: str) -> ScoreLine:
    (found,) = [ln for ln in card.lines if ln.metric == metric]
    return found


# --------------------------------------------------------------------------- KPI card


def test_satisfaction_cells_and_mean_by_hand():
    cells = satisfaction_cells(outcomes())
    # 0.8 in time and fixed; 0.9 − 0.8 in time not fixed; 0.85 − 0.8 late fixed; the rest.
    assert cells == pytest.approx((0.8, 0.1, 0.05, 0.05))
    assert cells.mean == pytest.approx(5 * 0.8 + 4 * 0.1 + 3 * 0.05 + 2 * 0.05)  # 4.65
    assert cells.satisfied == pytest.approx(0.9)  # scoring 4 or 5


def test_contradicting_outcomes_are_refused():
    with pytest.raises(ValueError, match="contradict"):
        satisfaction_cells(outcomes(within_promise=0.7, promise_and_fixed=0.8))


def test_kpi_card_weights_and_points_by_hand(strategy, report):
    card = kpi_card(facts_of(strategy, [report]))
    assert line(card, "customer satisfaction, mean (illustrative model)").value == pytest.approx(
        4.65
    )
    assert line(card, "customer satisfaction, mean (illustrative model)").unit == "1-5"
    year1 = line(card, "satisfied customers (4 or more), year-1 target")
    assert (year1.value, year1.target, year1.unit, year1.met) == (
        pytest.approx(0.9),
        0.95,
        "share",
        False,
    )
    assert line(card, "satisfied customers (4 or more), year-2 target").target == 0.97
    assert line(card, "satisfied customers (4 or more), year-3 target").target == 0.98
    assert line(card, "response within 24 h").target == 1.0
    assert line(card, "resolution rate (first-visit fix)").target == 0.90
    sat = 40 * 0.9 / 0.95  # 37.894736...
    resp = 30 * 0.97  # 29.1
    res = 30 * 0.85 / 0.90  # 28.333...
    assert line(card, "customer satisfaction, weighted (40%)").value == pytest.approx(sat)
    assert line(card, "customer satisfaction, weighted (40%)").target == pytest.approx(40)
    assert line(card, "response within 24 h, weighted (30%)").value == pytest.approx(resp)
    assert line(card, "resolution rate, weighted (30%)").value == pytest.approx(res)
    total = line(card, "KPI score")
    assert (total.value, total.unit) == (pytest.approx(sat + resp + res), "points")
    assert total.value == pytest.approx(95.328070175)


def test_kpi_card_caps_each_kpi_at_its_target(strategy, report):
    out = outcomes(
        within_promise=0.99, within_24h=1.0, first_visit_fix=0.96, promise_and_fixed=0.95
    )
    card = kpi_card(facts_of(strategy, [report], out=out))
    # 0.96 fixed is above the 0.90 target: 30 points, not 32; 0.99 satisfied ≥ 0.95: 40.
    assert line(card, "resolution rate, weighted (30%)").value == pytest.approx(30.0)
    assert line(card, "customer satisfaction, weighted (40%)").value == pytest.approx(40.0)
    assert line(card, "KPI score").value == pytest.approx(100.0)
    assert line(card, "KPI score").met


def test_kpi_card_uses_the_strategy_weights(strategy, report):
    weighted = strategy.model_copy(
        update={"kpi_weights": KpiWeights(satisfaction=0.5, response=0.2, resolution=0.3)}
    )
    card = kpi_card(facts_of(weighted, [report]))
    expected = 50 * 0.9 / 0.95 + 20 * 0.97 + 30 * 0.85 / 0.90
    assert line(card, "KPI score").value == pytest.approx(expected)
    assert line(card, "customer satisfaction, weighted (50%)").target == pytest.approx(50)


# --------------------------------------------------------------------------- complaint card


def test_complaint_card_against_the_standard(strategy):
    card = complaint_card(strategy)
    assert card.name == "Complaint handling"
    limits = [ln for ln in card.lines if ln.metric.startswith("complaint limit")]
    assert [(ln.value, ln.target, ln.unit) for ln in limits] == [
        (24.0, 24.0, "h"),
        (48.0, 48.0, "h"),
        (72.0, 72.0, "h"),
    ]
    assert all(not ln.higher_is_better and ln.met for ln in limits)
    assert line(card, "satisfaction surveys a year").target == 2.0
    assert line(card, "service reviews a year").met


def test_complaint_card_flags_slow_limits_and_rare_contacts(strategy):
    slack = strategy.model_copy(
        update={
            "complaint_limits": ComplaintLimits(quality_hours=60.0),
            "customer_care": CustomerCare(surveys_per_year=1.0),
        }
    )
    card = complaint_card(slack)
    assert line(card, "complaint limit, product quality").met is False
    assert line(card, "complaint limit, service attitude").met is True
    assert line(card, "complaint limit, other").met is True
    assert line(card, "satisfaction surveys a year").met is False
    assert line(card, "service reviews a year").met is True


# --------------------------------------------------------------------------- the tree


def test_indicator_tree_points():
    tree = load_indicator_tree()
    assert tree.standard == "GB/T 27922-2011" and tree.total == 100
    assert [(i.id, i.points) for i in tree.indicators] == [
        ("service_system", 40),
        ("product_service", 35),
        ("customer_service", 25),
    ]
    points = {item.id: item.points for ind in tree.indicators for item in ind.items}
    assert points == {**FILE_ITEMS, **DERIVED_ITEMS}
    assert len(tree.item_ids()) == 15


@pytest.mark.parametrize(
    "score, grade",
    [
        (100.0, "five-star"),
        (95.0, "five-star"),
        (94.999, "four-star"),
        (90.0, "four-star"),
        (89.999, "three-star"),
        (80.0, "three-star"),
        (79.999, "compliant"),
        (70.0, "compliant"),
        (69.999, "below compliant"),
        (0.0, "below compliant"),
    ],
)
def test_grade_thresholds(score, grade):
    assert load_indicator_tree().grade(score) == grade


# --------------------------------------------------------------------------- GB/T score


def test_everything_earned_is_100_five_star(strategy, report):
    result = self_assessment_score(facts_of(strategy, [report], assessment=assessment()))
    assert (result.earned, result.applicable, result.score) == (100.0, 100.0, 100.0)
    assert result.grade == "five-star"
    assert result.unanswered == () and result.excluded == ()
    basis = {row.item: row.basis for row in result.rows}
    assert {k for k, v in basis.items() if v == "plan"} == set(DERIVED_ITEMS)
    assert {k for k, v in basis.items() if v == "file"} == set(FILE_ITEMS)


def test_excluded_items_leave_the_denominator(strategy, report):
    answers = {"take_back": "excluded", "organisation": "excluded", "staffing": 0.5}
    result = self_assessment_score(facts_of(strategy, [report], assessment=assessment(answers)))
    # applicable 100 − 2 − 5 = 93; earned 93 − 7 × 0.5 = 89.5; 89.5 / 93 × 100.
    assert result.applicable == pytest.approx(93.0)
    assert result.earned == pytest.approx(89.5)
    assert result.score == pytest.approx(96.23655913978494)
    assert result.grade == "five-star"
    assert result.excluded == ("organisation", "take_back")
    rows = {row.item: row for row in result.rows}
    assert rows["take_back"].share is None and not rows["take_back"].applicable
    system = result.indicators[0]
    assert (system.points, system.applicable, system.earned) == (40, 35, pytest.approx(31.5))


def test_file_excludes_a_derived_item_and_caps_another(strategy, report):
    answers = {"repair": "excluded", "resources": 0.5}
    result = self_assessment_score(facts_of(strategy, [report], assessment=assessment(answers)))
    rows = {row.item: row for row in result.rows}
    assert rows["repair"].basis == "excluded"
    assert (rows["resources"].basis, rows["resources"].earned) == ("plan and file", 4.0)
    # applicable 90; earned 90 − 4.
    assert result.score == pytest.approx(86 / 90 * 100)
    # the plan missing the parts target: min(0, 0.5) = 0.
    missed = self_assessment_score(
        facts_of(strategy, [report], met=False, assessment=assessment(answers))
    )
    assert {r.item: r.earned for r in missed.rows}["resources"] == 0.0


@pytest.mark.parametrize(
    "deductions, bonus, score, grade",
    [
        (5, False, 95.0, "five-star"),
        (6, False, 94.0, "four-star"),
        (10, False, 90.0, "four-star"),
        (11, False, 89.0, "three-star"),
        (20, False, 80.0, "three-star"),
        (21, False, 79.0, "compliant"),
        (30, False, 70.0, "compliant"),
        (31, False, 69.0, "below compliant"),
        (6, True, 95.0, "five-star"),
        (0, True, 100.0, "five-star"),  # clamped: 100 + 1
        (100, True, 1.0, "below compliant"),
        (100, False, 0.0, "below compliant"),
    ],
)
def test_deductions_and_the_single_bonus(strategy, report, deductions, bonus, score, grade):
    result = self_assessment_score(
        facts_of(strategy, [report], assessment=assessment(deductions=deductions, bonus=bonus))
    )
    assert (result.score, result.grade) == (pytest.approx(score), grade)
    assert (result.deductions, result.bonus) == (deductions, int(bonus))


def test_a_computed_score_of_exactly_90_is_four_star(strategy, report):
    answers = {item: 0.9 for item in {**FILE_ITEMS, **DERIVED_ITEMS}}
    result = self_assessment_score(
        facts_of(strategy, [report], assessment=SelfAssessment(name="t", answers=answers))
    )
    assert result.score == pytest.approx(90.0)
    assert result.grade == "four-star"


def test_bonus_is_one_point_at_most():
    with pytest.raises(ValueError):
        SelfAssessment(name="t", bonus=2)


def test_unanswered_items_score_zero_and_are_listed(strategy, report):
    result = self_assessment_score(facts_of(strategy, [report]))
    assert set(result.unanswered) == set(FILE_ITEMS)
    assert result.score == pytest.approx(51.0)  # the derived items' points of 100
    assert result.grade == "below compliant"
    card = self_assessment_card(facts_of(strategy, [report]))
    assert line(card, "items unanswered").value == 10
    assert line(card, "items unanswered").met is False


def _without(report: PlanReport, *, substitute: bool, training: str) -> PlanReport:
    """The report with substitute equipment set to ``substitute`` everywhere and its
    training offers dropped (``"drop"``) or renamed to an id without the word (``"rename"``)."""
    regions = []
    for rp in report.regions:
        plan = rp.plan
        emergency = plan.posture.emergency.model_copy(update={"substitute_equipment": substitute})
        items = []
        for item in plan.value_added.items:
            if "training" in item.id:
                if training == "drop":
                    continue
                item = item.model_copy(update={"id": "offer-operator-course"})
            items.append(item)
        plan = plan.model_copy(
            update={
                "posture": plan.posture.model_copy(update={"emergency": emergency}),
                "value_added": plan.value_added.model_copy(update={"items": tuple(items)}),
            }
        )
        regions.append(rp.model_copy(update={"plan": plan}))
    return report.model_copy(update={"regions": tuple(regions)})


def test_derived_answers_from_the_plan(strategy, report):
    derived = derived_answers(facts_of(strategy, [report]))
    assert {k: v.share for k, v in derived.items()} == dict.fromkeys(DERIVED_ITEMS, 1.0)
    assert "offer-operator_training" in derived["technical_support"].reason


def test_derived_answers_from_a_constructed_report(strategy, report):
    bare = _without(report, substitute=False, training="drop")
    slack = strategy.model_copy(
        update={
            "complaint_limits": ComplaintLimits(quality_hours=60.0),
            "customer_care": CustomerCare(reviews_per_year=1.0),
        }
    )
    derived = derived_answers(facts_of(slack, [bare], met=False))
    assert {k: v.share for k, v in derived.items()} == {
        "resources": 0.0,
        "repair": 0.0,
        "technical_support": 0.0,
        "complaint_handling": pytest.approx(2 / 3),
        "customer_relations": 0.5,
    }
    result = self_assessment_score(facts_of(slack, [bare], met=False, assessment=assessment()))
    # file items 49 + complaint 13 × 2/3 + relations 12 × 0.5 of 100.
    assert result.score == pytest.approx(49 + 13 * 2 / 3 + 6)
    # an offer named for training but with another id still counts
    renamed = _without(report, substitute=True, training="rename")
    assert derived_answers(facts_of(strategy, [renamed]))["technical_support"].share == 1.0


def test_without_reports_repair_and_support_are_not_derived(strategy):
    derived = derived_answers(facts_of(strategy, []))
    assert "repair" not in derived and "technical_support" not in derived
    result = self_assessment_score(facts_of(strategy, [], assessment=assessment()))
    assert set(result.unanswered) == {"repair", "technical_support"}


# --------------------------------------------------------------------------- the hook


class BrokenScenarioCards:
    @hookimpl
    def planner_scenario_scorecards(self, facts):
        raise RuntimeError("no data")


class ExtraScenarioCard:
    @hookimpl
    def planner_scenario_scorecards(self, facts):
        return [
            Scorecard(name="Extra", lines=(ScoreLine(metric="calls", value=facts.outcomes.calls),))
        ]


def test_built_in_scenario_cards_carry_their_plugin(host, strategy, report):
    cards = host.scenario_scorecards(facts_of(strategy, [report]))
    assert [(c.name, c.source) for c in cards] == [
        ("Service KPIs", "scorecards"),
        ("Complaint handling", "scorecards"),
        ("GB/T 27922-2011 self-assessment", "scorecards"),
    ]


def test_a_failing_scenario_plugin_is_named_and_the_others_run(strategy, report):
    host = load_plugins(
        entry_points=False,
        extra=[("broken", BrokenScenarioCards()), ("extra", ExtraScenarioCard())],
    )
    cards = host.scenario_scorecards(facts_of(strategy, [report]))
    assert [(c.name, c.source) for c in cards] == [
        ("Service KPIs", "scorecards"),
        ("Complaint handling", "scorecards"),
        ("GB/T 27922-2011 self-assessment", "scorecards"),
        ("Extra", "extra"),
    ]
    assert any(
        p.startswith("plugin 'broken' failed in planner_scenario_scorecards: RuntimeError: no data")
        for p in host.problems
    )


# --------------------------------------------------------------------------- the file


def test_bundled_self_assessment_validates_and_completes_the_plan(strategy, report):
    path = bundled_path("self_assessment.toml")
    assert validate_files([path], known_products=()) == []
    sa = load_self_assessment(path)
    result = self_assessment_score(facts_of(strategy, [report], assessment=sa))
    assert result.unanswered == ()
    assert set(sa.answers) <= set(FILE_ITEMS)  # it answers only what the plan cannot


def test_unknown_item_id_names_file_field_and_value(tmp_path):
    path = tmp_path / "sa.toml"
    path.write_text('kind = "self_assessment"\nname = "x"\n[answers]\nstaff = 0.5\n')
    with pytest.raises(ProfileError) as err:
        load_self_assessment(path)
    (problem,) = err.value.problems
    assert problem.startswith(f"{path}: answers.staff: not an item of GB/T 27922-2011 (got 'staff'")
    assert "staffing" in problem  # the known items are listed


@pytest.mark.parametrize("value", ["1.5", "-0.1", '"maybe"', "true"])
def test_share_out_of_range_is_one_line(tmp_path, value):
    path = tmp_path / "sa.toml"
    path.write_text(f'kind = "self_assessment"\nname = "x"\n[answers]\nstaffing = {value}\n')
    with pytest.raises(ProfileError) as err:
        load_self_assessment(path)
    (problem,) = err.value.problems
    assert problem.startswith(
        f"{path}: answers.staffing: a share of the item's points earned, 0..1, or 'excluded' (got "
    )


def test_yaml_with_python_tags_is_refused(tmp_path):
    path = tmp_path / "sa.yaml"
    path.write_text(
        "kind: self_assessment\nname: x\nanswers: !!python/object/apply:os.system ['echo hi']\n"
    )
    with pytest.raises(ProfileError) as err:
        load_self_assessment(path)
    assert err.value.problems[0].startswith(f"{path}: invalid or unsafe YAML: ")


def test_yaml_and_json_self_assessments_load(tmp_path):
    yml = tmp_path / "sa.yaml"
    yml.write_text("kind: self_assessment\nname: x\nanswers:\n  take_back: excluded\n")
    assert load_self_assessment(yml).answers == {"take_back": "excluded"}
    js = tmp_path / "sa.json"
    js.write_text('{"kind": "self_assessment", "name": "x", "answers": {"delivery": 1}}')
    assert load_self_assessment(js).answers == {"delivery": 1.0}


def test_another_kind_is_refused_by_the_loader():
    path = bundled_path("strategy.toml")
    with pytest.raises(ProfileError) as err:
        load_self_assessment(path)
    assert err.value.problems == [
        f"{path}: kind: this option takes a self_assessment profile (got 'strategy')"
    ]


def test_the_budget_card_compares_cost_and_stock_with_the_strategys_budgets(strategy, report):
    from planner.scorecards import budget_card

    assert (strategy.budget.service, strategy.budget.spares) == (9.0e8, 2.5e8)
    facts = facts_of(strategy, [report]).model_copy(
        update={"cost": 5.0e8, "revenue": 1.0e8, "investment": 3.0e8}
    )
    card = budget_card(facts)
    assert card is not None and card.name == "Scenario budget"
    lines = {line.metric: line for line in card.lines}
    cost = lines["annual cost (network, parts used, holding)"]
    assert (cost.value, cost.target, cost.met) == (5.0e8, 9.0e8, True)
    net = lines["net cost (cost minus revenue)"]
    assert net.value == 5.0e8 - 1.0e8
    stock = lines["parts stock value"]
    assert (stock.value, stock.target, stock.met) == (3.0e8, 2.5e8, False)
    assert budget_card(facts.model_copy(update={"cost": None})) is None
