"""The ``courseflow`` command line: a thin front end over :class:`engine.Engine`, one module per area.

Errors go to stderr with exit status 1 (2 for a malformed command line);
``--json`` prints machine-readable output on stdout. Commands that only read
never upgrade the schema nor take a write lock: ``courseflow init`` does that.
"""
from webapp.cli import (  # noqa: F401  (they register their commands)
    certificates,
    courses,
    mail,
    monitoring,
    people,
    processes,
    proof,
    report,
    satisfaction,
    server,
    work,
)
from webapp.cli.common import main

__all__ = ["main"]
