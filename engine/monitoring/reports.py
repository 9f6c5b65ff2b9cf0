"""Which reader a file needs (9.2): the kind named, or recognised from the file itself."""
from __future__ import annotations

import re

from engine.base.errors import FileRefused
from engine.monitoring import activity_completion, course_completion, participation, quiz_grades, table
from engine.monitoring.records import KINDS, Parsed


def parse(content: bytes, filename: str, kind: str | None = None, activity: str | None = None,
          pass_grade: float | None = None) -> Parsed:
    if kind is not None and kind not in KINDS:
        raise FileRefused(f"{kind!r} is not a kind of report; use one of {', '.join(KINDS)}")
    if kind == "participation" or (kind is None and _looks_like_html(content)):
        return participation.read_page(content, activity)
    rows = table.read(content, filename)
    kind = kind or _recognise(rows)
    if kind == "activity-completion":
        return activity_completion.read(rows)
    if kind == "course-completion":
        return course_completion.read(rows)
    if kind == "quiz-grades":
        return quiz_grades.read(rows, activity or _quiz_name(filename), pass_grade)
    raise FileRefused(f"{kind!r} cannot be read from this file")


def _looks_like_html(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"\xef\xbb\xbf<!doctype html"))


def _recognise(rows: table.Rows) -> str:
    header = [" ".join(cell.split()).casefold() for cell in rows[0]]
    if header and header[0] == "":
        return "activity-completion"
    if len(header) > 1 and header[0] in ("id", "идентификатор", "identifiant"):
        return "course-completion"
    if any(re.match(r"^(grade|оценка|note)\s*/", cell) for cell in header):
        return "quiz-grades"
    raise FileRefused("the file is none of the platform's reports this reads (activity completion, course "
                      "completion, quiz grades): name its kind", 1)


def _quiz_name(filename: str) -> str:
    """Moodle names a quiz's download "<course>-<quiz>-grades.csv"; without that pattern, ask for the activity."""
    found = re.match(r"^.+?-(.+)-grades\.(csv|xlsx|ods)$", filename.rsplit("/", 1)[-1], re.IGNORECASE)
    if not found:
        raise FileRefused("name the quiz this grades file is for (its activity name in the course)")
    return found.group(1).strip()
