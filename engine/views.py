"""Views the front door hands out for rows the front ends read: plain frozen values, never database rows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.base.models import Definition, Instance


@dataclass(frozen=True)
class DefinitionView:
    """One deployed version of a process."""
    id: int
    process_id: str
    version: int
    name: str
    filename: str
    sha256: str
    deployed_at: dt.datetime
    deployed_by: str | None

    @classmethod
    def of(cls, row: Definition) -> DefinitionView:
        return cls(row.id, row.process_id, row.version, row.name, row.filename, row.sha256, row.deployed_at,
                   row.deployed_by)


@dataclass(frozen=True)
class InstanceView:
    """One process instance as it stands (its state stays inside the engine)."""
    id: str
    process_id: str
    definition_id: int
    definition_version: int
    status: str
    course_id: int | None
    started_at: dt.datetime
    started_by: str
    completed_at: dt.datetime | None
    next_timer_at: dt.datetime | None
    state_bytes: int

    @classmethod
    def of(cls, row: Instance) -> InstanceView:
        return cls(row.id, row.process_id, row.definition_id, row.definition.version, row.status, row.course_id,
                   row.started_at, row.started_by, row.completed_at, row.next_timer_at, len(row.state_json))
