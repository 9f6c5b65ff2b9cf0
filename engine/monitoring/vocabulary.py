"""Moodle's words and dates in English, Russian and French, as the downloading user's language writes them (9.2).

The completion states are Moodle's own language strings (``completion-n``, ``completion-y``,
``completion-pass``, ``completion-fail`` and the ``-override`` variants "set by …") from lang/en, ru and
fr of ``completion.php``, with the older wordings still found in exports of older sites.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

INCOMPLETE, COMPLETE, PASSED, FAILED, VIEWED = "incomplete", "complete", "passed", "failed", "viewed"
STATES = (INCOMPLETE, COMPLETE, PASSED, FAILED, VIEWED)

_COMPLETION_WORDS = {
    INCOMPLETE: ["Not completed", "Не выполнено", "Pas terminé", "Non terminé"],
    COMPLETE: ["Completed", "Выполнено", "Terminé"],
    PASSED: ["Completed (achieved pass grade)", "Выполнено (оценка выше проходного балла)",
             "Выполнено (получена проходная оценка)", "Terminé (note minimale de réussite atteinte)",
             "Terminé (note pour passer atteinte)"],
    FAILED: ["Completed (did not achieve pass grade)", "Выполнено (оценка ниже проходного балла)",
             "Выполнено (не получена проходная оценка)", "Terminé (n’a pas atteint la note minimale de réussite)",
             "Terminé (n'a pas atteint la note minimale de réussite)", "Terminé (note pour passer non atteinte)"],
}
# "Completed (set by Olga)": a teacher's override, in each language.
_OVERRIDES = [(re.compile(r"^(not completed|не выполнено|non terminé|pas terminé) \((set by|отметил\(а\)|défini par) .*\)$"),
               INCOMPLETE),
              (re.compile(r"^(completed|выполнено|terminé) \((set by|отметил\(а\)|défini par) .*\)$"), COMPLETE)]
_STATE_OF = {" ".join(word.split()).casefold(): state for state, words in _COMPLETION_WORDS.items()
             for word in words}
_YES = {"yes", "да", "oui", "1", "y"}
_NO = {"no", "нет", "non", "0", "n", ""}
QUIZ_FINISHED = {"finished", "завершено", "завершенные", "terminé", "terminée"}
QUIZ_UNFINISHED = {"in progress", "в процессе", "en cours", "overdue", "просрочено", "en retard",
                   "never submitted", "никогда не отправлялось", "jamais remis", "jamais remise"}


@functools.lru_cache(maxsize=1024)
def completion_state(word: str) -> str | None:
    """The state a completion cell names, or None when the word is not Moodle's."""
    text = _normal(word)
    if text in _STATE_OF:
        return _STATE_OF[text]
    for pattern, state in _OVERRIDES:
        if pattern.match(text):
            return state
    return None


def yes_no(word: str) -> bool | None:
    text = _normal(word)
    return True if text in _YES else False if text in _NO else None


def _normal(word: str) -> str:
    return " ".join(word.replace("\u00a0", " ").split()).casefold()


_MONTHS = {
    1: ["january", "jan", "января", "январь", "янв", "janvier", "janv"],
    2: ["february", "feb", "февраля", "февраль", "фев", "février", "févr"],
    3: ["march", "mar", "марта", "март", "мар", "mars"],
    4: ["april", "apr", "апреля", "апрель", "апр", "avril", "avr"],
    5: ["may", "мая", "май", "mai"],
    6: ["june", "jun", "июня", "июнь", "июн", "juin"],
    7: ["july", "jul", "июля", "июль", "июл", "juillet", "juil"],
    8: ["august", "aug", "августа", "август", "авг", "août"],
    9: ["september", "sep", "sept", "сентября", "сентябрь", "сен", "septembre"],
    10: ["october", "oct", "октября", "октябрь", "окт", "octobre"],
    11: ["november", "nov", "ноября", "ноябрь", "ноя", "novembre"],
    12: ["december", "dec", "декабря", "декабрь", "дек", "décembre", "déc"],
}
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names}
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2,4})(?:,?\s+(\d{1,2}):(\d{2})\s*(am|pm)?)?$")
_WORDS = re.compile(r"(\d{1,2})\s+([^\W\d_]+)\.?\s+(\d{4})(?:\s*(?:г\.)?,?\s*(?:à\s*)?(\d{1,2})[:h](\d{2})\s*(am|pm)?)?")


def parse_date(text: str, utc_offset: dt.timedelta = dt.timedelta(0)) -> dt.datetime | None:
    """A Moodle date as written in an export (ISO, or "Monday, 5 January 2026, 9:00 AM" in en/ru/fr).

    Returns None for text that is not a date. Moodle writes the downloading user's local time
    without a zone; ``utc_offset`` is that zone's offset (UTC by default).
    """
    if len(text) == 19 and text[4] == "-" and text[10] == " ":  # Moodle's own "YYYY-MM-DD HH:MM:SS", fast
        try:
            return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC) - utc_offset
        except ValueError:
            pass
    value = _normal(text)
    found = _ISO.match(value)
    if found:
        numbers = [int(part or 0) for part in found.groups()]
        return _at(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], utc_offset)
    found = _NUMERIC.match(value)
    if found:
        day, month, year, hour, minute, half = found.groups()
        return _at(_year(year), int(month), int(day), _hour(hour, half), int(minute or 0), 0, utc_offset)
    found = _WORDS.search(value)
    if found and found.group(2) in _MONTH_OF:
        day, month, year, hour, minute, half = found.groups()
        return _at(int(year), _MONTH_OF[month], int(day), _hour(hour, half), int(minute or 0), 0, utc_offset)
    return None


def _year(text: str) -> int:
    return int(text) + 2000 if len(text) == 2 else int(text)


def _hour(hour: str | None, half: str | None) -> int:
    value = int(hour or 0)
    if half == "pm" and value < 12:
        return value + 12
    if half == "am" and value == 12:
        return 0
    return value


def _at(year: int, month: int, day: int, hour: int, minute: int, second: int,
        offset: dt.timedelta) -> dt.datetime | None:
    try:
        local = dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None
    return local - offset


_DURATION_UNITS = {"day": 86400, "days": 86400, "дн": 86400, "день": 86400, "дней": 86400, "jour": 86400,
                   "jours": 86400, "hour": 3600, "hours": 3600, "час": 3600, "часа": 3600, "часов": 3600,
                   "ч": 3600, "heure": 3600, "heures": 3600, "h": 3600, "min": 60, "mins": 60, "мин": 60,
                   "minute": 60, "minutes": 60, "sec": 1, "secs": 1, "сек": 1, "s": 1, "seconde": 1, "secondes": 1}
_DURATION_PART = re.compile(r"(\d+)\s*([^\W\d_]+)\.?")


def parse_duration(text: str) -> int | None:
    """Seconds from Moodle's "Time taken" ("1 hour 5 mins", "5 мин. 3 сек.", "5 min 3 s"); None if not one."""
    value = _normal(text)
    parts = _DURATION_PART.findall(value)
    if not parts or any(unit not in _DURATION_UNITS for _, unit in parts):
        return None
    return sum(int(number) * _DURATION_UNITS[unit] for number, unit in parts)


def parse_number(text: str) -> float | None:
    """A grade as Moodle writes it ("7.50", "7,50"); None for "-" or text that is not a number."""
    value = _normal(text).replace(",", ".")
    try:
        return float(value)
    except ValueError:
        return None
