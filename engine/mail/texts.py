"""The words of every mail in English and Russian, and their rendering as plain text and HTML.

User text (course and task names) goes into the body as it is (escaped in HTML)
and into the subject on one line (see :func:`one_line`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "hello": "Hello {name},",
        "no_course": "(no course yet)",
        "due": "Due: {due} UTC.",
        "open_task": "Open the task",
        "opened_subject": "New task: {task} — {course}",
        "opened_body": "A task is waiting for you in CourseFlow: \u201c{task}\u201d, course \u201c{course}\u201d.",
        "reminder_subject": "Reminder: \u201c{task}\u201d is due in {days} day(s) — {course}",
        "reminder_body": "The task \u201c{task}\u201d of the course \u201c{course}\u201d is due on {due} UTC "
                         "(in {days} day(s)).",
        "overdue_subject": "Overdue by {days} day(s): {task} — {course}",
        "overdue_body": "The task \u201c{task}\u201d of the course \u201c{course}\u201d was due on {due} UTC "
                        "and is {days} day(s) late (7.3).",
        "overdue_people": "It is with: {people}.",
        "no_address": "no e-mail address",
        "digest_subject": "CourseFlow: {count} new task(s) on {day}",
        "digest_body": "These tasks became available for you on {day}:",
        "immediately": "as soon as a task is yours",
        "daily": "once a day, as a digest",
        "footer": "You get these mails {how}. To change that or turn them off: {url}",
        "footer_label": "mail settings",
    },
    "ru": {
        "hello": "Здравствуйте, {name}!",
        "no_course": "(курса ещё нет)",
        "due": "Срок: {due} UTC.",
        "open_task": "Открыть задачу",
        "opened_subject": "Новая задача: {task} — {course}",
        "opened_body": "В CourseFlow вас ждёт задача «{task}» по курсу «{course}».",
        "reminder_subject": "Напоминание: срок задачи «{task}» — через {days} дн. — {course}",
        "reminder_body": "Срок задачи «{task}» по курсу «{course}» — {due} UTC (через {days} дн.).",
        "overdue_subject": "Просрочено на {days} дн.: {task} — {course}",
        "overdue_body": "Срок задачи «{task}» по курсу «{course}» истёк {due} UTC; просрочка — {days} дн. (7.3).",
        "overdue_people": "Задача у: {people}.",
        "no_address": "нет адреса электронной почты",
        "digest_subject": "CourseFlow: новых задач за {day}: {count}",
        "digest_body": "Задачи, поступившие вам {day}:",
        "immediately": "сразу, как только задача становится вашей",
        "daily": "раз в день, сводкой",
        "footer": "Вы получаете эти письма {how}. Изменить это или отключить письма: {url}",
        "footer_label": "настройки почты",
    },
}


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def one_line(text: str, limit: int = 400) -> str:
    """Any run of whitespace (CR and LF included) becomes one space: user text never starts a new header."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


@dataclass(frozen=True)
class Letter:
    """What a mail says: paragraphs, optional items (a digest), a main link, and the settings footer."""

    subject: str
    greeting: str
    paragraphs: list[str]
    link: tuple[str, str] | None = None  # (label, http(s) URL)
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, http(s) URL)
    footer: tuple[str, str, str] | None = None  # (text with {url}, label, URL)

    def as_text(self) -> str:
        lines = [self.greeting, ""]
        for paragraph in self.paragraphs:
            lines += [paragraph, ""]
        lines += [f"  - {text}\n    {url}" for text, url in self.items]
        if self.items:
            lines.append("")
        if self.link:
            lines += [f"{self.link[0]}: {self.link[1]}", ""]
        if self.footer:
            lines += ["-- ", self.footer[0].format(url=self.footer[2])]
        return "\n".join(lines) + "\n"

    def as_html(self) -> str:
        parts = [f"<p>{escape(self.greeting)}</p>"]
        parts += [f"<p>{escape(p)}</p>" for p in self.paragraphs]
        if self.items:
            parts.append("<ul>" + "".join(f'<li><a href="{escape(url)}">{escape(text)}</a></li>'
                                          for text, url in self.items) + "</ul>")
        if self.link:
            parts.append(f'<p><a href="{escape(self.link[1])}">{escape(self.link[0])}</a></p>')
        if self.footer:
            text, label, url = self.footer
            before, _, after = text.partition("{url}")
            parts.append(f'<p style="color:#555;font-size:smaller">{escape(before)}'
                         f'<a href="{escape(url)}">{escape(label)}</a>{escape(after)}</p>')
        return ('<!doctype html><html><body style="font-family:sans-serif;line-height:1.4">'
                + "".join(parts) + "</body></html>")
