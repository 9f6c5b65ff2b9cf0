"""The BIPM platform's web services (Moodle REST, ``moodlewsrestformat=json``), where it grants a token (9.1).

Moodle answers a refused call with HTTP 200 and a body holding ``exception``, ``errorcode`` and
``message``: that is turned into :class:`PlatformError` like a network failure. The states of
``core_completion_get_activities_completion_status`` are 0 incomplete, 1 complete, 2 complete and
passed, 3 complete and failed, with ``timecompleted`` in Unix time — exactly §10's rule.
"""
from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, cast

from engine.base.errors import PlatformError
from engine.monitoring import vocabulary
from engine.monitoring.records import COURSE, Parsed, Person, Record

STATES = {0: vocabulary.INCOMPLETE, 1: vocabulary.COMPLETE, 2: vocabulary.PASSED, 3: vocabulary.FAILED}
KIND = "web-services"


class MoodleClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0):
        if not base_url.lower().startswith(("http://", "https://")):
            raise PlatformError(f"The platform address {base_url!r} must be an http(s) link.")
        self.endpoint = base_url.rstrip("/") + "/webservice/rest/server.php"
        self.token, self.timeout = token, timeout

    def call(self, function: str, **params: Any) -> Any:
        body = urllib.parse.urlencode({"wstoken": self.token, "wsfunction": function,
                                       "moodlewsrestformat": "json", **_flatten(params)}).encode()
        request = urllib.request.Request(self.endpoint, data=body, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise PlatformError(f"The platform answered {function} with HTTP {error.code}.")
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise PlatformError(f"The platform cannot be reached ({getattr(error, 'reason', error)}).")
        except (ValueError, UnicodeDecodeError):
            raise PlatformError(f"The platform's answer to {function} is not JSON.")
        if isinstance(answer, dict) and "exception" in answer:
            raise PlatformError(f"The platform refused {function}: {answer.get('message') or answer['exception']} "
                                f"({answer.get('errorcode', 'no error code')}). Check the token and its service's "
                                "functions.")
        return answer

    def enrolled_users(self, course_id: str) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], self.call("core_enrol_get_enrolled_users", courseid=course_id))

    def activities_status(self, course_id: str, user_id: int) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], self.call("core_completion_get_activities_completion_status",
                                                    courseid=course_id, userid=user_id).get("statuses", []))

    def course_status(self, course_id: str, user_id: int) -> dict[str, Any]:
        return cast(dict[str, Any], self.call("core_completion_get_course_completion_status", courseid=course_id,
                                              userid=user_id).get("completionstatus", {}))

    def module_names(self, course_id: str) -> dict[int, str]:
        """{course module id: name}: the activities' names (the completion statuses give only ids)."""
        sections = self.call("core_course_get_contents", courseid=course_id)
        return {module["id"]: module["name"] for section in sections for module in section.get("modules", [])}


def fetch(client: MoodleClient, course_id: str) -> Parsed:
    """Every enrolled participant's activity and course completion, as an import (nothing stored here)."""
    names = client.module_names(course_id)
    parsed = Parsed(KIND)
    seen: dict[str, None] = {}
    for user in client.enrolled_users(course_id):
        person = Person(str(user.get("fullname") or "").strip() or f"user {user['id']}", user.get("email") or None,
                        str(user["id"]))
        parsed.rows += 1
        for status in client.activities_status(course_id, user["id"]):
            if not status.get("tracking", 1):
                continue
            name = status.get("name") or names.get(status["cmid"]) or f"{status.get('modname', 'module')} {status['cmid']}"
            seen.setdefault(name, None)
            parsed.records.append(Record(person, name, _state(status.get("state")), _time(status.get("timecompleted"))))
        course = client.course_status(course_id, user["id"])
        if course:
            done = bool(course.get("completed"))
            times = [c.get("timecompleted") for c in course.get("completions", []) if c.get("timecompleted")]
            parsed.records.append(Record(person, COURSE, vocabulary.COMPLETE if done else vocabulary.INCOMPLETE,
                                         _time(max(times)) if done and times else None))
    parsed.activities = list(seen)
    return parsed


def _state(value: Any) -> str:
    if value not in STATES:
        raise PlatformError(f"The platform gave the unknown completion state {value!r} (expected 0, 1, 2 or 3).")
    return STATES[value]


def _time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), dt.UTC) if value else None


def _flatten(params: dict[Any, Any], prefix: str = "") -> dict[str, str]:
    """Moodle's REST form encoding: ``options[0][name]=…`` for nested lists and dicts."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name))
        elif isinstance(value, list):
            flat.update(_flatten(dict(enumerate(value)), name))
        else:
            flat[name] = str(value)
    return flat
