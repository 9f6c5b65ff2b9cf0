"""Who may answer a course's questionnaire (11.1): anyone with the link ("open"), or only with a single-use code
the coordinator hands out ("codes"); and a flood limit per course.

Only a code's sha256 is kept, and a used code is deleted: nothing ties an answer to a code, a person or a
moment. The flood limit counts the course's recent answers, not who sent them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError, NotAllowed
from engine.base.models import Instance
from engine.base.vocabulary import EventKind
from engine.proof import audit
from engine.satisfaction.models import QuestionnaireAccess, QuestionnaireCode

MODES = ("open", "codes")
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
CODE_LENGTH = 10
MAX_CODES = 500
FLOOD_WINDOW = dt.timedelta(hours=1)
FLOOD_LIMIT = 60  # answers per course and hour


class Refused(NotAllowed):
    """The questionnaire cannot be answered now (a missing or used code, or too many answers at once)."""


def mode(session: Session, course_id: int) -> str:
    row = session.get(QuestionnaireAccess, course_id)
    return row.mode if row is not None else "open"


def set_mode(session: Session, course_id: int, new_mode: str, by: str) -> None:
    if new_mode not in MODES:
        raise CourseFlowError(f"The questionnaire access must be one of {', '.join(MODES)}, not {new_mode!r}.", reason="access_mode")
    row = session.get(QuestionnaireAccess, course_id)
    if row is None:
        session.add(QuestionnaireAccess(course_id=course_id, mode=new_mode))
    else:
        row.mode = new_mode
    audit.append(session, [audit.NewEvent(EventKind.QUESTIONNAIRE_ACCESS_SET, actor=by,
                                          data={"course_id": course_id, "mode": new_mode})], clock.now())


def issue(session: Session, course_id: int, count: int, by: str) -> list[str]:
    """``count`` new codes (shown once; only their hashes are kept)."""
    if not 1 <= count <= MAX_CODES:
        raise CourseFlowError(f"Ask for between 1 and {MAX_CODES} codes at a time.", reason="code_count", limit=MAX_CODES)
    codes = [_new_code() for _ in range(count)]
    session.add_all(QuestionnaireCode(code_hash=_hash(code), course_id=course_id) for code in codes)
    audit.append(session, [audit.NewEvent(EventKind.QUESTIONNAIRE_CODES_ISSUED, actor=by,
                                          data={"course_id": course_id, "count": count})], clock.now())
    return codes


def unused(session: Session, course_id: int) -> int:
    return session.scalar(select(func.count()).select_from(QuestionnaireCode)
                          .where(QuestionnaireCode.course_id == course_id)) or 0


def admit(session: Session, course_id: int, code: str | None) -> None:
    """Let one answer in: refuse a flood, and in "codes" mode consume a valid code or refuse."""
    since = clock.now() - FLOOD_WINDOW
    recent = session.scalar(select(func.count()).select_from(Instance).where(
        Instance.process_id == "satisfaction", Instance.course_id == course_id, Instance.started_at >= since)) or 0
    if recent >= FLOOD_LIMIT:
        raise Refused("This questionnaire has received many answers in the last hour; please try again later.", reason="questionnaire_flood")
    if mode(session, course_id) != "codes":
        return
    if not code or not code.strip():
        raise Refused("This questionnaire needs the code your course coordinator gave you.", reason="code_required")
    consumed = cast(CursorResult[Any], session.execute(delete(QuestionnaireCode).where(QuestionnaireCode.code_hash == _hash(code),
                                                                QuestionnaireCode.course_id == course_id)))
    if consumed.rowcount != 1:
        raise Refused("This code is not valid for this course, or it was used already; each code works once.", reason="code_invalid")


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _hash(code: str) -> str:
    normal = "".join(code.upper().split()).replace("-", "")
    return hashlib.sha256(normal.encode()).hexdigest()
