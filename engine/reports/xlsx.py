"""The annual report's figures as an XLSX workbook (openpyxl): one sheet per part of the report."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from engine.reports.figures import CLAUSES, AnnualReport
from engine.satisfaction.results import GRADES

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def render(report: AnnualReport) -> bytes:
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    _rows(summary, ["Figure", "Clause", "Value"],
          [[f"Courses {kind}", clause, report.count(kind)] for kind, clause in CLAUSES.items()]
          + [["Courses available (Ind-e.1.6)", "9.3", report.available],
             ["Ind-e.1.6 met", "9.3", "yes" if report.indicator_met else "no"],
             ["Open tasks", "", len(report.open_items)], ["Overdue tasks", "", report.overdue],
             ["Year", "", report.year], ["Made at (UTC)", "", report.made_at.strftime("%Y-%m-%d %H:%M")]])
    _rows(book.create_sheet("Courses in the year"), ["Date", "Course id", "Course", "Event", "Clause"],
          [[m.at.strftime("%Y-%m-%d"), m.course_id, m.name, m.kind, m.clause] for m in report.milestones])
    _rows(book.create_sheet("Monitoring"),
          ["Course id", "Course", "Status", "Available", "Participants", "Completed", "Completion rate", "Views",
           "Certificates"],
          [[c.course_id, c.name, c.status, c.available, c.participants, c.completed_course,
            c.completion_rate, c.views, c.certificates] for c in report.courses])
    _rows(book.create_sheet("Satisfaction"), ["Course id", "Course", "Answers", "Criterion", *GRADES, "Mean"],
          [[c.course_id, c.name, c.satisfaction.answers, r.key, *(r.counts[g] for g in GRADES), r.mean]
           for c in report.courses for r in c.satisfaction.criteria]
          + [[c.course_id, c.name, c.satisfaction.answers, "(fewer answers than the minimum)"]
             for c in report.courses if not c.satisfaction.shown])
    _rows(book.create_sheet("Quarterly analyses"), ["Course id", "Quarter", "Recorded at", "Findings", "Actions"],
          [[a.course_id, a.quarter, a.recorded_at.strftime("%Y-%m-%d") if a.recorded_at else None,
            str(a.analysis.get("findings", "")), str(a.analysis.get("actions", ""))]
           for c in report.courses for a in c.analyses])
    _rows(book.create_sheet("Open tasks"), ["Task", "Course id", "Role", "Assignee", "Opened", "Due", "Overdue"],
          [[t.name, t.course_id, t.role, t.assignee, t.opened_at.strftime("%Y-%m-%d"),
            t.due_at.strftime("%Y-%m-%d") if t.due_at else None, t.overdue] for t in report.open_items])
    book.properties.created = book.properties.modified = report.made_at.replace(tzinfo=None)
    output = io.BytesIO()
    book.save(output)
    return _stamped(output.getvalue(), report.made_at)


def _stamped(content: bytes, at: dt.datetime) -> bytes:
    """The same workbook with every zip entry dated ``at`` (openpyxl dates them with the wall clock), so the
    same figures give the same bytes and the same sha256 — a replay of the log finds the recorded hashes."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as copy:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":  # openpyxl sets "modified" to the wall clock on saving
                data = _MODIFIED.sub(rb"\g<1>" + at.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data)
            copy.writestr(zipfile.ZipInfo(entry.filename, at.timetuple()[:6]), data)
    return output.getvalue()


def _rows(sheet: Worksheet, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
