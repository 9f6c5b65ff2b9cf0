"""What one pass of the mail worker reports."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MailRun:
    """One pass: notices and digests queued, then messages sent, left to retry, and failed for good.

    ``held`` counts messages waiting in the outbox because no SMTP server is configured.
    """

    notices: int = 0
    digests: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
