"""What a printed dossier shows, read off the exported JSON dossier itself (so print and file always agree).

The course record, each instance (process, version, status) with its event
log (seq, time, kind, actor, role, task, hash, the instance's previous hash),
who gave each Appendix 1 and Appendix 2 sheet and when (7.3, 7.4, 8.1), the
definition versions with their sha256, the dossier's digest, and the verdict
of re-executing every instance at export.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engine.base.clock import parse_instant
from engine.base.vocabulary import EventKind
from engine.proof.replay import Outcome

SIGNED_SHEETS = ("appendix1", "appendix2")  # the sheets people sign (Appendix 1: 7.3; Appendix 2: 8.1)
SIGNER_NAME_FIELDS = ("signed_by", "approver_name")
SIGNER_GROUPS = ("reviewer_details", "administrator_details")
SIGNING_DATES = ("agreed_on", "approved_on")


@dataclass(frozen=True)
class LoggedEvent:
    seq: int
    at: Any  # datetime
    kind: str
    actor: str | None
    role: str | None
    scope: str | None
    task_name: str
    hash: str
    previous_hash: str | None  # the instance's event before it (None for its first)


@dataclass(frozen=True)
class InstanceRecord:
    id: str
    process_id: str
    version: int | None
    definition_id: int
    status: str
    events: tuple[LoggedEvent, ...]


@dataclass(frozen=True)
class DefinitionRecord:
    id: int
    process_id: str
    version: int
    name: str
    sha256: str
    deployed_at: Any  # datetime or None
    deployed_by: str | None


@dataclass(frozen=True)
class Signer:
    """One person named on a sheet: the one who gave it (``login`` set) or a name the sheet records."""

    name: str
    login: str | None
    role: str | None
    scope: str | None
    signed_on: str | None  # the date written on the sheet


@dataclass(frozen=True)
class SignedSheet:
    seq: int
    at: Any  # datetime the sheet was given
    sheet: str
    task_name: str
    scope: str | None
    signers: tuple[Signer, ...]


@dataclass(frozen=True)
class DossierReport:
    format: str
    exported_at: Any  # datetime
    digest: str
    course: dict[str, Any]
    instances: tuple[InstanceRecord, ...]
    definitions: tuple[DefinitionRecord, ...]
    sheets: tuple[SignedSheet, ...]
    outcomes: tuple[Outcome, ...]

    @property
    def reproduced(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)

    @property
    def verdicts(self) -> tuple[tuple[InstanceRecord, Outcome], ...]:
        """Each instance with the outcome of re-executing it."""
        by_id = {instance.id: instance for instance in self.instances}
        return tuple((by_id[outcome.instance_id], outcome) for outcome in self.outcomes if outcome.instance_id in by_id)

    @property
    def event_count(self) -> int:
        return sum(len(instance.events) for instance in self.instances)


def summarise(dossier: dict[str, Any], outcomes: list[Outcome]) -> DossierReport:
    definitions = dossier["definitions"]
    return DossierReport(
        dossier["format"], parse_instant(dossier["exported_at"]), dossier["digest"], dossier["course"],
        tuple(_instance(instance, definitions) for instance in dossier["instances"]),
        tuple(_definition(definition) for _, definition in sorted(definitions.items(), key=lambda d: int(d[0]))),
        tuple(_signed_sheets(dossier["instances"])), tuple(outcomes))


def _instance(instance: dict[str, Any], definitions: dict[str, Any]) -> InstanceRecord:
    version = definitions.get(str(instance["definition_id"]), {}).get("version")
    return InstanceRecord(instance["id"], instance["process_id"], version, instance["definition_id"],
                          instance["status"], tuple(_event(event) for event in instance["events"]))


def _event(event: dict[str, Any]) -> LoggedEvent:
    name = json.loads(event["data_json"] or "{}").get("name") or ""
    return LoggedEvent(event["seq"], parse_instant(event["at"]), event["kind"], event["actor"], event["role"],
                       event["scope"], name, event["hash"], event["instance_prev_hash"])


def _definition(definition: dict[str, Any]) -> DefinitionRecord:
    deployed = definition.get("deployed_event") or {}
    return DefinitionRecord(definition["id"], definition["process_id"], definition["version"], definition["name"] or "",
                            definition["sha256"], parse_instant(deployed["at"]) if deployed else None,
                            deployed.get("actor"))


def _signed_sheets(instances: list[dict[str, Any]]) -> list[SignedSheet]:
    given = [event for instance in instances for event in instance["events"]
             if event["kind"] == EventKind.TASK_COMPLETED]
    sheets = []
    for event in sorted(given, key=lambda e: e["seq"]):
        data = json.loads(event["data_json"])
        if str(data.get("sheet") or "").startswith(SIGNED_SHEETS):
            sheets.append(SignedSheet(event["seq"], parse_instant(event["at"]), data["sheet"], data.get("name") or "",
                                      event["scope"], signers(event, data.get("form") or {})))
    return sheets


def signers(event: dict[str, Any], form: dict[str, Any]) -> tuple[Signer, ...]:
    """Who gave the sheet, then every further person the sheet names as signing it (a countersignature, 7.4)."""
    listed = [one for one in form.get("signers") or [] if isinstance(one, dict) and one.get("name")]
    if listed:  # the sheet lists its signers itself, the one who gave it first
        return tuple(Signer(str(one["name"]), one.get("login") or (event["actor"] if number == 0 else None),
                            one.get("role") or (event["role"] if number == 0 else None), event["scope"],
                            _date_in(one)) for number, one in enumerate(listed))
    if form.get("member_signed_by"):  # the chair's countersignature of an appointed member's sheet (7.4, 7.5)
        return (Signer(str(form["member_signed_by"]), None, "csb_member", event["scope"],
                       _date_in(form, "member_agreed_on")),
                Signer(str(form.get("countersigned_by") or event["actor"] or ""), event["actor"], event["role"],
                       event["scope"], _date_in(form, "countersigned_on")))
    dated = next((str(form[key]) for key in SIGNING_DATES if form.get(key)), None)
    found = [Signer(_named(form) or event["actor"] or "", event["actor"], event["role"], event["scope"], dated)]
    for key, value in form.items():
        if key.startswith("countersign") and isinstance(value, dict) and value.get("name"):
            found.append(Signer(str(value["name"]), value.get("login"), value.get("role"), event["scope"],
                                _date_in(value) or _date_in(form, "countersigned_on")))
        elif key.startswith("countersign") and key.endswith(("_by", "_name")) and isinstance(value, str) and value:
            found.append(Signer(value, None, None, event["scope"], _date_in(form, "countersigned_on")))
    return tuple(found)


def _named(form: dict[str, Any]) -> str | None:
    for key in SIGNER_NAME_FIELDS:
        if isinstance(form.get(key), str) and form[key]:
            return str(form[key])
    for key in SIGNER_GROUPS:
        group = form.get(key)
        if isinstance(group, dict) and group.get("name"):
            return str(group["name"])
    return None


def _date_in(values: dict[str, Any], *keys: str) -> str | None:
    for key in keys or ("signed_on", "countersigned_on", "on", "date"):
        if values.get(key):
            return str(values[key])
    return None
