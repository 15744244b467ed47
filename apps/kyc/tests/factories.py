"""Sanctions/PEP list files for tests. Entries are loaded through the import service, as in production, so they
are indexed and a re-import of the same list delists what the file no longer holds.

    import_list(ListRowFactory(name="Ivan Petrov", source_id="EU-1"), ListRowFactory(name="Hans Gruber"))
"""

from __future__ import annotations

import csv
import io
from typing import Any

import factory

from apps.kyc.models import ScreeningListImport
from apps.kyc.services import import_screening_list
from apps.kyc.services.screening import CSV_COLUMNS

SANCTIONS_LIST = "EU consolidated sanctions"


class ListRowFactory(factory.DictFactory):
    """One line of a list file (aliases as a list)."""

    name = factory.Sequence(lambda n: f"Listed Person {n:04d}")
    aliases = factory.LazyFunction(list)
    date_of_birth = ""
    country = ""
    list_name = SANCTIONS_LIST
    source_id = factory.Sequence(lambda n: f"SRC-{n:05d}")


def list_file(*rows: dict[str, Any]) -> io.StringIO:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "aliases": ";".join(row["aliases"])})
    text.seek(0)
    return text


def import_list(*rows: dict[str, Any], actor: Any = None, file_name: str = "list.csv",
                **options: Any) -> ScreeningListImport:
    """Import a file holding exactly ``rows``: each list named in it is replaced by its rows. ``options``: the
    service's other arguments (allow_mass_delisting, mass_delisting_reason)."""
    return import_screening_list(stream=list_file(*rows), file_name=file_name, actor=actor, **options)
