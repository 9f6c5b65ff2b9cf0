"""Invitation letters (12.1): when a course is published, the Secretariat sends one letter to each NMI of the
directory — the course, its link, its access (open, or restricted and how to get in, 4.6) and its
coordinators' contacts — through the outbox, in the NMI's language; each letter sent is recorded."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from engine.announcement.models import Invitation, Nmi
from engine.base import clock
from engine.base.errors import CourseFlowError, NotFound
from engine.base.models import Course, User
from engine.base.vocabulary import CATALOGUE_STATUSES, EventKind
from engine.mail import outbox
from engine.mail.models import IMMEDIATELY, OutboxMessage
from engine.mail.recipients import Person
from engine.mail.texts import Letter, one_line
from engine.proof import audit

WORDS = {
    "en": {"subject": "New COOMET e-learning course: {course}", "hello": "Dear colleagues of {nmi},",
           "body": "The COOMET e-learning course \u201c{course}\u201d is now available on the BIPM e-learning "
                   "platform (12.1).",
           "open": "Access: open to all authorised users of the BIPM e-learning platform (4.6).",
           "restricted": "Access: restricted (4.6): the course coordinator gives an access key or enrols the "
                         "participants; please write to the coordinator.",
           "coordinators": "Course coordinator(s): {people}.", "link": "Open the course",
           "regards": "COOMET Secretariat"},
    "ru": {"subject": "Новый электронный курс КООМЕТ: {course}", "hello": "Уважаемые коллеги из {nmi}!",
           "body": "Электронный курс КООМЕТ «{course}» размещён на платформе электронного обучения МБМВ (12.1).",
           "open": "Доступ: открытый для всех авторизованных пользователей платформы МБМВ (4.6).",
           "restricted": "Доступ: ограниченный (4.6): координатор курса высылает ключ доступа или записывает "
                         "участников; пожалуйста, напишите координатору.",
           "coordinators": "Координатор(ы) курса: {people}.", "link": "Открыть курс",
           "regards": "Секретариат КООМЕТ"},
}


@dataclass(frozen=True)
class InvitationView:
    """One letter sent, with the delivery state of its outbox message."""

    nmi: str
    country: str
    email: str
    sent_by: str
    sent_at: dt.datetime
    message: int
    state: str
    last_error: str | None


def _course(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(f"There is no course {course_id}.", reason="no_course", course=course_id)
    if course.status not in CATALOGUE_STATUSES:
        raise CourseFlowError(f"\u201c{course.name}\u201d is {course.status}: invitations go out once it is "
                              f"published (12.1).", reason="invite_unpublished", name=course.name, status=course.status)
    if not course.course_url or urlsplit(course.course_url).scheme not in ("http", "https"):
        raise CourseFlowError(f"\u201c{course.name}\u201d has no http(s) link on the BIPM platform yet (6.10).", reason="invite_no_link", name=course.name)
    return course


def letter(session: Session, course_id: int, nmi: str, language: str) -> Letter:
    course = _course(session, course_id)
    url = course.course_url or ""
    w = WORDS.get(language, WORDS["en"])
    name = course.name_ru if language == "ru" and course.name_ru else course.name
    coordinators = [u for u in session.scalars(select(User).where(User.login == course.coordinator))]
    people = ", ".join(f"{u.name} <{u.email}>" if u.email else u.name for u in coordinators) or "—"
    return Letter(w["subject"].format(course=one_line(name, 300)), w["hello"].format(nmi=nmi),
                  [w["body"].format(course=name), w["restricted" if course.access == "restricted" else "open"],
                   w["coordinators"].format(people=people), w["regards"]],
                  (w["link"], url))


def preview(session: Session, course_id: int) -> dict[str, Letter]:
    """The letter in English and in Russian, as an NMI would get it."""
    return {language: letter(session, course_id, "NMI" if language == "en" else "НМИ", language)
            for language in ("en", "ru")}


def send(session: Session, course_id: int, by: str, domain: str) -> int:
    """Queue one letter to each NMI not yet invited to this course; record each; return how many."""
    course, now = _course(session, course_id), clock.now()
    invited = set(session.scalars(select(Invitation.nmi_name).where(Invitation.course_id == course_id)))
    nmis = [n for n in session.scalars(select(Nmi).order_by(Nmi.country, Nmi.name)) if n.name not in invited]
    if not nmis:
        raise CourseFlowError("Every NMI of the directory has been invited to this course already; add NMIs to "
                              "the directory first." if invited else "The NMI directory is empty: add the NMIs "
                              "first (12.1).", reason="all_invited" if invited else "no_nmis")
    sent = []
    for nmi in nmis:
        person = Person(None, nmi.name, nmi.email, nmi.language, IMMEDIATELY)
        row = outbox.row(person, "invitation", letter(session, course_id, nmi.name, nmi.language), domain,
                         course_id=course.id)
        message = session.execute(insert(outbox.outbox).values(**row).returning(outbox.outbox.c.id)).scalar_one()
        session.add(Invitation(course_id=course.id, nmi_name=nmi.name, country=nmi.country, email=nmi.email,
                               message=message, sent_by=by, sent_at=now))
        sent.append(nmi.name)
    audit.append(session, [audit.NewEvent(EventKind.INVITATIONS_SENT, actor=by, data={"course": course.id, "nmis": sent})],
                 now)
    return len(sent)


def views(session: Session, course_id: int) -> list[InvitationView]:
    rows = session.execute(select(Invitation, OutboxMessage.state, OutboxMessage.last_error)
                           .join(OutboxMessage, OutboxMessage.id == Invitation.message)
                           .where(Invitation.course_id == course_id).order_by(Invitation.country, Invitation.nmi_name))
    return [InvitationView(i.nmi_name, i.country, i.email, i.sent_by, i.sent_at, i.message, state, error)
            for i, state, error in rows]
