"""The Appendix 3 answers of a course aggregated (11.1, 11.2): counts per grade, mean scores, the trend per
quarter, proposals and participation dates — with the small-group rule that keeps a few answers anonymous.

Scores: Excellent 4, Good 3, Satisfactory 2, Unsatisfactory 1. Comments and participation dates are sorted,
never in the order they came, so nothing ties them to a moment or to each other.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

GRADES = ("excellent", "good", "satisfactory", "unsatisfactory")
SCORES = {"excellent": 4, "good": 3, "satisfactory": 2, "unsatisfactory": 1}
COMMENTS = "proposals"
PARTICIPATION = ("participated_from", "participated_to")


@dataclass(frozen=True)
class Answer:
    """One questionnaire answer as the aggregate sees it: the quarter it came in and the form's values."""

    quarter: str
    values: dict[str, Any]


@dataclass(frozen=True)
class Criterion:
    key: str  # the questionnaire form's field key, e.g. "relevance"
    title: str
    title_ru: str


@dataclass(frozen=True)
class CriterionResult:
    key: str
    title: str
    title_ru: str
    counts: dict[str, int]  # grade -> number of answers, every grade present
    mean: float | None  # None when nobody graded it

    @property
    def answered(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class QuarterResult:
    quarter: str
    answers: int
    shown: bool  # False: fewer answers than the minimum, so only the count is given
    means: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class SatisfactionResults:
    """A course's questionnaire results for a period; when ``shown`` is False only ``answers`` may be read."""

    course_id: int
    period: str
    answers: int
    min_answers: int
    shown: bool
    criteria: tuple[CriterionResult, ...] = ()
    quarters: tuple[QuarterResult, ...] = ()
    comments: tuple[str, ...] = ()
    participation: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The CLI's JSON: answers, criteria by field key (grade counts and mean), comments."""
        result: dict[str, Any] = {"answers": self.answers, "period": self.period, "min_answers": self.min_answers,
                        "shown": self.shown}
        if self.shown:
            result["criteria"] = {c.key: {**c.counts, "mean": c.mean} for c in self.criteria}
            result["comments"] = list(self.comments)
            result["participation"] = [list(p) for p in self.participation]
        result["quarters"] = [{"quarter": q.quarter, "answers": q.answers,
                               **({"means": q.means} if q.shown else {})} for q in self.quarters]
        return result


def criteria_of(schema: dict[str, Any]) -> list[Criterion]:
    """The graded questions of the questionnaire form: its fields whose choices are exactly the four grades."""
    found = []
    for key, prop in schema.get("properties", {}).items():
        if tuple(option.get("const") for option in prop.get("oneOf", [])) == GRADES:
            found.append(Criterion(key, prop.get("title", key), prop.get("x-title-ru") or prop.get("title", key)))
    return found


def aggregate(course_id: int, period: str, answers: list[Answer], criteria: list[Criterion],
              min_answers: int) -> SatisfactionResults:
    shown = len(answers) >= min_answers
    quarters = tuple(_quarter(label, [a for a in answers if a.quarter == label], criteria, min_answers)
                     for label in sorted({a.quarter for a in answers}))
    if not shown:
        return SatisfactionResults(course_id, period, len(answers), min_answers, False, quarters=quarters)
    return SatisfactionResults(
        course_id, period, len(answers), min_answers, True,
        criteria=tuple(_criterion(c, answers) for c in criteria), quarters=quarters,
        comments=tuple(sorted(text.strip() for a in answers if (text := a.values.get(COMMENTS)) and text.strip())),
        participation=tuple(sorted(_participation(a) for a in answers if any(a.values.get(k) for k in PARTICIPATION))))


def _criterion(criterion: Criterion, answers: list[Answer]) -> CriterionResult:
    counts = Counter(a.values.get(criterion.key) for a in answers)
    graded = {grade: counts.get(grade, 0) for grade in GRADES}
    return CriterionResult(criterion.key, criterion.title, criterion.title_ru, graded, mean_score(graded))


def mean_score(counts: dict[str, int]) -> float | None:
    total = sum(counts.values())
    if not total:
        return None
    return round(sum(SCORES[grade] * n for grade, n in counts.items()) / total, 2)


def _quarter(label: str, answers: list[Answer], criteria: list[Criterion], min_answers: int) -> QuarterResult:
    if len(answers) < min_answers:
        return QuarterResult(label, len(answers), False)
    return QuarterResult(label, len(answers), True, {c.key: _criterion(c, answers).mean for c in criteria})


def _participation(answer: Answer) -> tuple[str, str]:
    start, end = (str(answer.values.get(key) or "") for key in PARTICIPATION)
    return start, end
