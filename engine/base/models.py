"""The database tables, as SQLAlchemy 2 typed declarative models.

Only the engine reads and writes these; views call engine functions.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime, TypeDecorator

from engine.base.clock import UTC


class UTCDateTime(TypeDecorator[Any]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime}


class Definition(Base):
    """One deployed version of one process, with everything needed to run it."""

    __tablename__ = "definitions"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str | None] = mapped_column(String(300))  # the process's ``nameRu`` property (issue 13)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(300))
    # The large columns load only when read: running instances use cached, parsed copies.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    # {process id: BPMN XML} of this process and every process it calls (their diagrams, as deployed).
    files_json: Mapped[str] = mapped_column(Text, deferred=True)
    # The serialized SpiffWorkflow spec (process + called processes): stored
    # once here, never in each instance's state.
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    # {form filename: JSON Schema} for every form a task of this version binds.
    forms_json: Mapped[str] = mapped_column(Text, deferred=True)
    # {lane name: role key} for the lanes of this process and the ones it calls.
    lanes_json: Mapped[str] = mapped_column(Text, deferred=True)
    deployed_at: Mapped[dt.datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(100))
    # What the process owner said the change is for (optional; shown in the version list).
    note: Mapped[str | None] = mapped_column(Text)


class Instance(Base):
    """A running (or finished) process instance, pinned to one definition version."""

    __tablename__ = "instances"
    __table_args__ = (Index("ix_instances_due_timers", "status", "next_timer_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20))  # running | completed | cancelled
    state_json: Mapped[str] = mapped_column(Text)
    # Optimistic concurrency: runtime.persist writes state only WHERE the version
    # is still the one it loaded, and increments it.
    version: Mapped[int] = mapped_column(Integer)
    next_timer_at: Mapped[dt.datetime | None]
    started_at: Mapped[dt.datetime]
    started_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime]
    completed_at: Mapped[dt.datetime | None]
    # The course this instance belongs to (its own process, or a questionnaire answer about it).
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    # The hash of this instance's newest event (its own chain in the event log).
    last_event_hash: Mapped[str | None] = mapped_column(String(64))
    # A ticker firing this instance's timers holds it until then (see runtime.lease_due_instances).
    timer_lease_until: Mapped[dt.datetime | None]

    definition: Mapped[Definition] = relationship(lazy="joined")


class OpenTask(Base):
    """One READY manual task: the inbox reads only this table, never workflows."""

    __tablename__ = "open_tasks"
    # Partial indexes: group tasks by (role, scope), named tasks by assignee, each followed by the inbox's
    # sort keys (a page is read off the index) and by course (the course filter walks it course by course).
    # See inbox.tasks_for and inbox.inbox_courses.
    __table_args__ = (
        Index("ix_open_tasks_group", "role", "scope", "due_at", "created_at", "id",
              sqlite_where=text("assignee IS NULL"), postgresql_where=text("assignee IS NULL")),
        Index("ix_open_tasks_group_course", "role", "scope", "course_id",
              sqlite_where=text("assignee IS NULL"), postgresql_where=text("assignee IS NULL")),
        Index("ix_open_tasks_assignee", "assignee", "due_at", "created_at", "id",
              sqlite_where=text("assignee IS NOT NULL"), postgresql_where=text("assignee IS NOT NULL")),
        Index("ix_open_tasks_assignee_course", "assignee", "course_id",
              sqlite_where=text("assignee IS NOT NULL"), postgresql_where=text("assignee IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"))
    definition_id: Mapped[int] = mapped_column(ForeignKey("definitions.id"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    process_id: Mapped[str] = mapped_column(String(200))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str | None] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(50))
    scope: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    form: Mapped[str | None] = mapped_column(String(300))
    mi_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime | None]


class Event(Base):
    """The append-only, hash-chained audit log."""

    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime]
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    definition_id: Mapped[int | None]
    actor: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(50))
    scope: Mapped[str | None] = mapped_column(String(100))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    process_id: Mapped[str | None] = mapped_column(String(200))
    bpmn_id: Mapped[str | None] = mapped_column(String(200))
    mi_key: Mapped[str | None] = mapped_column(String(200))
    data_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    instance_prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ChainHead(Base):
    """The last event's seq and hash: detects deletion at the end of the log."""

    __tablename__ = "chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    nmi: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    # A temporary password (new person, reset by an administrator) must be replaced at the next login.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[dt.datetime]
    # Raised to end every web session of the user at once (logout, deactivation, password change).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class RoleGrant(Base):
    """A role held by a user, optionally limited to one scope (a CSB code)."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(50))
    scope: Mapped[str | None] = mapped_column(String(100))

    user: Mapped[User] = relationship(back_populates="grants")


class Csb(Base):
    """A COOMET structural body: editable data, not code."""

    __tablename__ = "csbs"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str | None] = mapped_column(String(300))


class Course(Base):
    """The course record (6.2): follows its process from planned to cancelled.

    Written only by the engine, from the forms submitted (course data) and
    the ``courseStatus`` markers the process passes (status).
    """

    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), index=True)
    initiator: Mapped[str | None] = mapped_column(String(300))
    languages: Mapped[str | None] = mapped_column(String(10))
    format: Mapped[str | None] = mapped_column(String(10))
    access: Mapped[str | None] = mapped_column(String(20))
    csbs_json: Mapped[str] = mapped_column(Text, default="[]")
    creator: Mapped[str | None] = mapped_column(String(100))
    coordinator: Mapped[str | None] = mapped_column(String(100))
    implementer: Mapped[str | None] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)
    course_url: Mapped[str | None] = mapped_column(String(2000))
    # The course on the BIPM platform (9.1): its Moodle course id and address, for monitoring imports.
    platform_course_id: Mapped[str | None] = mapped_column(String(50))
    platform_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    published_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    planned_year: Mapped[int | None]  # from the TC 4 survey (6.1)
    last_inspected_at: Mapped[dt.datetime | None]  # the last inspection's sheet (13.2)
    cancel_decision: Mapped[str | None] = mapped_column(Text)  # TC 4's decision reference (13.5)
    # Withdrawn by the sector administrator when created by mistake: off the lists, history kept.
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class CourseStatusChange(Base):
    """A status a course took, and when: the registry keeps only the present one (6.2, 8.2, 13.5)."""

    __tablename__ = "course_status_changes"
    __table_args__ = (Index("ix_course_status_changes_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id"))
    status: Mapped[str] = mapped_column(String(30))
    previous: Mapped[str | None] = mapped_column(String(30))
    at: Mapped[dt.datetime]


class LibraryForm(Base):
    """One form file of the form library: the text the next deploy offers.

    Edited in the web app or offered by ``courseflow deploy``. Deployed
    versions keep their own copy of each form they bind (``forms_json``), so
    saving a form here never changes a running task.
    """

    __tablename__ = "form_library"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[dt.datetime]
    saved_by: Mapped[str | None] = mapped_column(String(100))


class CourseRequest(Base):
    """One submission of the *New course* form: its token makes a double submit open one course."""

    __tablename__ = "course_requests"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[dt.datetime]
