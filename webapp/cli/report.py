"""§11.3 and §9.3: the annual report to TC 4 from the current data, as files (no process, nothing stored)."""
from __future__ import annotations

from pathlib import Path

import click

from webapp.cli.common import engine_for_reading, handles_errors, main


@main.group()
def report():
    """Reports made from the current data."""


@report.command()
@click.option("--year", type=int, required=True, metavar="YYYY", help="The calendar year the report covers.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True, metavar="FILE.pdf",
              help="Where to write the A4 PDF.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write the figures as an XLSX workbook.")
@click.option("--language", type=click.Choice(["en", "ru"]), default="en", show_default=True,
              help="The PDF's language.")
@handles_errors
def annual(year, output, xlsx, language):
    """The annual report to TC 4 (11.3, 9.3): courses created, agreed, published, updated and cancelled in the
    year, each course's monitoring, satisfaction and quarterly analyses, certificates, Ind-e.1.6 and the
    open and overdue tasks."""
    engine = engine_for_reading()
    output.write_bytes(engine.annual_report_pdf(year, language))
    click.echo(f"wrote {output}")
    if xlsx is not None:
        xlsx.write_bytes(engine.annual_report_xlsx(year))
        click.echo(f"wrote {xlsx}")
