"""A submitted sheet laid out as on paper (Appendices 1-3 and every other form): the course and CSB at the top,
the fields in the form's own order with the paper's headings, contact groups as NMI / Name / Contact rows,
empty fields as a blank line, and date, signature and name at the bottom.

One layout serves the sheet page, the task's side panel, the dossier and the PDF.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import g
from flask_babel import gettext as _

from .extensions import engine
from .i18n import clause, day, display, label, lang, role_name
from .schemaform import read_only_rows

TOP = ("course_name", "course_name_ru", "csb", "course_id")
DATE_FIELDS = ("agreed_on", "approved_on", "countersigned_on")      # the paper's "Date" at the bottom
NAME_FIELDS = ("signed_by", "approver_name", "countersigned_by")    # the paper's "Name" at the bottom
CONTACT = ("phone", "email")


@dataclass(frozen=True)
class Row:
    kind: str  # heading | group | field | records
    label: str
    value: str = ""
    key: str = ""
    records: tuple = ()  # a read-only list of records (e.g. 11.2's quarters): rows of cells


@dataclass(frozen=True)
class Countersign:
    """The chair's decision on an appointed member's sheet (7.4, 7.5): countersigned, or returned with comments."""

    countersigned: bool
    date: str
    signature: str
    name: str
    comments: str


@dataclass(frozen=True)
class Layout:
    title: str
    clause: str
    course: str
    csb: str
    rows: list[Row] = field(default_factory=list)
    date: str = ""
    signature: str = ""
    name: str = ""
    countersign: Countersign | None = None


def _headings(sheet_name: str | None) -> dict[str, str]:
    """The paper's own headings, placed before the field they introduce."""
    if sheet_name == "appendix2.json":
        return {"proper_description": _("Compliance of the course with the requirements of recommendation "
                                        "COOMET R/TR/XX:202_ in terms of:")}
    if sheet_name == "appendix1_initial.json":
        return {"reviewer_details": _("INITIAL AGREEING ON THE COURSE"), "complies": _("Course")}
    if sheet_name == "appendix1_reagreeing.json":
        return {"reviewer_details": _("RE-AGREEING ON THE COURSE"), "complies": _("Course")}
    return {}


def _people() -> dict:
    if "people" not in g:
        g.people = {person.login: person for person in engine().users()}
    return g.people


def person_name(login: str | None) -> str:
    """A person's name instead of their login (the login if nobody has it)."""
    found = _people().get(login or "")
    return found.name if found else (login or "")


def layout(sheet, course=None) -> Layout:
    schema = sheet.schema or {}
    props = schema.get("properties") or {key: {} for key in sheet.data}
    data = sheet.data
    headings = _headings(sheet.sheet)
    rows: list[Row] = []
    for key, prop in props.items():
        if key in TOP or key in DATE_FIELDS or key in NAME_FIELDS:
            continue
        if key in headings:
            rows.append(Row("heading", headings[key]))
        rows.extend(_rows(key, prop, data.get(key)))
    date, signature, name = _signed(sheet)
    countersign = getattr(sheet, "countersign", None)
    return Layout(
        title=label(schema, default=sheet.name),
        clause=clause(str(schema.get("x-clause") or "")),
        course=_course_name(course, data), csb=str(data.get("csb") or sheet.scope or ""), rows=rows, date=date,
        signature=signature, name=name, countersign=_countersign(countersign) if countersign else None)


def _signed(sheet) -> tuple[str, str, str]:
    """The paper's date, electronic signature and name of whoever submitted ``sheet``."""
    data = sheet.data
    signer = _people().get(sheet.actor or "")
    signer_name = signer.name if signer else (sheet.actor or "")
    who = role_name(sheet.role) + (f" ({sheet.scope})" if sheet.scope else "")
    date = day(next((str(data[k]) for k in DATE_FIELDS if data.get(k)), sheet.at.strftime("%Y-%m-%d")))
    signature = _("Signed electronically by %(name)s, %(role)s, on %(when)s UTC", name=signer_name, role=who,
                  when=day(sheet.at.strftime("%Y-%m-%dT%H:%M")))
    return date, signature, next((str(data[k]) for k in NAME_FIELDS if data.get(k)), signer_name)


def _countersign(sheet) -> Countersign:
    """The second signature of a member's sheet: the chair who countersigned it, or returned it (7.4, 7.5)."""
    date, signature, name = _signed(sheet)
    return Countersign(sheet.data.get("countersign_decision") == "countersign", date, signature, name,
                       str(sheet.data.get("chair_comments") or ""))


def _course_name(course, data: dict) -> str:
    if course is not None:
        return course.name_ru if lang() == "ru" and course.name_ru else course.name
    if lang() == "ru" and data.get("course_name_ru"):
        return str(data["course_name_ru"])
    return str(data.get("course_name") or "")


def _rows(key: str, prop: dict, value) -> list[Row]:
    records = read_only_rows(prop, value)
    if records:
        return [Row("records", label(prop, default=key), key=key, records=tuple(records))]
    if prop.get("type") != "object" or not prop.get("properties"):
        return [Row("field", label(prop, default=key), _text(prop, value), key)]
    inner, given = prop["properties"], value if isinstance(value, dict) else {}
    rows = [Row("group", label(prop, default=key), key=key)]
    for sub, sub_prop in inner.items():
        if sub in CONTACT and all(c in inner for c in CONTACT):
            if sub == CONTACT[0]:
                contact = ", ".join(str(given[c]) for c in CONTACT if given.get(c))
                text = _("Contact details (phone, email)") if "nmi" in inner else _("Phone, email")
                rows.append(Row("field", text, contact, f"{key}.contact"))
            continue
        rows.append(Row("field", label(sub_prop, default=sub), _text(sub_prop, given.get(sub)), f"{key}.{sub}"))
    return rows


def _text(prop: dict, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    return display(prop, value)
