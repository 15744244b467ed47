"""Validation of our goAML XML against the schema of the subset we emit (goaml_sar_subset.xsd, XSD 1.0)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SUBSET_SCHEMA = Path(__file__).resolve().parent / "goaml_sar_subset.xsd"


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SUBSET_SCHEMA)))


def goaml_errors(content: bytes) -> list[str]:
    """What makes ``content`` invalid, in the schema validator's words with their line; empty when valid."""
    try:
        document = etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        return [f"not well-formed XML: {error}"]
    schema = _schema()
    if schema.validate(document):
        return []
    return [f"line {entry.line}: {entry.message}" for entry in schema.error_log]
