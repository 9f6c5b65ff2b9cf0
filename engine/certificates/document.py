"""The certificate's PDF: HTML (every value escaped) made into a PDF by WeasyPrint, one page per
language configured, with a QR code (segno, SVG) of its verification URL (10.2, 10.3)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

import segno

from engine.certificates.settings import CertificateSettings

WORDS = {
    "en": {"title": "Certificate", "certifies": "This is to certify that", "completed":
           "has successfully completed the COOMET e-learning course", "on": "Completed on", "modules": "Modules",
           "number": "Certificate No.", "verify": "Verify at", "issued": "Issued on",
           "basis": "Issued under section 10 of the COOMET rules for e-learning courses and {rec}."},
    "ru": {"title": "Сертификат", "certifies": "Настоящим удостоверяется, что", "completed":
           "успешно завершил(а) электронный курс КООМЕТ", "on": "Дата завершения", "modules": "Модули",
           "number": "Сертификат №", "verify": "Проверка подлинности", "issued": "Дата выдачи",
           "basis": "Выдан согласно разделу 10 правил КООМЕТ для электронных курсов и {rec}."},
}

STYLE = """
@page { size: A4 landscape; margin: 14mm; }
body { font-family: "DejaVu Sans", sans-serif; color: #1b2a3a; }
.page { page-break-after: always; border: 3px double #1d4f7c; padding: 10mm 14mm; height: 160mm; position: relative; }
.page:last-child { page-break-after: auto; }
.issuer { font-size: 13pt; letter-spacing: 2px; color: #1d4f7c; }
h1 { font-size: 30pt; margin: 4mm 0 6mm; color: #1d4f7c; }
.holder { font-size: 22pt; font-weight: bold; margin: 3mm 0; }
.course { font-size: 16pt; font-style: italic; margin: 3mm 0 5mm; }
.small { font-size: 9pt; color: #44566a; }
ul { margin: 1mm 0; font-size: 10pt; }
.signatories { margin-top: 8mm; }
.signatory { display: inline-block; vertical-align: top; width: 70mm; margin-right: 10mm;
             border-top: 1px solid #1b2a3a; padding-top: 1mm; font-size: 10pt; }
.qr { position: absolute; right: 14mm; bottom: 8mm; width: 40mm; text-align: center; word-break: break-all; }
.qr img { width: 34mm; height: 34mm; }
"""

@dataclass(frozen=True)
class Content:
    number: str
    holder: str
    course: str
    course_ru: str
    completed_on: dt.date | None
    issued_on: dt.date
    modules: tuple[str, ...]


def qr_svg_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def html(content: Content, url: str, settings: CertificateSettings) -> str:
    """Every value escaped: names and course titles come from imported files."""
    pages = "".join(_page(content, url, settings, language) for language in settings.languages)
    return f'<!doctype html><html><head><meta charset="utf-8"><style>{STYLE}</style></head><body>{pages}</body></html>'


def _page(c: Content, url: str, settings: CertificateSettings, language: str) -> str:
    w, ru = WORDS[language], language == "ru"
    modules = "".join(f"<li>{escape(m)}</li>" for m in c.modules)
    people = "".join(f'<div class="signatory">{escape(s.name_ru if ru else s.name)}<br>'
                     f'<span class="small">{escape(s.title_ru if ru else s.title)}</span></div>'
                     for s in settings.signatories)
    return (f'<div class="page" lang="{language}"><div class="issuer">{escape(settings.issuer.get(language, ""))}</div>'
            f'<h1>{w["title"]}</h1><div class="small">{w["number"]} <b>{escape(c.number)}</b></div>'
            f'<p>{w["certifies"]}</p><div class="holder">{escape(c.holder)}</div><p>{w["completed"]}</p>'
            f'<div class="course">{escape(c.course_ru if ru else c.course)}</div>'
            f'<div>{w["on"]}: {c.completed_on or "–"} · {w["issued"]}: {c.issued_on}</div>'
            + (f'<div class="small">{w["modules"]}:</div><ul>{modules}</ul>' if modules else "")
            + f'<div class="signatories">{people}</div>'
            f'<p class="small">{escape(w["basis"].format(rec=settings.recommendation))}</p>'
            f'<div class="qr"><img src="{qr_svg_uri(url)}" alt="QR"><div class="small">{w["verify"]}:<br>'
            f'{escape(url)}</div></div></div>')


def pdf(content: Content, url: str, settings: CertificateSettings) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a certificate is made

    made: bytes = HTML(string=html(content, url, settings)).write_pdf()
    return made
