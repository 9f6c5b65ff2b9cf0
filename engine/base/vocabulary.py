"""The engine's words, in one place: the kinds of event in the log, and the statuses of instances and courses.

Each is a ``StrEnum``: members are the very strings stored in the database and
hashed into the event log, so comparing with a stored value needs no conversion.
"""
from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    # an instance's life (replay re-executes the driving ones and re-derives the derived ones)
    INSTANCE_STARTED = "instance_started"
    TASK_COMPLETED = "task_completed"
    MESSAGE_RECEIVED = "message_received"
    INSTANCE_MIGRATED = "instance_migrated"
    TIMER_FIRED = "timer_fired"
    TASK_CANCELLED = "task_cancelled"
    INSTANCE_COMPLETED = "instance_completed"
    # who works on a task, and timers that could not fire
    TASK_CLAIMED = "task_claimed"
    TASK_UNCLAIMED = "task_unclaimed"
    TIMER_FAILED = "timer_failed"
    # definitions
    DEFINITION_DEPLOYED = "definition_deployed"
    FORM_SAVED = "form_saved"
    # people
    USER_ADDED = "user_added"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    USER_ACTIVATED = "user_activated"
    USER_DEACTIVATED = "user_deactivated"
    # §11 questionnaire access (never who answered: a code is consumed without an event of its own)
    QUESTIONNAIRE_ACCESS_SET = "questionnaire_access_set"
    QUESTIONNAIRE_CODES_ISSUED = "questionnaire_codes_issued"
    # added by the areas built since: people, mail, §12, §9, hardening, reports
    ANNUAL_REPORT_FINALISED = "annual_report_finalised"
    COURSE_PLATFORM_SET = "course_platform_set"
    COURSE_WITHDRAWN = "course_withdrawn"
    CSB_ADDED = "csb_added"
    INVITATIONS_SENT = "invitations_sent"
    LOGINS_BLOCKED = "logins_blocked"
    MAIL_DELIVERED = "mail_delivered"
    MAIL_PREFERENCE_SET = "mail_preference_set"
    MAIL_RETRIED = "mail_retried"
    MONITORING_IMPORTED = "monitoring_imported"
    NMI_REMOVED = "nmi_removed"
    NMI_SAVED = "nmi_saved"
    PARTICIPANTS_PURGED = "participants_purged"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    PERSON_CHANGED = "person_changed"
    SESSIONS_ENDED = "sessions_ended"
    TASK_WITHDRAWN = "task_withdrawn"


DRIVING_EVENTS = (EventKind.INSTANCE_STARTED, EventKind.TASK_COMPLETED, EventKind.MESSAGE_RECEIVED,
                  EventKind.INSTANCE_MIGRATED)
DERIVED_EVENTS = (EventKind.TIMER_FIRED, EventKind.TASK_CANCELLED, EventKind.INSTANCE_COMPLETED)


class InstanceStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class CourseStatus(StrEnum):
    """A course's place in the procedure, as the registry lists it (6.2, 8.2, 13.5)."""
    PLANNED = "planned"
    IN_PREPARATION = "in preparation"
    AGREEING = "agreeing"
    UNDER_REVIEW = "under review"
    PUBLISHED = "published"
    UNDER_INSPECTION = "under inspection"
    UPDATING = "updating"
    CANCELLED = "cancelled"


STATUSES = tuple(CourseStatus)
LIST_STATUSES = tuple(s for s in CourseStatus if s is not CourseStatus.CANCELLED)  # the List of created courses (6.2)
CATALOGUE_STATUSES = (CourseStatus.PUBLISHED, CourseStatus.UNDER_INSPECTION, CourseStatus.UPDATING)  # the catalogue (8.2)
