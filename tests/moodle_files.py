"""Moodle report downloads written as the platform writes them (9.2): CSV UTF-8, Excel CSV, XLSX, ODS, HTML."""
from __future__ import annotations

import csv
import io

WORDS = {
    "en": {"n": "Not completed", "y": "Completed", "pass": "Completed (achieved pass grade)",
           "fail": "Completed (did not achieve pass grade)", "email": "Email address", "course": "Course complete",
           "date": "Completion date"},
    "ru": {"n": "Не выполнено", "y": "Выполнено", "pass": "Выполнено (оценка выше проходного балла)",
           "fail": "Выполнено (оценка ниже проходного балла)", "email": "Адрес электронной почты",
           "course": "Курс завершен", "date": "Дата завершения"},
    "fr": {"n": "Pas terminé", "y": "Terminé", "pass": "Terminé (note minimale de réussite atteinte)",
           "fail": "Terminé (n’a pas atteint la note minimale de réussite)", "email": "Adresse de courriel",
           "course": "Cours terminé", "date": "Date d'achèvement"},
}
ACTIVITIES = ["Module 1. Units", "Module 2. Uncertainty", "Final test"]


def progress_rows(people: list[tuple[str, str, list[tuple[str, str]]]], lang: str = "en",
                  activities: list[str] = ACTIVITIES) -> list[list[str]]:
    """report_progress rows: people as (name, email, [(state key, date)] per activity)."""
    words = WORDS[lang]
    header = ["", words["email"]]
    for name in activities:
        header += [name, ""]
    rows = [header]
    for name, email, states in people:
        row = [name, email]
        for state, date in states:
            row += [words[state], date]
        rows.append(row)
    return rows


def csv_utf8(rows: list[list[str]]) -> bytes:
    """Moodle's "CSV" download: UTF-8, comma, every value quoted."""
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def excel_csv(rows: list[list[str]]) -> bytes:
    """Moodle's "Excel CSV" download: UTF-16LE with a BOM, TAB-separated."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return b"\xff\xfe" + out.getvalue().encode("utf-16-le")


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods(rows: list[list[object]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Grades")
    for row in rows:
        table_row = TableRow()
        for value in row:
            if isinstance(value, str) and value.startswith("="):
                cell = TableCell(formula=f"of:{value}", valuetype="float", value="0")
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=str(value))
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=str(value)))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


QUIZ_HEADER = {
    "en": ["Surname", "First name", "Email address", "State", "Started on", "Completed", "Time taken",
           "Grade/10.00", "Q. 1 /5.00", "Q. 2 /5.00"],
    "ru": ["Фамилия", "Имя", "Адрес электронной почты", "Состояние", "Тест начат", "Завершено",
           "Затраченное время", "Оценка/10,00", "В. 1 /5,00", "В. 2 /5,00"],
    "fr": ["Nom", "Prénom", "Adresse de courriel", "État", "Commencé le", "Terminé", "Temps utilisé",
           "Note/10,00", "Q. 1 /5,00", "Q. 2 /5,00"],
}
QUIZ_STATE = {"en": ("Finished", "In progress"), "ru": ("Завершено", "В процессе"), "fr": ("Terminé", "En cours")}
QUIZ_DATE = {"en": "6 January 2026  10:30 AM", "ru": "6 января 2026, 10:30", "fr": "6 janvier 2026, 10:30"}
QUIZ_TAKEN = {"en": "12 mins 5 secs", "ru": "12 мин. 5 сек.", "fr": "12 min 5 s"}
QUIZ_AVERAGE = {"en": "Overall average", "ru": "Общее среднее", "fr": "Moyenne générale"}


def quiz_rows(lang: str = "en") -> list[list[object]]:
    finished, in_progress = QUIZ_STATE[lang]
    date, taken = QUIZ_DATE[lang], QUIZ_TAKEN[lang]
    return [QUIZ_HEADER[lang],
            ["Ivanova", "Anna", "anna@example.org", finished, date, date, taken, "8.50", "4.00", "4.50"],
            ["Martin", "Paul", "paul@example.org", finished, date, date, taken, "4.00", "2.00", "2.00"],
            ["Petrov", "Boris", "boris@example.org", in_progress, date, "-", "-", "-", "-", "-"],
            [QUIZ_AVERAGE[lang], "", "", "", "", "", "", "6.25", "3.00", "3.25"]]


def course_completion_rows(lang: str = "en") -> list[list[str]]:
    words = WORDS[lang]
    activity = ACTIVITIES[2]
    return [["ID", {"en": "Name", "ru": "Имя", "fr": "Nom"}[lang], words["email"], activity,
             f"{activity} - {words['date']}", words["course"]],
            ["11", "Anna Ivanova", "anna@example.org", words["pass"], "2026-01-06 10:42:00", "2026-01-06 10:42:00"],
            ["12", "Paul Martin", "paul@example.org", words["fail"], "2026-01-06 10:42:00", ""]]


def activity_report_page(rows: list[tuple[str, str]]) -> bytes:
    """Moodle's Activity report (report_outline) saved from the browser."""
    body = "".join(f"<tr><td class='cell'><a href='#'>{name}</a></td><td>{views}</td><td>-</td>"
                   f"<td>Monday, 5 January 2026</td></tr>" for name, views in rows)
    return (f"<!DOCTYPE html><html><head><script>alert(1)</script></head><body><table class='generaltable'>"
            f"<thead><tr><th>Activity</th><th>Views</th><th>Related blog entries</th><th>Last access</th></tr></thead>"
            f"<tbody>{body}</tbody></table></body></html>").encode()


PARTICIPATION = {"en": ("Full name", "All actions", "Yes", "No"), "ru": ("Полное имя", "Все действия", "Да", "Нет"),
                 "fr": ("Nom complet", "Toutes les actions", "Oui", "Non")}


def participation_page(people: list[tuple[str, int]], lang: str = "en") -> bytes:
    """Moodle's Course participation report for one module saved from the browser: "Yes (n)" or "No" per person."""
    name, actions, yes, no = PARTICIPATION[lang]
    body = "".join(f"<tr><td><a href='#'>{person}</a></td><td>{f'{yes} ({count})' if count else no}</td>"
                   f"<td><input type='checkbox'></td></tr>" for person, count in people)
    return (f"<!DOCTYPE html><html><body><table id='participants' class='generaltable'><thead><tr><th>{name}</th>"
            f"<th>{actions}</th><th>Select</th></tr></thead><tbody>{body}</tbody></table></body></html>").encode()
