"""Parsing untrusted XML (uploaded BPMN): no entities, no network, bounded size."""
from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 2 * 1024 * 1024


class XmlRejected(ValueError):
    """The document is too large or not well-formed; ``line`` where known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(content: bytes) -> etree._ElementTree:
    """Parse ``content`` safely; raise :class:`XmlRejected` with a line number."""
    if len(content) > MAX_XML_BYTES:
        raise XmlRejected(f"the file is {len(content)} bytes; the limit is {MAX_XML_BYTES} bytes")
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as error:
        raise XmlRejected(f"not well-formed XML: {error.msg}", error.lineno) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise XmlRejected("a DOCTYPE is not allowed in BPMN files (entities are never expanded)", 1)
    return tree
