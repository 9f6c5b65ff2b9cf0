"""What a certificate says and how it is numbered, from configuration (10.2: R/TR/27:2023 — cited there as
R/IT/27, a slip — is not at hand, so its fields, numbering and signatories are configuration, not code).

``COURSEFLOW_CERTIFICATE_CONFIG`` names a JSON file; every key is optional::

    {"number_pattern": "COOMET-{year}-{seq:04d}", "languages": ["en", "ru"],
     "issuer": {"en": "COOMET", "ru": "КООМЕТ"}, "recommendation": "COOMET R/TR/27:2023",
     "signatories": [{"name": "…", "name_ru": "…", "title": "…", "title_ru": "…"}]}

``COURSEFLOW_BASE_URL`` is the public address the verification link and QR code point to, and
``COURSEFLOW_CERTIFICATE_DIR`` the folder the PDFs are also written to (default ``instance/certificates``).
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.base.errors import CourseFlowError

DEFAULT_PATTERN = "COOMET-{year}-{seq:04d}"
LANGUAGES = ("en", "ru")
DEFAULT_SIGNATORIES = (
    {"name": "COOMET sector administrator", "name_ru": "Администратор сектора КООМЕТ",
     "title": "BIPM e-learning platform", "title_ru": "Платформа электронного обучения МБМВ"},
    {"name": "Chair of COOMET TC 4", "name_ru": "Председатель ТК 4 КООМЕТ",
     "title": "Information and Training", "title_ru": "Информация и обучение"},
)


@dataclass(frozen=True)
class Signatory:
    name: str
    name_ru: str
    title: str
    title_ru: str


@dataclass(frozen=True)
class CertificateSettings:
    number_pattern: str = DEFAULT_PATTERN
    languages: tuple[str, ...] = LANGUAGES
    issuer: dict[str, str] = field(default_factory=lambda: {"en": "COOMET", "ru": "КООМЕТ"})
    recommendation: str = "COOMET R/TR/27:2023"
    signatories: tuple[Signatory, ...] = tuple(Signatory(**s) for s in DEFAULT_SIGNATORIES)
    base_url: str = "http://localhost:5000"
    directory: Path = Path("instance") / "certificates"

    def number(self, year: int, seq: int) -> str:
        return self.number_pattern.format(year=year, seq=seq)

    def verification_url(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/certificates/verify/{token}"


def from_env(env: Mapping[str, str] | None = None) -> CertificateSettings:
    env = os.environ if env is None else env
    base_url = env.get("COURSEFLOW_BASE_URL", "").strip() or "http://localhost:5000"
    if not base_url.lower().startswith(("http://", "https://")):
        raise CourseFlowError(f"COURSEFLOW_BASE_URL={base_url!r} must be an http(s) address, e.g. "
                              "https://courseflow.coomet.org.")
    directory = Path(env.get("COURSEFLOW_CERTIFICATE_DIR", "").strip() or Path("instance") / "certificates")
    path = env.get("COURSEFLOW_CERTIFICATE_CONFIG", "").strip()
    values = _read(Path(path)) if path else {}
    settings = CertificateSettings(base_url=base_url, directory=directory)
    return CertificateSettings(
        number_pattern=_pattern(values.get("number_pattern", settings.number_pattern)),
        languages=_languages(values.get("languages", list(settings.languages))),
        issuer={**settings.issuer, **values.get("issuer", {})},
        recommendation=str(values.get("recommendation", settings.recommendation)),
        signatories=tuple(_signatory(s) for s in values["signatories"]) if "signatories" in values
        else settings.signatories,
        base_url=base_url, directory=directory)


def _read(path: Path) -> dict[str, Any]:
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CourseFlowError(f"COURSEFLOW_CERTIFICATE_CONFIG: cannot read {path} as JSON: {error}") from None
    if not isinstance(values, dict):
        raise CourseFlowError(f"COURSEFLOW_CERTIFICATE_CONFIG: {path} must hold a JSON object.")
    return values


def _pattern(pattern: str) -> str:
    try:
        first, second = pattern.format(year=2027, seq=1), pattern.format(year=2027, seq=2)
    except (KeyError, ValueError, IndexError) as error:
        raise CourseFlowError(f"number_pattern {pattern!r} is not a pattern of {{year}} and {{seq}}: {error}") from None
    if first == second or "{year" not in pattern:
        raise CourseFlowError(f"number_pattern {pattern!r} must contain {{year}} and {{seq}} (e.g. {DEFAULT_PATTERN}).")
    return pattern


def _languages(languages: list[str]) -> tuple[str, ...]:
    chosen = tuple(language for language in languages if language in LANGUAGES)
    if not chosen or len(chosen) != len(languages):
        raise CourseFlowError(f"languages {languages!r}: choose \"en\", \"ru\" or both.")
    return chosen


def _signatory(values: dict[str, Any]) -> Signatory:
    try:
        return Signatory(str(values["name"]), str(values.get("name_ru", values["name"])),
                         str(values.get("title", "")), str(values.get("title_ru", values.get("title", ""))))
    except (KeyError, TypeError):
        raise CourseFlowError("every signatory needs at least a \"name\".") from None
