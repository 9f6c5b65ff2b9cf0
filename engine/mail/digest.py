"""The daily digest: the letters held for people who chose it, gathered into one mail per person and day
once that day (UTC, engine clock) is over."""
from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from engine.base import clock
from engine.mail import letters, outbox, recipients
from engine.mail.models import DIGEST, DIGESTED, OFF
from engine.mail.settings import MailSettings

table = outbox.outbox


def compose_due(session: Session, settings: MailSettings, domain: str, skip_locked: bool) -> int:
    """Gather every held letter of a day before today into its recipient's digest; return the digests queued."""
    now = clock.now()
    today = dt.datetime.combine(now.date(), dt.time(), now.tzinfo)
    query = (select(table.c.id, table.c.recipient, table.c.subject, table.c.task_id, table.c.created_at)
             .where(table.c.state == DIGEST, table.c.created_at < today)
             .order_by(table.c.recipient, table.c.created_at, table.c.id))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    held = session.execute(query).all()
    made = 0
    for (login, day), group in groupby(held, key=lambda r: (r.recipient, r.created_at.date())):
        items = list(group)
        made += _one_digest(session, login, day, items, settings, domain)
    return made


def _one_digest(session: Session, login: str, day: dt.date, items: list[Any], settings: MailSettings,
                domain: str) -> int:
    ids = [item.id for item in items]
    person = recipients.person(session.connection(), login)
    if person is None or person.frequency == OFF or not person.address:
        session.execute(update(table).where(table.c.id.in_(ids)).values(
            state=DIGESTED, last_error="not sent: the person turned mail off, has no address or was deactivated"))
        return 0
    lines = [(item.subject, letters.task_link(settings.base_url, item.task_id)) for item in items]
    row = outbox.row(person, "digest", letters.digest(person, day, lines, settings.base_url), domain)
    digest_id = session.execute(insert(table).values(**row).returning(table.c.id)).scalar_one()
    session.execute(update(table).where(table.c.id.in_(ids)).values(state=DIGESTED, digest_id=digest_id))
    return 1
