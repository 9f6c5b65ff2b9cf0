"""A course's dossier: everything needed to check its history offline, in one JSON document.

It holds the course record, every instance of the course with its stored state
and all its events (with their hashes), the definition versions they ran on
(BPMN, spec, forms) — every version an instance was migrated from or to among
them — with the events that deployed them. ``verify`` needs no database: it
checks the file's digest, each instance's hash chain, each definition against
the digest recorded when it was deployed, and re-executes every instance
against its stored state (on the version it runs on now).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.models import Definition, Event, Instance
from engine.base.serialization import WorkflowCodec
from engine.base.vocabulary import EventKind
from engine.proof import audit, checkpoints, links, replay
from engine.registry import courses

FORMAT = "courseflow-dossier/1"
_DEFINITION_FIELDS = ("id", "process_id", "version", "name", "sha256", "filename", "bpmn_xml", "files_json",
                      "spec_json", "forms_json", "lanes_json")


def build(session: Session, course_id: int) -> dict[str, Any]:
    course = courses.course(session, course_id)
    instances = list(session.scalars(select(Instance).where(
        (Instance.id == course.instance) | (Instance.course_id == course_id)).order_by(Instance.started_at)))
    body = {"format": FORMAT, "exported_at": clock.now().isoformat(), "course": _plain(asdict(course)),
            "instances": [], "definitions": {}}
    for instance in instances:
        events = [replay.event_dict(e) for e in session.scalars(
            select(Event).where(Event.instance_id == instance.id).order_by(Event.seq))]
        body["instances"].append({"id": instance.id, "process_id": instance.process_id,
                                  "definition_id": instance.definition_id, "status": instance.status,
                                  "state_json": instance.state_json, "events": events})
        for definition_id in sorted(_definitions_used(instance, events)):
            body["definitions"].setdefault(str(definition_id), _definition(session, definition_id))
    body["checkpoints"] = checkpoints.for_dossier(session, {instance.id for instance in instances})
    return {**body, "digest": audit.sha256(audit.canonical(body))}


def _definitions_used(instance: Instance, events: list[dict[str, Any]]) -> set[int]:
    """Every version the instance ran on: the one it is on now, its events', both sides of each migration."""
    used = {instance.definition_id, *(e["definition_id"] for e in events if e["definition_id"] is not None)}
    for event in events:
        if event["kind"] == EventKind.INSTANCE_MIGRATED:
            data = json.loads(event["data_json"])
            used |= {data["from_definition"], data["to_definition"]}
    return used


def _definition(session: Session, definition_id: int) -> dict[str, Any]:
    row = session.get(Definition, definition_id)
    deployed = session.scalars(select(Event).where(Event.kind == EventKind.DEFINITION_DEPLOYED,
                                                   Event.definition_id == definition_id)).first()
    return {**{name: getattr(row, name) for name in _DEFINITION_FIELDS},
            "deployed_event": replay.event_dict(deployed) if deployed else None}


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@dataclass(frozen=True)
class Finding:
    ok: bool
    what: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.what}"


def verify(dossier: dict[str, Any], codec: WorkflowCodec | None = None, key: Any = None) -> list[Finding]:
    """Check an exported dossier offline; every finding says what was checked and how it came out.

    With the checkpoint ``key`` (public), every signed checkpoint in the dossier
    is checked against the instances' events: a rewrite with recomputed hashes
    shows.
    """
    codec = codec or WorkflowCodec()
    body = {k: v for k, v in dossier.items() if k != "digest"}
    if dossier.get("format") != FORMAT:
        return [Finding(False, f"not a CourseFlow dossier (format {dossier.get('format')!r})")]
    findings = [Finding(audit.sha256(audit.canonical(body)) == dossier.get("digest"),
                        "the file is as exported (digest)")]
    definitions = dossier.get("definitions", {})
    for _key, definition in sorted(definitions.items()):
        findings.append(_check_definition(definition))
    for instance in dossier.get("instances", []):
        outcome = replay.reexecute(instance["events"], lambda d: definitions[str(d)]["spec_json"], codec,
                                   instance["state_json"], instance.get("definition_id"))
        findings.append(Finding(outcome.ok, f"instance {instance['process_id']} {outcome}"))
    findings.extend(_check_links(dossier.get("instances", []), definitions, codec))
    if key is not None:
        findings.extend(_check_checkpoints(dossier, key))
    return findings


def _check_links(instances: list[dict[str, Any]], definitions: dict[str, Any], codec: WorkflowCodec) -> list[Finding]:
    """Each cycle (13.1) started with what the one before ended with (see ``links``)."""
    def ended_with(instance: dict[str, Any]) -> dict[str, Any]:
        definition = str(instance["definition_id"])
        return dict(codec.load_state(instance["definition_id"], lambda: definitions[definition]["spec_json"],
                                     instance["state_json"]).data)

    broken = links.problems(instances, ended_with)
    linked = [i for i in instances if i["events"] and '"follows"' in i["events"][0]["data_json"]]
    if not broken:
        return [Finding(True, f"the course's {len(linked)} continued instance(s) each start with what the one before "
                              f"ended with")] if linked else []
    return [Finding(False, f"instance {instance_id}: {problem}") for instance_id, problem in broken.items()]


def _check_checkpoints(dossier: dict[str, Any], key: Any) -> list[Finding]:
    found = dossier.get("checkpoints") or []
    if not found:
        return [Finding(False, "no signed checkpoint covers this course (run 'courseflow checkpoint' and export again)")]
    findings = []
    for number, checkpoint in enumerate(found, 1):
        body = checkpoints.signed_body(checkpoint["body_json"], checkpoint["signature"], key)
        if body is None:
            findings.append(Finding(False, f"checkpoint {number} is not validly signed by key {checkpoints.key_id(key)}"))
            continue
        for instance in dossier.get("instances", []):
            signed = body["instances"].get(instance["id"])
            if signed is None:
                continue
            events = [e for e in instance["events"] if e["seq"] <= body["seq"]]
            ok = bool(events) and events[-1]["hash"] == signed
            findings.append(Finding(ok, f"instance {instance['process_id']}: events up to {body['at']} "
                                        f"{'match' if ok else 'do NOT match'} checkpoint {number} signed then"))
    return findings


def _check_definition(definition: dict[str, Any]) -> Finding:
    name = f"definition {definition['process_id']} v{definition['version']}"
    event = definition.get("deployed_event")
    if event is None:
        return Finding(False, f"{name}: no deployment event")
    stored: Any = SimpleNamespace(**{**event, "at": clock.parse_instant(event["at"])})  # read like an Event row
    if audit.event_hash(stored) != event["hash"]:
        return Finding(False, f"{name}: its deployment event was edited")
    recorded = json.loads(event["data_json"]).get("digest")
    deployed: Any = SimpleNamespace(**definition)  # read like a Definition row
    if audit.definition_digest(deployed) != recorded:
        return Finding(False, f"{name}: differs from what was deployed")
    return Finding(True, f"{name}: as deployed")
