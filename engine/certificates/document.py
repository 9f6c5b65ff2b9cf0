"""The certificate's PDF: an HTML template (Jinja2, autoescaped) made into a PDF by WeasyPrint, one page per
language configured, with a QR code (segno, SVG) of its verification URL (10.2, 10.3)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from jinja2 import Environment

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

TEMPLATE = """<!doctype html>
<html><head><meta charset="utf-8"><style>
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
.signatory { display: inline-block; width: 70mm; margin-right: 10mm; border-top: 1px solid #1b2a3a; padding-top: 1mm;
             font-size: 10pt; }
.qr { position: absolute; right: 14mm; bottom: 8mm; width: 40mm; text-align: center; word-break: break-all; }
.qr img { width: 34mm; height: 34mm; }
</style></head><body>
{% for w, language in pages %}
<div class="page" lang="{{ language }}">
  <div class="issuer">{{ issuer[language] }}</div>
  <h1>{{ w.title }}</h1>
  <div class="small">{{ w.number }} <b>{{ c.number }}</b></div>
  <p>{{ w.certifies }}</p>
  <div class="holder">{{ c.holder }}</div>
  <p>{{ w.completed }}</p>
  <div class="course">{{ c.course_ru if language == "ru" else c.course }}</div>
  <div>{{ w.on }}: {{ c.completed_on }} · {{ w.issued }}: {{ c.issued_on }}</div>
  {% if c.modules %}<div class="small">{{ w.modules }}:</div>
  <ul>{% for m in c.modules %}<li>{{ m }}</li>{% endfor %}</ul>{% endif %}
  <div class="signatories">{% for s in signatories %}<div class="signatory">
    {{ s.name_ru if language == "ru" else s.name }}<br><span class="small">{{ s.title_ru if language == "ru" else s.title }}</span>
  </div>{% endfor %}</div>
  <p class="small">{{ w.basis.format(rec=recommendation) }}</p>
  <div class="qr"><img src="{{ qr }}" alt="QR"><div class="small">{{ w.verify }}:<br>{{ url }}</div></div>
</div>
{% endfor %}
</body></html>"""
_TEMPLATE = Environment(autoescape=True).from_string(TEMPLATE)


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
    return _TEMPLATE.render(c=content, url=url, qr=qr_svg_uri(url), issuer=settings.issuer,
                            pages=[(WORDS[language], language) for language in settings.languages],
                            signatories=settings.signatories, recommendation=settings.recommendation)


def pdf(content: Content, url: str, settings: CertificateSettings) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a certificate is made

    return HTML(string=html(content, url, settings)).write_pdf()
