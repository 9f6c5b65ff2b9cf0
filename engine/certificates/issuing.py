"""Issuing certificates (10.1-10.3): to eligible participants only, numbered, with a secret verification token,
the evidence, a PDF and its sha256, mailed through the outbox with the PDF attached, audited."""
from __future__ import annotations

import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.base import clock
from engine.base.errors import CourseFlowError, NotFound
from engine.base.models import Course
from engine.certificates import document, eligibility, numbering
from engine.certificates import settings as certificate_settings
from engine.certificates.models import SUPERSEDED, VALID, Certificate
from engine.certificates.settings import CertificateSettings
from engine.mail import outbox
from engine.mail import settings as mail_settings
from engine.mail.models import IMMEDIATELY
from engine.mail.recipients import Person
from engine.mail.texts import Letter
from engine.monitoring.models import Participant
from engine.proof import audit

TOKEN_BYTES = 24  # 192 bits

LETTER = {
    "en": ("Your COOMET certificate {number}", "Dear {name},",
           ["You have completed the COOMET e-learning course \u201c{course}\u201d with positive results (10.1).",
            "Your certificate {number} is attached as a PDF. Anyone may check it at the address below (10.3)."],
           "Verify the certificate"),
    "ru": ("Ваш сертификат КООМЕТ {number}", "Уважаемый(ая) {name}!",
           ["Вы успешно завершили электронный курс КООМЕТ «{course}» (10.1).",
            "Ваш сертификат {number} приложен в формате PDF. Его подлинность можно проверить по ссылке ниже (10.3)."],
           "Проверить сертификат"),
}


@dataclass(frozen=True)
class Issued:
    """A certificate just issued: its number, its token (shown once: only its hash is stored) and link."""

    number: str
    token: str
    holder: str
    email: str
    url: str
    pdf_sha256: str
    message: int
    pdf_path: str = ""

    def as_json(self) -> dict[str, Any]:
        return dict(vars(self))


def issue(session: Session, course_id: int, participant_ids: list[int] | None, by: str,
          settings: CertificateSettings, supersedes: Certificate | None = None) -> list[tuple[Issued, bytes]]:
    """Issue to every eligible participant without a valid certificate (or to those named, who must be eligible)."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"There is no course {course_id}.", reason="no_course", course=course_id)
    verdicts = eligibility.course_eligibility(session, course_id, participant_ids)
    if participant_ids is not None:
        _check_named(verdicts, participant_ids, supersedes)
    chosen = [v for v in verdicts if v.eligible and (v.certificate is None or supersedes is not None)]
    return [_issue_one(session, course, verdict, by, settings, supersedes) for verdict in chosen]


def _check_named(verdicts: list[eligibility.Eligibility], wanted: list[int], supersedes: Certificate | None) -> None:
    found = {v.participant_id: v for v in verdicts}
    for pid in wanted:
        verdict = found.get(pid)
        if verdict is None:
            raise NotFound(f"Participant {pid} is not a participant of this course.", reason="not_participant", participant=pid)
        if not verdict.eligible:
            raise CourseFlowError(f"{verdict.name} is not eligible (10.1): {'; '.join(verdict.reasons)}.", reason="not_eligible", name=verdict.name, reasons="; ".join(verdict.reasons))
        if verdict.certificate and supersedes is None:
            raise CourseFlowError(f"{verdict.name} already holds certificate {verdict.certificate}; "
                                  "revoke it or issue a corrected one in its place.", reason="holds_certificate", name=verdict.name, number=verdict.certificate)


def _issue_one(session: Session, course: Course, verdict: eligibility.Eligibility, by: str,
               settings: CertificateSettings, supersedes: Certificate | None) -> tuple[Issued, bytes]:
    now = clock.now()
    seq = numbering.take(session, now.year)
    number = settings.number(now.year, seq)
    token = new_token()
    url = settings.verification_url(token)
    modules = tuple(e.activity for e in verdict.evidence)
    content = document.Content(number, verdict.name, course.name, course.name_ru or course.name,
                               verdict.completed_on, now.date(), modules)
    pdf = document.pdf(content, url, settings)
    digest = hashlib.sha256(pdf).hexdigest()
    participant = session.get(Participant, verdict.participant_id)
    assert participant is not None and verdict.email
    row = Certificate(number=number, year=now.year, sequence=seq,
                      token_sha256=token_hash(token), course_id=course.id, participant_key=participant.key,
                      holder=verdict.name, email=verdict.email, course_name=course.name,
                      course_name_ru=course.name_ru or course.name, completed_on=verdict.completed_on,
                      modules=json.dumps(modules, ensure_ascii=False),
                      evidence=json.dumps([e.as_json() for e in verdict.evidence], ensure_ascii=False),
                      language="+".join(settings.languages), pdf=pdf, pdf_sha256=digest, issued_at=now,
                      issued_by=by, status=VALID, supersedes=supersedes.number if supersedes else None)
    session.add(row)
    if supersedes is not None:
        supersedes.status, supersedes.superseded_by = SUPERSEDED, number
        supersedes.revoked_at, supersedes.revoked_by = now, by
    message = _mail(session, row, url)
    audit.append(session, [audit.NewEvent("certificate_issued", actor=by, data={
        "number": number, "course": course.id, "participant": participant.key, "pdf_sha256": digest,
        "supersedes": row.supersedes, "message": message,
        "evidence": [e.as_json() for e in verdict.evidence]})], now)
    return Issued(number, token, verdict.name, verdict.email, url, digest, message), pdf


def new_token() -> str:
    """A URL-safe random token that never starts with "-" (it is also a command-line argument)."""
    while (token := secrets.token_urlsafe(TOKEN_BYTES)).startswith("-"):
        pass
    return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_again(session: Session, number: str) -> int:
    """Queue the stored PDF again to its holder's address (a student asked for it again); audited."""
    certificate = valid_certificate(session, number)
    url = certificate_settings.from_env().base_url.rstrip("/") + "/certificates/verify"
    message = _mail(session, certificate, url)
    audit.append(session, [audit.NewEvent("certificate_sent_again", data={"number": number, "message": message})],
                 clock.now())
    return message


def _mail(session: Session, certificate: Certificate, url: str) -> int:
    """Queue the letter with the PDF to the address registered on the platform (10.3); its outbox id."""
    language = "ru" if "ru" in certificate.language and "en" not in certificate.language else "en"
    subject, hello, body, link = LETTER[language]
    name = certificate.course_name_ru if language == "ru" else certificate.course_name
    letter = Letter(subject.format(number=certificate.number), hello.format(name=certificate.holder),
                    [line.format(course=name, number=certificate.number) for line in body], (link, url))
    person = Person(None, certificate.holder, certificate.email, language, IMMEDIATELY)
    row = outbox.row(person, "certificate", letter, mail_settings.domain_from_env(os.environ),
                     course_id=certificate.course_id)
    message: int = session.execute(insert(outbox.outbox).values(
        **row, attachment_name=f"{certificate.number}.pdf", attachment=certificate.pdf)
        .returning(outbox.outbox.c.id)).scalar_one()
    return message


def valid_certificate(session: Session, number: str) -> Certificate:
    found = session.scalar(select(Certificate).where(Certificate.number == number))
    if found is None:
        raise NotFound(f"There is no certificate {number}.", reason="no_certificate", number=number)
    return found
