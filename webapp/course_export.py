"""A course list (6.2, 8.2, 13.5) as CSV or XLSX, with the columns the page shows, in the reader's language."""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from engine import CourseList

from .i18n import course_name


def header(which: str) -> list[str]:
    columns = [_("Course"), _("Planned year"), _("Proposed by"), _("Creator"), _("Coordinator"), _("CSBs"),
               _("Status"), _("Published on"), _("Next inspection due")]
    if which == "cancelled":
        columns += [_("Cancelled on"), _("TC 4 decision")]
    return columns


def values(listed: CourseList, which: str) -> list[list]:
    table = []
    for row in listed.rows:
        c = row.course
        line = [course_name(c), c.planned_year or "", c.initiator or "", row.creator_name, row.coordinator_name,
                ", ".join(c.csbs), _(c.status), _day(c.published_at), _day(row.next_inspection_due)]
        if which == "cancelled":
            line += [_day(c.cancelled_at), c.cancel_decision or ""]
        table.append(line)
    return table


def _day(moment) -> str:
    return moment.strftime("%Y-%m-%d") if moment else ""


def as_csv(listed: CourseList, which: str) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read Cyrillic right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header(which))
    writer.writerows(_safe(line) for line in values(listed, which))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(line: list) -> list:
    """Text that a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in line]


def as_xlsx(listed: CourseList, which: str, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header(which))
    for line in values(listed, which):
        sheet.append(_safe(line))
    for index, column in enumerate(sheet.columns, start=1):
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
