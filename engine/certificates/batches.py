"""Issuing as a process (certificate_issuing.bpmn): an import that finds new eligible participants starts a
batch, and so does a student's own request; the sector administrator's review issues certificates to everyone
not excluded (with a reason).

Proposed by an import: eligible (10.1), without a valid certificate, not pending in an open batch and never
excluded. On request: eligible, without a valid certificate and not pending (an earlier exclusion is shown).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError
from engine.base.models import Course
from engine.certificates import eligibility, issuing
from engine.certificates.models import EXCLUDED, ISSUED, PENDING, BatchMember
from engine.certificates.settings import CertificateSettings
from engine.definitions import deploy
from engine.definitions.cache import DefinitionCache
from engine.instances import runtime
from engine.monitoring.models import Participant
from engine.proof import audit
from engine.registry.roles import Actor

PROCESS, REVIEW = "certificate_issuing", "c_review"
SCHEDULER = Actor("courseflow", frozenset({("sector_administrator", None)}))  # the engine's own work


def propose(session: Session, definitions: DefinitionCache, course_id: int) -> str | None:
    """Start a batch of the course's new eligible participants; its instance id, or None (nobody, or not deployed)."""
    known = set(session.scalars(select(BatchMember.participant_key).where(
        BatchMember.course_id == course_id, BatchMember.outcome.in_((PENDING, EXCLUDED)))))
    keys = _keys(session, course_id)
    new = [v for v in eligibility.course_eligibility(session, course_id)
           if v.eligible and v.certificate is None and keys[v.participant_id] not in known]
    return _start(session, definitions, course_id, [_candidate(v) for v in new], keys)


def propose_requested(session: Session, definitions: DefinitionCache, course_id: int,
                      verdict: eligibility.Eligibility) -> str | None:
    """A student's own request (10.3): a batch of one for the administrator's review, unless one is open already.

    Someone excluded earlier is proposed again, with the earlier reason beside the request.
    """
    session.get(Participant, verdict.participant_id, with_for_update=True)  # one review even if asked twice at once
    keys = _keys(session, course_id)
    key = keys[verdict.participant_id]
    earlier = list(session.scalars(select(BatchMember).where(
        BatchMember.course_id == course_id, BatchMember.participant_key == key).order_by(BatchMember.id)))
    if any(m.outcome == PENDING for m in earlier):
        return None
    excluded = [m.reason or "" for m in earlier if m.outcome == EXCLUDED]
    candidate = {**_candidate(verdict), "requested_on": clock.now().date().isoformat()}
    if excluded:
        candidate["excluded_before"] = excluded[-1]
    return _start(session, definitions, course_id, [candidate], keys)


def _keys(session: Session, course_id: int) -> dict[int, str]:
    return {pid: key for pid, key in session.execute(
        select(Participant.id, Participant.key).where(Participant.course_id == course_id))}


def _candidate(verdict: eligibility.Eligibility) -> dict[str, Any]:
    return {"participant_id": verdict.participant_id, "name": verdict.name, "email": verdict.email or "",
            "completed_on": verdict.completed_on.isoformat() if verdict.completed_on else ""}


def _start(session: Session, definitions: DefinitionCache, course_id: int, candidates: list[dict[str, Any]],
           keys: dict[int, str]) -> str | None:
    """One review (certificate_issuing.bpmn) of ``candidates``, each recorded as pending in it."""
    definition = deploy.latest_definition(session, PROCESS)
    if definition is None or not candidates:
        return None
    course = session.get(Course, course_id)
    assert course is not None
    data = {"course_id": course_id, "course_name": course.name, "candidates": candidates, "excluded": []}
    instance_id = runtime.start(session, definitions, definitions.parsed(session, definition.id), data, SCHEDULER)
    session.add_all(BatchMember(instance_id=instance_id, course_id=course_id,
                                participant_key=keys[c["participant_id"]], outcome=PENDING) for c in candidates)
    return instance_id


def decide(session: Session, instance_id: str, course_id: int, data: dict[str, Any], by: str,
           settings: CertificateSettings) -> list[issuing.Issued]:
    """The review recorded: issue to every candidate not excluded, record each exclusion with its reason."""
    members = {m.participant_key: m for m in session.scalars(
        select(BatchMember).where(BatchMember.instance_id == instance_id, BatchMember.outcome == PENDING))}
    keys = {pid: key for pid, key in session.execute(select(Participant.id, Participant.key).where(
        Participant.course_id == course_id, Participant.key.in_(members)))}
    ids = set(keys)
    excluded = {e["participant_id"]: e["reason"] for e in data.get("excluded", [])}
    stray = sorted(set(excluded) - ids)
    if stray:
        raise CourseFlowError(f"Participant(s) {', '.join(map(str, stray))} are not in this batch: exclude only "
                              "the candidates listed.", reason="not_in_batch", participants=", ".join(map(str, stray)))
    now, issued = clock.now(), []
    chosen = [pid for pid in sorted(ids) if pid not in excluded]
    if chosen:
        eligible = {v.participant_id for v in eligibility.course_eligibility(session, course_id, chosen)
                    if v.eligible and v.certificate is None}
        issued = [made for made, _pdf in issuing.issue(session, course_id, sorted(eligible), by, settings)]
    for pid, key in keys.items():
        member = members[key]
        member.outcome = EXCLUDED if pid in excluded else ISSUED
        member.reason, member.decided_by, member.decided_at = excluded.get(pid), by, now
    if excluded:
        audit.append(session, [audit.NewEvent("certificates_excluded", actor=by, data={
            "course": course_id,
            "excluded": [{"participant": keys.get(pid), "reason": reason} for pid, reason in excluded.items()]})],
            now)
    return issued
