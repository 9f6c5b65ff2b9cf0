"""What the person signing a sheet need not type: their name, phone and e-mail from their profile (or from
their sheet of the previous round), today's date, and the questionnaire link CourseFlow serves (6.9)."""
from __future__ import annotations

from flask import url_for

from .extensions import engine

SIGNER_GROUPS = ("reviewer_details", "administrator_details")  # Appendix 1 and 2: the signer's own contacts
SIGNER_NAMES = ("signed_by", "approver_name", "countersigned_by")
SIGNING_DATES = ("agreed_on", "approved_on", "countersigned_on")
QUESTIONNAIRE_LINK = "survey_link"


def defaults(schema: dict, login: str, earlier_sheets) -> dict:
    """Initial values for the signer's fields of ``schema``, for ``login`` (sheets newest first)."""
    props = schema.get("properties", {})
    person = engine().person(login)
    profile = {"name": person.name, "email": person.email, "phone": person.phone, "nmi": person.nmi}
    values: dict = {}
    for group in SIGNER_GROUPS:
        if group not in props:
            continue
        previous: dict = next((s.data[group] for s in earlier_sheets if s.actor == login and isinstance(
            s.data.get(group), dict)), {})
        inner = props[group].get("properties", {})
        filled = {key: previous.get(key) or profile.get(key) for key in inner if previous.get(key) or profile.get(key)}
        if filled:
            values[group] = filled
    for key in SIGNER_NAMES:
        if key in props:
            values[key] = person.name
    today = engine().clock.now().date().isoformat()
    for key in SIGNING_DATES:
        if key in props:
            values[key] = today
    return values


def questionnaire_link(schema: dict, course_id: int | None) -> dict:
    """The student questionnaire's address, which the creator no longer types (6.9)."""
    if course_id is None or QUESTIONNAIRE_LINK not in schema.get("properties", {}):
        return {}
    return {QUESTIONNAIRE_LINK: url_for("public.questionnaire", course_id=course_id, _external=True)}
