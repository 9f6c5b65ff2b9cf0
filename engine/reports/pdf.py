"""The annual report as an A4 PDF in English or Russian, with its charts as inline SVG (lxml builds the HTML,
WeasyPrint lays it out)."""
from __future__ import annotations

from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import builder as E

from engine.reports import charts
from engine.reports.figures import CLAUSES, AnnualReport, CourseReport, OpenItem
from engine.reports.labels import course_name, grade, role, status, words

STYLE = """
@page { size: A4; margin: 18mm 15mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #111; }
h1 { font-size: 16pt; margin: 0 0 2mm; } h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
h3 { font-size: 10.5pt; margin: 4mm 0 1mm; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef2f7; } td.n { text-align: right; }
.draft { color: #b00020; font-weight: bold; } .muted { color: #555; } .overdue { color: #b00020; }
.course { page-break-inside: avoid; }
"""


def html(report: AnnualReport, language: str, draft: bool = False) -> str:
    page = _Page(report, language)
    body = E.BODY(*page.heading(draft), *page.summary(), *page.milestones(), *page.monitoring(),
                  *page.satisfaction(), *page.open_items(), *page.comments())
    document = E.HTML(E.HEAD(E.META(charset="utf-8"), E.TITLE(f"{page.w['title']} {report.year}"), E.STYLE(STYLE)),
                      body, lang=language)
    return "<!DOCTYPE html>\n" + str(lxml_html.tostring(document, encoding="unicode"))


def render(report: AnnualReport, language: str, draft: bool = False) -> bytes:
    import weasyprint  # imported here: it loads Pango, which only PDF making needs

    return weasyprint.HTML(string=html(report, language, draft)).write_pdf()  # type: ignore[no-any-return]


def _table(header: list[str], rows: list[list[Any]]) -> Any:
    return E.TABLE(E.TR(*(E.TH(h) for h in header)), *(E.TR(*(_cell(v) for v in row)) for row in rows))


def _cell(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return E.TD(f"{value:g}", E.CLASS("n"))
    return value if getattr(value, "tag", None) == "td" else E.TD(str(value))


def _svg(text: str) -> Any:
    return E.DIV(etree.fromstring(text), E.CLASS("chart"))


class _Page:
    """The report's sections in one language."""

    def __init__(self, report: AnnualReport, language: str):
        self.report, self.language, self.w = report, language, words(language)

    def name(self, english: str, russian: str | None) -> str:
        return course_name(english, russian, self.language)

    def heading(self, draft: bool) -> list[Any]:
        made = self.w["made"].format(date=self.report.made_at.strftime("%Y-%m-%d %H:%M UTC"))
        parts = [E.H1(self.w["title"]), E.P(self.w["subtitle"].format(year=self.report.year), E.BR(),
                                            E.SPAN(made, E.CLASS("muted")))]
        return parts + ([E.P(self.w["draft"], E.CLASS("draft"))] if draft else [])

    def summary(self) -> list[Any]:
        r, w = self.report, self.w
        rows: list[list[Any]] = [[w[kind], clause, r.count(kind)] for kind, clause in CLAUSES.items()]
        rows.append([w["indicator"], "9.3", f"{r.available} — {w['met'] if r.indicator_met else w['not_met']}"])
        rows.append([w["open_items"], "—", f"{len(r.open_items)} ({w['overdue']}: {r.overdue})"])
        return [E.H2(w["summary"]), _table([w["courses_events"], w["clause"], w["count"]], rows)]

    def milestones(self) -> list[Any]:
        w = self.w
        rows = [[m.at.strftime("%Y-%m-%d"), self.name(m.name, m.name_ru), w[m.kind], m.clause]
                for m in self.report.milestones]
        return [E.H2(w["courses_events"]),
                _table([w["date"], w["course"], w["event"], w["clause"]], rows) if rows else E.P(w["none"])]

    def monitoring(self) -> list[Any]:
        w, courses = self.w, self.report.courses
        chart = charts.bars(w["chart_monitoring"], [(self.name(c.name, c.name_ru), (c.participants, c.completed_course))
                                                    for c in courses], (w["participants"], w["completed"]))
        rows = [[self.name(c.name, c.name_ru), status(c.status, self.language), c.participants, c.completed_course,
                 f"{c.completion_rate * 100:.0f} %" if c.completion_rate is not None else "—", c.views, c.certificates]
                for c in courses]
        return [E.H2(w["monitoring"]), _svg(chart),
                _table([w["course"], w["status"], w["participants"], w["completed"], w["rate"], w["views"],
                        w["certificates"]], rows)]

    def satisfaction(self) -> list[Any]:
        w = self.w
        chart = charts.bars(w["chart_satisfaction"], [(self.name(c.name, c.name_ru), (_mean(c),))
                                                      for c in self.report.courses], (w["mean"],), scale=4.0)
        return [E.H2(w["satisfaction"]), _svg(chart), *(self.course(c) for c in self.report.courses)]

    def course(self, c: CourseReport) -> Any:
        w, results = self.w, c.satisfaction
        parts: list[Any] = [E.H3(self.name(c.name, c.name_ru))]
        if results.shown:
            rows = [[r.title_ru if self.language == "ru" else r.title,
                     " · ".join(f"{grade(key, self.language)} {n}" for key, n in r.counts.items()),
                     f"{r.mean:.2f}" if r.mean is not None else "—"] for r in results.criteria]
            parts.append(_table(["", f"{w['answers']}: {results.answers}", w["mean"]], rows))
            if results.comments:
                parts += [E.P(E.B(w["comments_students"])), E.UL(*(E.LI(text) for text in results.comments))]
        else:
            parts.append(E.P(w["too_few"].format(answers=results.answers, minimum=results.min_answers),
                             E.CLASS("muted")))
        parts.append(E.P(E.B(w["analyses"])))
        rows = [[a.quarter, str(a.analysis.get("findings", "")) if a.recorded_at else w["not_recorded"],
                 _actions(a.analysis.get("actions", ""))] for a in c.analyses]
        parts.append(_table([w["quarter"], w["findings"], w["actions"]], rows) if rows
                     else E.P(w["none"], E.CLASS("muted")))
        return E.DIV(*parts, E.CLASS("course"))

    def open_items(self) -> list[Any]:
        w = self.w
        rows = [[self.name(t.name, t.name_ru), self.name(t.course_name, t.course_name_ru) if t.course_name else "—",
                 role(t.role, self.language), self.due(t)] for t in self.report.open_items]
        return [E.H2(w["open_items"]),
                _table([w["task"], w["course"], w["role"], w["due"]], rows) if rows else E.P(w["none"])]

    def due(self, item: OpenItem) -> Any:
        if item.due_at is None:
            return "—"
        text = item.due_at.strftime("%Y-%m-%d")
        return E.TD(f"{text} ({self.w['overdue']})", E.CLASS("overdue")) if item.overdue else text

    def comments(self) -> list[Any]:
        if not self.report.comments:
            return []
        return [E.H2(self.w["admin_comments"]), *(E.P(line) for line in self.report.comments.splitlines() if line)]


def _actions(value: Any) -> str:
    return "; ".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


def _mean(course: CourseReport) -> float:
    """The mean of the criteria's means (0 when the results are not shown, e.g. fewer answers than the minimum)."""
    means = [c.mean for c in course.satisfaction.criteria if c.mean is not None]
    return round(sum(means) / len(means), 2) if means else 0.0
