"""Every string the web app shows through gettext has a Russian translation."""
from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.coomet import REPO

METHODS = [("**/modeller/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]


def test_every_message_of_the_web_app_is_translated_to_russian():
    with open(REPO / "webapp/translations/ru/LC_MESSAGES/messages.po", "rb") as catalog:
        russian = read_po(catalog)
    shown = {message for _, _, message, _, _ in extract_from_dir(REPO / "webapp", METHODS)
             if isinstance(message, str)}
    assert shown, "no messages found: the extraction itself is broken"
    missing = sorted(m for m in shown if m not in russian or not russian[m].string)
    assert not missing, f"not translated in messages.po: {missing}"
