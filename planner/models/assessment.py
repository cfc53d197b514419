"""A self-assessment against the GB/T 27922-2011 after-sales service evaluation.

The indicator tree and its points live in a data file (``planner/data/gbt27922.toml``,
read by :func:`load_indicator_tree`); a *self-assessment* file
(``kind = "self_assessment"``, :class:`SelfAssessment`) answers the items the plan
cannot answer itself. Each answer is the share of the item's points earned, in
[0, 1], or ``"excluded"`` (the item does not apply: it leaves the denominator). An
answer naming an item the tree does not have is an error.

:class:`AssessmentScore` is the scored assessment, one :class:`AssessmentRow` per
item (computed by :func:`planner.scorecards.self_assessment_score`).
"""

from __future__ import annotations

import functools
import importlib.resources
import tomllib
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from planner.models.profiles import Frozen, Id

EXCLUDED = "excluded"
TREE_RESOURCE = "data/gbt27922.toml"


def _answer(value: Any) -> Any:
    """A share in [0, 1] or ``"excluded"``, with one message for anything else."""
    if value == EXCLUDED and isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 0.0 <= value <= 1.0:
        return float(value)
    raise ValueError(f"a share of the item's points earned, 0..1, or {EXCLUDED!r} (got {value!r})")


Answer = Annotated[
    float | Literal["excluded"],
    BeforeValidator(_answer),
    Field(description="share of the item's points earned (0..1), or 'excluded'"),
]


class SelfAssessment(Frozen):
    """Answers to the GB/T 27922 items, by item id, with the special deductions and bonus."""

    kind: Literal["self_assessment"] = "self_assessment"
    name: str = Field(min_length=1, max_length=200)
    answers: dict[Id, Answer] = Field(
        default_factory=dict, description="item id → share of its points earned, or 'excluded'"
    )
    deductions: int = Field(
        default=0, ge=0, le=100, description="special deductions, one point each"
    )
    bonus: bool = Field(default=False, description="the one bonus point (at most one)")
    sources: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_items(self) -> SelfAssessment:
        tree = load_indicator_tree()
        known = tree.item_ids()
        for item in self.answers:
            if item not in known:
                raise ValueError(
                    f"answers.{item}: not an item of {tree.standard} (got {item!r}; "
                    f"items: {', '.join(known)})"
                )
        return self


# --------------------------------------------------------------------------- the tree


class IndicatorItem(Frozen):
    """A level-2 item and its points."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    points: float = Field(gt=0.0, le=100.0)


class Indicator(Frozen):
    """A level-1 indicator: its points are the sum of its items'."""

    id: Id
    name: str = Field(min_length=1, max_length=200)
    points: float = Field(gt=0.0, le=100.0)
    items: tuple[IndicatorItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sum(self) -> Indicator:
        total = sum(item.points for item in self.items)
        if abs(total - self.points) > 1e-9:
            raise ValueError(
                f"items: the items' points add up to {total:g}, not {self.points:g} (got {total:g})"
            )
        return self


class Grades(Frozen):
    """The lowest score of each grade, points; below ``compliant`` is below compliant."""

    five_star: float = Field(gt=0.0, le=100.0)
    four_star: float = Field(gt=0.0, le=100.0)
    three_star: float = Field(gt=0.0, le=100.0)
    compliant: float = Field(gt=0.0, le=100.0)

    @model_validator(mode="after")
    def _order(self) -> Grades:
        if not self.five_star > self.four_star > self.three_star > self.compliant:
            raise ValueError("grades: five_star > four_star > three_star > compliant")
        return self


Grade = Literal["five-star", "four-star", "three-star", "compliant", "below compliant"]


class IndicatorTree(Frozen):
    """The standard's indicators, their items and points, and the grades."""

    standard: str = Field(min_length=1)
    total: float = Field(gt=0.0)
    grades: Grades
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> IndicatorTree:
        total = sum(ind.points for ind in self.indicators)
        if abs(total - self.total) > 1e-9:
            raise ValueError(f"indicators: points add up to {total:g}, not {self.total:g}")
        ids = [ind.id for ind in self.indicators] + list(self.item_ids())
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ValueError(f"indicators: ids used twice (got {doubled})")
        return self

    def item_ids(self) -> tuple[str, ...]:
        """Every level-2 item id, in the tree's order."""
        return tuple(item.id for ind in self.indicators for item in ind.items)

    def grade(self, score: float) -> Grade:
        """The grade of ``score`` (points): the highest grade whose lowest score it reaches."""
        eps = 1e-9  # a score computed as exactly 90 may come out as 89.99999999999999
        g = self.grades
        if score >= g.five_star - eps:
            return "five-star"
        if score >= g.four_star - eps:
            return "four-star"
        if score >= g.three_star - eps:
            return "three-star"
        if score >= g.compliant - eps:
            return "compliant"
        return "below compliant"


@functools.cache
def load_indicator_tree() -> IndicatorTree:
    """The GB/T 27922 indicator tree of the bundled data file (read once)."""
    text = importlib.resources.files("planner").joinpath(TREE_RESOURCE).read_text("utf-8")
    return IndicatorTree.model_validate(tomllib.loads(text))


# --------------------------------------------------------------------------- the score

Basis = Literal["plan", "file", "plan and file", "excluded", "unanswered"]


class AssessmentRow(Frozen):
    """One level-2 item as scored."""

    indicator: str = Field(description="the level-1 indicator's id")
    item: str
    name: str
    points: float = Field(description="the item's points in the tree")
    share: float | None = Field(description="share of the points earned; None if excluded")
    earned: float = Field(description="points earned (0 if excluded or unanswered)")
    applicable: bool = Field(description="counts in the denominator (not excluded)")
    basis: Basis = Field(description="where the answer came from")
    evidence: str = Field(default="", description="what the plan showed, for derived answers")


class IndicatorScore(Frozen):
    """A level-1 indicator's points: of the tree, applicable, earned."""

    id: str
    name: str
    points: float
    applicable: float
    earned: float


class AssessmentScore(Frozen):
    """The self-assessment scored: per item, per indicator and in total."""

    standard: str
    rows: tuple[AssessmentRow, ...]
    indicators: tuple[IndicatorScore, ...]
    earned: float = Field(description="points earned over the applicable items")
    applicable: float = Field(description="points of the applicable (not excluded) items")
    base: float = Field(description="earned ÷ applicable × 100, before deductions and bonus")
    deductions: int
    bonus: int = Field(description="0 or 1")
    score: float = Field(description="base − deductions + bonus, clamped to [0, 100]")
    grade: Grade
    unanswered: tuple[str, ...] = Field(description="items neither derived nor answered")
    excluded: tuple[str, ...]
