"""The annual report as an A4 PDF in English or Russian, with its charts as SVG (WeasyPrint)."""
from __future__ import annotations

from pathlib import Path

import jinja2

from engine.reports import charts
from engine.reports.figures import CLAUSES, AnnualReport, CourseReport
from engine.reports.labels import course_name, words

_TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                                autoescape=True)


def html(report: AnnualReport, language: str, draft: bool = False) -> str:
    w = words(language)

    def name(english: str, russian: str | None) -> str:
        return course_name(english, russian, language)

    monitoring = charts.bars(w["chart_monitoring"], [(name(c.name, c.name_ru), (c.participants, c.completed_course))
                                                      for c in report.courses], (w["participants"], w["completed"]))
    satisfaction = charts.bars(w["chart_satisfaction"], [(name(c.name, c.name_ru), (_mean(c),)) for c in report.courses],
                               (w["mean"],), scale=4.0)
    return _TEMPLATES.get_template("annual_report.html").render(
        report=report, language=language, w=w, name=name, clauses=list(CLAUSES.items()), draft=draft,
        monitoring_chart=monitoring, satisfaction_chart=satisfaction)


def render(report: AnnualReport, language: str, draft: bool = False) -> bytes:
    import weasyprint  # imported here: it loads Pango, which only PDF making needs

    return weasyprint.HTML(string=html(report, language, draft)).write_pdf()  # type: ignore[no-any-return]


def _mean(course: CourseReport) -> float:
    """The mean of the criteria's means (0 when the results are not shown, e.g. fewer answers than the minimum)."""
    means = [c.mean for c in course.satisfaction.criteria if c.mean is not None]
    return round(sum(means) / len(means), 2) if means else 0.0
