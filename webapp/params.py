"""Numbers and JSON from requests, kept within what the database and parser can take (no 500 on hostile input)."""
from __future__ import annotations

from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # PostgreSQL INTEGER; larger ids cannot exist


def db_int(value: str) -> int:
    """``type=`` for ``request.args.get``: an integer the database can hold, else ``ValueError`` (the default is used)."""
    number = int(value)
    if not -MAX_DB_INT <= number <= MAX_DB_INT:
        raise ValueError(f"{value!r} is out of range")
    return number


class DatabaseIntConverter(IntegerConverter):
    """``<int:…>`` in URLs: an id beyond the database's range is simply not found (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON bodies nested too deeply are malformed JSON (400 or ``None`` when silent), not a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None
