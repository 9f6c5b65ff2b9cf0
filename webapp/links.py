"""Which stored links may be rendered as clickable links: http(s) only, never ``javascript:`` or ``data:``."""
from __future__ import annotations

from urllib.parse import urlsplit


def web_link(value: object) -> str | None:
    """``value`` if it is an http(s) link with a host, else ``None`` (the page then shows it as plain text)."""
    if not isinstance(value, str) or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None
