"""English and Russian: the user's language, the message catalogs, and
picking the right label out of schemas, task rows and role names.

Message catalogs live as ``translations/<lang>/LC_MESSAGES/messages.po`` and
are compiled to ``.mo`` when the app starts (no build step, nothing binary
in the repository).
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, request, session
from flask_babel import get_locale
from markupsafe import Markup

from engine import ROLES

LANGUAGES = ("en", "ru")
CATALOGS = Path(__file__).parent / "translations"


def compiled_catalogs() -> str:
    """Compile every .po catalog into a fresh directory; return it for BABEL_TRANSLATION_DIRECTORIES."""
    target = Path(tempfile.mkdtemp(prefix="courseflow-i18n-"))
    for po in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(CATALOGS).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source, mo.open("wb") as out:
            write_mo(out, read_po(source))
    return str(target)


def select_locale() -> str:
    """The language chosen in this session (set at login from the user's profile), else the browser's."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "en"


def lang() -> str:
    """The request's language, looked up once per request (a long page asks for it on every row)."""
    if "lang_code" not in g:
        g.lang_code = str(get_locale() or "en")
    return str(g.lang_code)


def label(obj: dict | None, key: str = "title", default: str = "") -> str:
    """A schema's (or option's) label in the current language: ``x-title-ru`` beside ``title``."""
    if not obj:
        return default
    if lang() == "ru" and obj.get(f"x-{key}-ru"):
        return obj[f"x-{key}-ru"]
    return obj.get(key) or default


def task_name(task) -> str:
    return task.name_ru if lang() == "ru" and getattr(task, "name_ru", None) else task.name


def name_in(name: str, names_ru: dict[str, str]) -> str:
    """An element's name in the current language, given the Russian names (``nameRu``) of its definition."""
    return names_ru.get(name, name) if lang() == "ru" else name


def role_name(key: str | None) -> str:
    role = ROLES.get(key or "")
    if role is None:
        return key or ""
    return role.name_ru if lang() == "ru" else role.name


def by_role_name(keys) -> list[str]:
    """Role keys in the order of their names as shown (alphabetical in the reader's language)."""
    return sorted(keys, key=lambda key: role_name(key).casefold())


def grant_name(role: str, scope: str | None) -> str:
    """A role as people read it: its translated name, and the CSB it is held for."""
    return f"{role_name(role)} ({scope})" if scope else role_name(role)


def csb_name(csb) -> str:
    """A CSB list entry's name in the current language."""
    return csb.name_ru if lang() == "ru" and csb.name_ru else csb.name


def process_name(version) -> str:
    """A deployed process's name in the current language (its ``nameRu`` in Russian)."""
    return version.name_ru if lang() == "ru" and getattr(version, "name_ru", None) else version.name


def course_name(course) -> str:
    """The name of a course record in the current language."""
    return course.name_ru if lang() == "ru" and course.name_ru else course.name


def task_course(task) -> str:
    """The name of the course an inbox task belongs to, in the current language."""
    return task.course_name_ru if lang() == "ru" and task.course_name_ru else (task.course_name or "")


def display(prop: dict | None, value) -> str:
    """A recorded value as a person reads it: option labels, YES/NO, lists and contact groups joined."""
    from flask_babel import gettext

    prop = prop or {}
    if value is None:
        return "—"
    if isinstance(value, bool):
        return gettext("YES") if value else gettext("NO")
    if isinstance(value, dict):
        inner = prop.get("properties", {})
        return "; ".join(f"{label(inner.get(k), default=k)}: {display(inner.get(k), v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(display(prop.get("items"), v) for v in value)
    for option in prop.get("oneOf", []):
        if option.get("const") == value:
            return label(option, default=str(value))
    if prop.get("format") in ("date", "date-time") and isinstance(value, str):
        return day(value)
    return str(value)


def day(text: str) -> str:
    """An ISO date (or date-time) a form recorded, in the reader's date format; as written if it is no date."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return day_text(moment) + (moment.strftime(" %H:%M") if "T" in text else "")


SECTIONS = {"course_creation": ("§6 Creation", "Раздел 6. Создание"),
            "certificate_issuing": ("§10 Certificates", "Раздел 10. Сертификаты"),
            "annual_report": ("§11.3 Annual report", "Пункт 11.3. Годовой отчёт"),
            "course_agreeing": ("§7 Agreeing", "Раздел 7. Согласование"),
            "csb_agreeing": ("§7 Agreeing in a CSB", "Раздел 7. Согласование в СОК"),
            "course_review": ("§8 Review and approval", "Раздел 8. Экспертиза и утверждение"),
            "course_inspection": ("§13 Inspection", "Раздел 13. Проверка"),
            "course_service": ("§13 In service", "Раздел 13. Курс в эксплуатации"),
            "satisfaction": ("§11 Satisfaction", "Раздел 11. Удовлетворенность"),
            "quarterly_analysis": ("§11 Quarterly analysis", "Раздел 11. Ежеквартальный анализ")}


def section(process_id: str) -> str:
    """The section of the recommendation a process implements, for people (its id otherwise)."""
    names = SECTIONS.get(process_id)
    return (names[1] if lang() == "ru" else names[0]) if names else process_id


def clause(text: str) -> str:
    """A clause reference such as "Appendix 1, 7.3" as people read it: "Appendix 1, clause 7.3" /
    "Приложение 1, пункт 7.3"."""
    from flask_babel import gettext, ngettext

    parts = [part.strip() for part in text.split(",") if part.strip()]
    appendices = [gettext("Appendix %(number)s", number=part.split()[-1]) for part in parts
                  if part.startswith("Appendix")]
    numbers = [part for part in parts if not part.startswith("Appendix")]
    said = appendices + ([ngettext("clause %(numbers)s", "clauses %(numbers)s", len(numbers),
                                   numbers=", ".join(numbers))] if numbers else [])
    joined = ", ".join(said)
    return joined[:1].upper() + joined[1:]


def event_name(kind: str) -> str:
    """An audit event's kind as people read it, in the current language."""
    from flask_babel import gettext

    names = {"instance_started": gettext("process started"), "task_completed": gettext("task completed"),
             "message_received": gettext("message received"), "instance_migrated": gettext("moved to a newer version"),
             "timer_fired": gettext("time limit reached"), "task_cancelled": gettext("task cancelled"),
             "instance_completed": gettext("process completed"), "task_claimed": gettext("task claimed"),
             "task_unclaimed": gettext("task released"), "timer_failed": gettext("time limit could not fire")}
    return names.get(kind, kind.replace("_", " "))


def verdict(outcome, entries=()) -> Markup:
    """A replay's verdict in the current language, naming the process; the replay's own diagnosis stays English."""
    from flask_babel import gettext, ngettext

    process = outcome.process_id or next((e.process_id for e in entries if e.instance_id == outcome.instance_id), None)
    named = Markup("{} ({})").format(section(process) if process else outcome.instance_id,
                                     ngettext("%(num)d event", "%(num)d events", outcome.events))
    if outcome.ok:
        return Markup("{}: {}").format(named, gettext("reproduced by re-execution"))
    said = {"diverged": gettext("diverged"), "chain broken": gettext("the hash chain is broken")}.get(
        outcome.status, outcome.status)
    where = gettext("at event %(number)s", number=outcome.event) if outcome.event is not None else gettext(
        "at the end")
    return Markup('{}: {} {}: <span lang="en">{}</span>').format(named, said, where, outcome.detail)


DAY_FORMATS = {"ru": "%d.%m.%Y", "en": "%b %Y"}  # English days have no leading zero, as courseflow.js shows them


def day_text(moment: dt.date) -> str:
    """A day as the reader's language writes it: 01.12.2026, or 1 Dec 2026."""
    if lang() == "ru":
        return moment.strftime(DAY_FORMATS["ru"])
    return f"{moment.day} {moment.strftime(DAY_FORMATS['en'])}"


def when(moment: dt.datetime | str | None, with_time: bool = False) -> Markup:
    """A moment in the reader's language (01.12.2026 in Russian), UTC on hover; courseflow.js turns it into the
    viewer's time zone."""
    if moment is None:
        return Markup("")
    if isinstance(moment, str):  # an ISO instant as the event log keeps it
        moment = dt.datetime.fromisoformat(moment)
    utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    shown = day_text(utc) + (utc.strftime(" %H:%M") if with_time else "")
    # Every part is made here from the datetime (digits, ASCII month names): nothing to escape.
    return Markup(f'<time datetime="{utc.isoformat()}" title="{utc:%Y-%m-%d %H:%M} UTC" '
                  f'data-local="{"moment" if with_time else "day"}">{shown}</time>')


TEMPLATE_HELPERS = {"when": when, "clause": clause, "event_name": event_name, "display": display, "section": section, "sections": SECTIONS, "label": label, "task_name": task_name, "name_in": name_in, "verdict": verdict, "role_name": role_name, "by_role_name": by_role_name, "grant_name": grant_name, "csb_name": csb_name, "course_name": course_name, "process_name": process_name,
                    "task_course": task_course, "lang": lang}
