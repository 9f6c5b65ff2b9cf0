"""Sending the final annual report to TC 4 (11.3, 9.3): one mail per holder of the ``tc4`` role, in their
language, through the outbox, with the PDF in that language attached."""
from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine.mail import outbox
from engine.mail.recipients import holding
from engine.mail.texts import Letter
from engine.mail.texts import words as mail_words
from engine.reports.labels import words
from engine.reports.models import Document

KIND = "annual_report"


def send(session: Session, year: int, pdfs: dict[str, Document], domain: str) -> int:
    """Queue the mails in the caller's transaction; return how many (people without an address get none)."""
    count = 0
    for person in holding(session.connection(), "tc4"):
        if not person.address:
            continue
        language = person.language if person.language in pdfs else "en"
        w, pdf = words(language), pdfs[language]
        letter = Letter(w["mail_subject"].format(year=year), mail_words(language)["hello"].format(name=person.name),
                        [w["mail_body"].format(year=year, sha256=pdf.sha256)])
        row = outbox.row(person, KIND, letter, domain)
        session.execute(insert(outbox.outbox).values(**row, attachment_name=pdf.filename, attachment=pdf.content))
        count += 1
    return count
