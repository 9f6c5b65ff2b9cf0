"""An import applied to the database (9.2): idempotent by the file's sha256, per (participant, activity) updates.

Everything is checked before anything is written; the caller's transaction holds the import row, the
participants, results and figures, and the audit event together — or nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from engine.base.errors import ChangedMeanwhile, FileRefused
from engine.base.vocabulary import EventKind
from engine.monitoring import vocabulary
from engine.monitoring.models import Activity, Figures, MonitoringImport, Participant, Result
from engine.monitoring.period import Period
from engine.monitoring.records import Parsed, Person, Record
from engine.proof import audit

EVENT_KIND = EventKind.MONITORING_IMPORTED


@dataclass(frozen=True)
class ImportReport:
    """What an import did: ``unchanged`` when the same file was imported before (nothing was written)."""

    import_id: int
    kind: str
    period: str
    rows: int
    participants: int
    activities: int
    new_participants: int
    added: int
    updated: int
    unchanged: bool = False


@dataclass(frozen=True)
class Upload:
    course_id: int
    filename: str
    sha256: str
    period: Period
    by: str | None


def earlier(session: Session, course_id: int, sha256: str) -> ImportReport | None:
    """The report of the same file imported before for this course (importing it again changes nothing)."""
    row = session.scalar(select(MonitoringImport).where(MonitoringImport.course_id == course_id,
                                                        MonitoringImport.sha256 == sha256))
    if row is None:
        return None
    participants = session.scalar(select(func.count()).select_from(Participant).where(
        (Participant.course_import_id == row.id) | Participant.id.in_(
            select(Result.participant_id).where(Result.import_id == row.id))))
    activities = session.scalar(select(func.count(func.distinct(Result.activity_id))).where(Result.import_id == row.id))
    return ImportReport(row.id, row.kind, f"{row.period_from or ''}..{row.period_to}", row.rows, participants or 0,
                        activities or 0, 0, 0, 0, unchanged=True)


def apply(session: Session, upload: Upload, parsed: Parsed, now: dt.datetime) -> ImportReport:
    period = Period(upload.period.start, upload.period.end or now.date())
    if parsed.figures and period.start is None:
        raise FileRefused("views and participants are counted over a period: give its start too (FROM..TO)")
    activities = _activities(session, upload.course_id, parsed.activities)
    row = MonitoringImport(course_id=upload.course_id, kind=parsed.kind, filename=upload.filename[:300],
                           sha256=upload.sha256, period_from=period.start, period_to=period.end, rows=parsed.rows,
                           added=0, updated=0, imported_at=now, imported_by=upload.by)
    session.add(row)
    session.flush()
    people, new_people = _participants(session, upload.course_id, parsed.records, now)
    added, updated = _results(session, row, people, activities, parsed.records)
    figures_added, figures_updated = _figures(session, row, activities, parsed)
    row.added, row.updated = added + figures_added, updated + figures_updated
    report = ImportReport(row.id, row.kind, f"{period.start or ''}..{period.end}", parsed.rows, len(people),
                          len(parsed.activities), new_people, row.added, row.updated)
    audit.append(session, [audit.NewEvent(EVENT_KIND, actor=upload.by, data={
        "course_id": upload.course_id, "kind": parsed.kind, "file": upload.filename, "sha256": upload.sha256,
        "period": report.period, "rows": report.rows, "participants": report.participants,
        "activities": report.activities, "added": report.added, "updated": report.updated})], now)
    return report


def _activities(session: Session, course_id: int, names: list[str]) -> dict[str, int]:
    """{name: id} of the file's activities; new ones are added, unless none of them is the course's (wrong course)."""
    known = {a.name: a for a in session.scalars(select(Activity).where(Activity.course_id == course_id))}
    if known and names and not set(names) & set(known):
        raise FileRefused(f"none of the file's activities ({_listed(names)}) is one of this course's "
                          f"({_listed(list(known))}): is it another course's report?", 1)
    position = max((a.position for a in known.values()), default=0)
    for name in names:
        if name not in known:
            position += 1
            known[name] = Activity(course_id=course_id, name=name[:300], position=position)
            session.add(known[name])
    session.flush()
    return {name: known[name].id for name in names}


def _listed(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _participants(session: Session, course_id: int, records: list[Record], now: dt.datetime
                  ) -> tuple[dict[str, int], int]:
    """{person key: participant id} for everyone the file names; returns also how many are new."""
    persons: dict[str, Person] = {}
    for record in records:
        persons.setdefault(record.person.key, record.person)
    existing = {key: (pid, name, email, platform_id) for pid, key, name, email, platform_id in session.execute(
        select(Participant.id, Participant.key, Participant.name, Participant.email, Participant.platform_id)
        .where(Participant.course_id == course_id))}
    aliases = _known_by_name(persons, existing)
    persons = {aliases[key]: person for key, person in persons.items()}
    new = [{"course_id": course_id, "key": key[:400], "name": p.name[:300], "email": p.email, "platform_id": p.platform_id,
            "last_seen_at": now} for key, p in persons.items() if key not in existing]
    if new:
        session.execute(insert(cast(Table, Participant.__table__)), new)
    changed = [{"pid": existing[key][0], "name": p.name[:300], "email": p.email or existing[key][2],
                "platform_id": p.platform_id or existing[key][3], "seen": now}
               for key, p in persons.items() if key in existing]
    if changed:
        table = cast(Table, Participant.__table__)
        session.execute(update(table).where(table.c.id == bindparam("pid")).values(
            name=bindparam("name"), email=bindparam("email"), platform_id=bindparam("platform_id"),
            last_seen_at=bindparam("seen")), changed)
    ids = {key: pid for key, pid in session.execute(select(Participant.key, Participant.id)
                                                     .where(Participant.course_id == course_id))}
    return {key: ids[stored[:400]] for key, stored in aliases.items()}, len(new)


def _known_by_name(persons: dict[str, Person], existing: dict[str, tuple[Any, ...]]) -> dict[str, str]:
    """{key: key to store under}: someone named only by name (a participation page) is the known participant
    of that name, if there is just one."""
    by_name: dict[str, list[str]] = {}
    for key, (_pid, name, _email, _platform_id) in existing.items():
        by_name.setdefault(name.casefold(), []).append(key)
    aliases = {}
    for key, person in persons.items():
        same = by_name.get(person.name.casefold(), []) if key.startswith("name:") and key not in existing else []
        aliases[key] = same[0] if len(same) == 1 else key
    return aliases


def _results(session: Session, row: MonitoringImport, people: dict[str, int], activities: dict[str, int],
             records: list[Record]) -> tuple[int, int]:
    activity_records = [r for r in records if r.activity is not None]
    course_records = [r for r in records if r.activity is None]
    added, updated = _activity_results(session, row, people, activities, activity_records)
    course_updated = _course_results(session, row, people, course_records)
    return added, updated + course_updated


def _activity_results(session: Session, row: MonitoringImport, people: dict[str, int], activities: dict[str, int],
                      records: list[Record]) -> tuple[int, int]:
    if not records:
        return 0, 0
    table = cast(Table, Result.__table__)
    existing = {(pid, aid): (state, at, grade, seconds, period_to) for pid, aid, state, at, grade, seconds, period_to
                in session.execute(select(Result.participant_id, Result.activity_id, Result.state, Result.at,
                                          Result.grade, Result.seconds, Result.period_to)
                                   .where(Result.activity_id.in_(set(activities.values()))))}
    inserts, updates = [], []
    for record in records:
        if record.activity is None:  # course-level records go to _course_results
            continue
        key = (people[record.person.key], activities[record.activity])
        values = {"state": record.state, "at": record.at, "grade": record.grade, "seconds": record.seconds}
        before = existing.get(key)
        if before is None:
            inserts.append({"course_id": row.course_id, "participant_id": key[0], "activity_id": key[1],
                            "import_id": row.id,
                            "period_to": row.period_to, **values})
        elif before[:4] != (record.state, record.at, record.grade, record.seconds) and row.period_to >= before[4] \
                and not (record.state == vocabulary.VIEWED and before[0] != vocabulary.INCOMPLETE):
            updates.append({"pid": key[0], "aid": key[1], "import_id": row.id, "period_to": row.period_to, **values})
    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        session.execute(update(table).where(table.c.participant_id == bindparam("pid"),
                                            table.c.activity_id == bindparam("aid"))
                        .values(state=bindparam("state"), at=bindparam("at"), grade=bindparam("grade"),
                                seconds=bindparam("seconds"), import_id=bindparam("import_id"),
                                period_to=bindparam("period_to")), updates)
    return len(inserts), len(updates)


def _course_results(session: Session, row: MonitoringImport, people: dict[str, int], records: list[Record]) -> int:
    changed = 0
    for record in records:
        participant = session.get(Participant, people[record.person.key])
        if participant is None:
            raise ChangedMeanwhile(f"The participant {record.person.name!r} was removed while the file was imported; "
                                   "import the file again.", reason="changed_meanwhile")
        done_at = record.at if record.state != vocabulary.INCOMPLETE else None
        if (participant.course_state, participant.course_completed_at) != (record.state, done_at):
            participant.course_state, participant.course_completed_at = record.state, done_at
            participant.course_import_id = row.id
            changed += 1
    return changed


def _figures(session: Session, row: MonitoringImport, activities: dict[str, int], parsed: Parsed) -> tuple[int, int]:
    added = updated = 0
    for figure in parsed.figures:
        stored = session.scalar(select(Figures).where(Figures.activity_id == activities[figure.activity],
                                                      Figures.period_from == row.period_from,
                                                      Figures.period_to == row.period_to))
        if stored is None:
            session.add(Figures(activity_id=activities[figure.activity], period_from=row.period_from,
                                period_to=row.period_to, views=figure.views, participants=figure.participants,
                                import_id=row.id))
            added += 1
        elif (stored.views, stored.participants) != (figure.views, figure.participants):
            stored.views, stored.participants, stored.import_id = figure.views, figure.participants, row.id
            updated += 1
    return added, updated
