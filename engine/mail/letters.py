"""The letters about tasks — available, reminder, overdue, daily digest — in the recipient's language,
each with a direct link and a link to the person's mail settings."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engine.mail.models import DAILY
from engine.mail.recipients import Person
from engine.mail.texts import Letter, one_line, words

PREFERENCES_PATH = "/mail/preferences"


@dataclass(frozen=True)
class TaskFacts:
    """What a letter says of a task (from an open-task row and its course)."""

    id: str
    name: str
    name_ru: str | None
    due_at: dt.datetime | None
    course: str | None
    course_ru: str | None

    def task(self, language: str) -> str:
        return one_line((self.name_ru if language == "ru" and self.name_ru else self.name), 200)

    def course_name(self, language: str) -> str:
        name = self.course_ru if language == "ru" and self.course_ru else self.course
        return one_line(name, 200) if name else words(language)["no_course"]


def task_link(base_url: str, task_id: str) -> str:
    return f"{base_url}/tasks/{task_id}"


def _start(person: Person, base_url: str) -> tuple[dict[str, str], str, tuple[str, str, str]]:
    w = words(person.language)
    how = w["daily"] if person.frequency == DAILY else w["immediately"]
    return w, w["hello"].format(name=person.name), (w["footer"].replace("{how}", how), w["footer_label"],
                                                     base_url + PREFERENCES_PATH)


def _due(w: dict[str, str], task: TaskFacts) -> list[str]:
    return [w["due"].format(due=f"{task.due_at:%Y-%m-%d %H:%M}")] if task.due_at else []


def task_opened(person: Person, task: TaskFacts, base_url: str) -> Letter:
    w, hello, footer = _start(person, base_url)
    names = dict(task=task.task(person.language), course=task.course_name(person.language))
    return Letter(w["opened_subject"].format(**names), hello, [w["opened_body"].format(**names), *_due(w, task)],
                  (w["open_task"], task_link(base_url, task.id)), footer=footer)


def _due_at(task: TaskFacts) -> dt.datetime:
    if task.due_at is None:
        raise ValueError(f"task {task.id} has no due date")
    return task.due_at


def reminder(person: Person, task: TaskFacts, now: dt.datetime, base_url: str) -> Letter:
    w, hello, footer = _start(person, base_url)
    days = max(1, -(-(_due_at(task) - now) // dt.timedelta(days=1)))  # whole days left, rounded up
    names = dict(task=task.task(person.language), course=task.course_name(person.language), days=days,
                 due=f"{task.due_at:%Y-%m-%d %H:%M}")
    return Letter(w["reminder_subject"].format(**names), hello, [w["reminder_body"].format(**names)],
                  (w["open_task"], task_link(base_url, task.id)), footer=footer)


def days_late(task: TaskFacts, now: dt.datetime) -> int:
    return max(1, -(-(now - _due_at(task)) // dt.timedelta(days=1)))


def overdue(person: Person, task: TaskFacts, now: dt.datetime, people: list[Person], base_url: str) -> Letter:
    w, hello, footer = _start(person, base_url)
    names = dict(task=task.task(person.language), course=task.course_name(person.language),
                 days=days_late(task, now), due=f"{task.due_at:%Y-%m-%d %H:%M}")
    with_whom = ", ".join(p.described(w["no_address"]) for p in people) or "—"
    return Letter(w["overdue_subject"].format(**names), hello,
                  [w["overdue_body"].format(**names), w["overdue_people"].format(people=with_whom)],
                  (w["open_task"], task_link(base_url, task.id)), footer=footer)


def digest(person: Person, day: dt.date, items: list[tuple[str, str]], base_url: str) -> Letter:
    """``items``: (subject of the held letter, its task link) for each task of the day."""
    w, hello, footer = _start(person, base_url)
    return Letter(w["digest_subject"].format(count=len(items), day=f"{day:%Y-%m-%d}"), hello,
                  [w["digest_body"].format(day=f"{day:%Y-%m-%d}")], items=items, footer=footer)
