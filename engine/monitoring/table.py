"""A downloaded report as rows of text: CSV (UTF-8 or UTF-16LE with BOM, comma or TAB), XLSX, ODS or saved HTML.

Spreadsheets with formulas are refused: a report from the platform holds values only, and a
formula's cached value is whatever the last program to save the file computed.
"""
from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from engine.base.errors import FileRefused

Rows = list[list[str]]
MAX_BYTES = 64 * 1024 * 1024


def read(content: bytes, filename: str = "") -> Rows:
    """The file's rows (trailing empty rows dropped); refuses what no reader understands."""
    if not content.strip():
        raise FileRefused("the file is empty")
    if len(content) > MAX_BYTES:
        raise FileRefused(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    if content.startswith(b"PK"):
        rows = _spreadsheet(content)
    else:
        rows = _csv(_text(content))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise FileRefused("the file holds no rows")
    return rows


def _text(content: bytes) -> str:
    if content.startswith(b"\xff\xfe"):
        encoding = "utf-16-le"
        content = content[2:]
    elif content.startswith(b"\xfe\xff"):
        encoding, content = "utf-16-be", content[2:]
    else:
        encoding = "utf-8-sig"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as error:
        line = content[:error.start].count(b"\n") + 1
        raise FileRefused(f"the file is not {encoding.upper().replace('-SIG', '')} text: save the platform's "
                          "download as it came (\"CSV\" is UTF-8, \"Excel CSV\" is UTF-16 with a BOM)", line)


def _csv(text: str) -> Rows:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    if delimiter == "," and first_line.count(";") > first_line.count(","):
        delimiter = ";"
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as error:
        raise FileRefused(f"the CSV cannot be read: {error}")


def _spreadsheet(content: bytes) -> Rows:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise FileRefused("the file looks like a spreadsheet but is damaged")
    if "content.xml" in names:
        _refuse_ods_formulas(archive.read("content.xml"))
    elif "xl/workbook.xml" in names:
        _refuse_xlsx_formulas(content)
    else:
        raise FileRefused("the file is a zip archive but neither an XLSX nor an ODS spreadsheet")
    return _calamine_rows(content)


def _calamine_rows(content: bytes) -> Rows:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # the library raises its own, unexported error types
        raise FileRefused(f"the spreadsheet cannot be read: {error}")
    return [[_cell_text(cell) for cell in row] for row in sheet]


def _cell_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "isoformat"):
        return str(cell.isoformat(sep=" ") if hasattr(cell, "hour") else cell.isoformat())
    return "" if cell is None else str(cell).strip()


def _refuse_xlsx_formulas(content: bytes) -> None:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise FileRefused(f"the spreadsheet cannot be read: {error}")
    sheet = book.worksheets[0]
    for row_number, row in enumerate(sheet.iter_rows(), start=1):
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                raise FileRefused("the spreadsheet holds a formula; upload the platform's download as it came",
                                  row_number, cell.column)
    book.close()


_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def _refuse_ods_formulas(content_xml: bytes) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content_xml, parser)
    except etree.XMLSyntaxError as error:
        raise FileRefused(f"the spreadsheet cannot be read: {error}")
    table = root.find(f".//{{{_TABLE}}}table")
    if table is None:
        return
    for row_number, row in enumerate(table.iter(f"{{{_TABLE}}}table-row"), start=1):
        column = 0
        for cell in row:
            column += 1
            if cell.get(f"{{{_TABLE}}}formula"):
                raise FileRefused("the spreadsheet holds a formula; upload the platform's download as it came",
                                  row_number, column)


def html_tables(content: bytes) -> list[Rows]:
    """Every table of a saved HTML page as rows of cell text (no script runs, no entity or network is fetched)."""
    parser = lxml_html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        text: str | bytes = content.decode("utf-8-sig")  # Moodle's pages are UTF-8, saved with or without <meta>
    except UnicodeDecodeError:
        text = content  # another encoding: lxml reads the page's own <meta charset>
    try:
        root = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise FileRefused(f"the page cannot be read as HTML: {error}")
    tables = []
    for table in root.iter("table"):
        rows = [[" ".join(cell.text_content().split()) for cell in tr if cell.tag in ("td", "th")]
                for tr in table.iter("tr")]
        tables.append([row for row in rows if row])
    return tables
