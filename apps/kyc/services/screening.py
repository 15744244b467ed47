"""Sanctions and PEP screening: importing a list, screening customers against it, deciding hits.

The matching itself (normalization, blocking keys, scores) is apps.kyc.name_matching; this module feeds it from the
database: the ``ScreeningToken`` inverted index gives, for a batch of customers, only the listed entries that
share a blocking key with one of them. What a delisting does to entries and hits is apps.kyc.services.delisting.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from apps.customers.countries import is_country_code
from apps.customers.models import Customer
from apps.domain_errors import DomainError
from apps.kyc.errors import (
    HitAlreadyDecided,
    InvalidScreeningList,
    NotAllowedToImportScreeningList,
    NotAllowedToReview,
)
from apps.kyc.locks import lock_list_entries, share_lock_listed_entries
from apps.kyc.models import ScreeningEntry, ScreeningHit, ScreeningListImport, ScreeningToken
from apps.kyc.name_matching import ListedParty, Match, ScreeningIndex, blocking_keys, normalize_name
from apps.kyc.services.checks import start_kyc_check
from apps.kyc.services.delisting import (
    delist_entries,
    lists_over_delisting_limit,
    mass_delisting_refused,
    relist_entries,
    reopen_delisted_hit,
)
from apps.organization.models import User
from apps.outbox.services import publish_event

CSV_COLUMNS = ("name", "aliases", "date_of_birth", "country", "list_name", "source_id")
ENTRY_DETAILS = ("name", "aliases", "date_of_birth", "country", "category", "normalized_names")
ALIAS_SEPARATOR = ";"
_KEYS_PER_QUERY = 5000
_CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason column


def _index_for(names: Iterable[str]) -> ScreeningIndex:
    """The part of the list that shares a blocking key with any of ``names`` (normalized)."""
    keys = sorted(set().union(*(blocking_keys(name) for name in names)))
    keys_by_entry: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        for key, entry_id in ScreeningToken.objects.filter(key__in=keys[start:start + _KEYS_PER_QUERY]) \
                .values_list("key", "entry_id"):
            keys_by_entry[entry_id].add(key)
    index = ScreeningIndex()
    # Delisting removes an entry's tokens; the filter holds even if one were left behind.
    entries = ScreeningEntry.objects.filter(pk__in=list(keys_by_entry), delisted_at__isnull=True).values_list(
        "pk", "normalized_names", "date_of_birth", "country")
    for entry_id, normalized_names, date_of_birth, country in entries.iterator(chunk_size=2000):
        index.add(ListedParty(entry_id=entry_id, normalized_names=tuple(normalized_names),
                              date_of_birth=date_of_birth, country=country), keys=keys_by_entry[entry_id])
    return index


@transaction.atomic
def screen_customers(*, customer_ids: Iterable[int], start_checks: bool = True) -> list[ScreeningHit]:
    """Screen these customers against every list entry still listed; each match above the threshold that is
    not already a hit becomes an open ScreeningHit (a hit closed when its entry was delisted is opened again).
    Customers with a new or reopened hit get their KYC checked again."""
    customers = list(Customer.objects.filter(pk__in=list(customer_ids))
                     .values_list("pk", "legal_name", "date_of_birth", "country"))
    if not customers:
        return []
    index = _index_for(normalize_name(name) for _, name, _, _ in customers)
    matches = [(customer_id, match) for customer_id, legal_name, date_of_birth, country in customers
               for match in index.screen(legal_name, date_of_birth=date_of_birth, country=country,
                                         threshold=settings.SCREENING_MATCH_THRESHOLD,
                                         name_floor=settings.SCREENING_NAME_FLOOR)]
    # An import may have delisted a matched entry since the index was read: only still-listed ones count.
    listed = share_lock_listed_entries(match.entry_id for _, match in matches)
    created = []
    for customer_id, match in matches:
        hit = _record_hit(customer_id, match) if match.entry_id in listed else None
        if hit is not None:
            created.append(hit)
    if start_checks:
        for customer_id in sorted({hit.customer_id for hit in created}):
            start_kyc_check(customer=Customer(pk=customer_id))
    return created


def _record_hit(customer_id: int, match: Match) -> ScreeningHit | None:
    known = ScreeningHit.objects.filter(customer_id=customer_id, entry_id=match.entry_id).first()
    if known is not None:
        # Already known, whatever its decision: a dismissed hit is not raised again. Only a hit closed because
        # its entry left the list comes back, now that the entry is listed again.
        return reopen_delisted_hit(hit=known, match=match) if known.status == ScreeningHit.Status.DELISTED else None
    try:
        with transaction.atomic():
            return ScreeningHit.objects.create(
                customer_id=customer_id, entry_id=match.entry_id, score=round(match.score, 2),
                name_score=round(match.name_score, 2), matched_name=match.matched_name, details=match.details)
    except IntegrityError:  # screened concurrently by another batch
        return None


@transaction.atomic
def screen_customer(*, customer: Customer) -> list[ScreeningHit]:
    """Screen one customer (at onboarding or after a change of name). Its KYC check is the caller's business."""
    return screen_customers(customer_ids=[customer.pk], start_checks=False)


def _parse_date(value: str, line: int) -> datetime.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidScreeningList(f"Line {line}: date_of_birth {value!r} is not YYYY-MM-DD.") from None


def _parse_rows(stream: IO[str]) -> list[dict[str, Any]]:
    reader = csv.DictReader(stream)
    missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise InvalidScreeningList(f"The file lacks the columns: {', '.join(missing)} (expected "
                                   f"{', '.join(CSV_COLUMNS)}).")
    rows, seen = [], set()
    for line, row in enumerate(reader, start=2):
        name, list_name, source_id = (row["name"] or "").strip(), (row["list_name"] or "").strip(), \
            (row["source_id"] or "").strip()
        if not name or not list_name or not source_id:
            raise InvalidScreeningList(f"Line {line}: name, list_name and source_id are required.")
        if (list_name, source_id) in seen:
            raise InvalidScreeningList(f"Line {line}: {list_name} {source_id} appears twice.")
        seen.add((list_name, source_id))
        country = (row["country"] or "").strip().upper()
        if country and not is_country_code(country):
            raise InvalidScreeningList(f"Line {line}: country {country!r} is not an ISO 3166-1 alpha-2 code.")
        aliases = [alias.strip() for alias in (row["aliases"] or "").split(ALIAS_SEPARATOR) if alias.strip()]
        normalized = list(dict.fromkeys(n for n in (normalize_name(x) for x in [name, *aliases]) if n))
        if not normalized:
            raise InvalidScreeningList(f"Line {line}: the name has no letters or digits.")
        rows.append({"list_name": list_name, "source_id": source_id, "name": name, "aliases": aliases,
                     "date_of_birth": _parse_date(row["date_of_birth"] or "", line), "country": country,
                     "category": ScreeningEntry.Category.PEP if "pep" in list_name.lower().split()
                     or list_name.lower().startswith("pep") else ScreeningEntry.Category.SANCTIONS,
                     "normalized_names": normalized})
    return rows


IMPORT_PERMISSION = "kyc.add_screeninglistimport"


@transaction.atomic
def import_screening_list(*, stream: IO[str], file_name: str, actor: User | None = None,
                          allow_mass_delisting: bool = False, mass_delisting_reason: str = "") -> ScreeningListImport:
    """Load a sanctions/PEP list CSV (columns: name, aliases separated by ';', date_of_birth YYYY-MM-DD,
    country ISO alpha-2, list_name, source_id). All or nothing: one bad line refuses the file.

    The file replaces in full each list it names. Entries are created or updated by (list_name, source_id) and
    indexed by blocking key; an entry of those lists missing from the file is delisted, one back in it is
    listed again (apps.kyc.services.delisting says what happens to their hits). An entry whose details did not
    change is not written, so importing the same file again changes nothing. ``actor``: the importing user, None
    for the system. Re-screening all customers is started by the caller (the management command) with
    ``rescreen_batches``.

    A file that would delist more of a list than the limit allows (``lists_over_delisting_limit``) is refused
    whole, like a bad line, unless ``allow_mass_delisting`` with a ``mass_delisting_reason``: the import then
    records that ``actor`` allowed it, and why.

    A staff member imports only if their role may (``kyc.add_screeninglistimport``: operations and compliance);
    the management command imports as the system (no actor).
    """
    if actor is not None and not actor.has_perm(IMPORT_PERMISSION):
        raise NotAllowedToImportScreeningList("Your role may not import screening lists.")
    mass_delisting_reason = _reason_for_mass_delisting(allow_mass_delisting, mass_delisting_reason)
    rows = _parse_rows(stream)
    list_names = sorted({row["list_name"] for row in rows})
    existing = {(entry.list_name, entry.source_id): entry for entry in lock_list_entries(list_names)}
    to_delist = _entries_left_out(existing, rows)
    over_limit = _refuse_unallowed_mass_delisting(existing, to_delist, file_name=file_name,
                                                  allow_mass_delisting=allow_mass_delisting)
    record = _open_import_record(file_name=file_name, list_names=list_names, actor=actor,
                                 mass_delisting_reason=mass_delisting_reason if over_limit else None)
    changes = _entry_changes(rows, existing, record)
    relist_entries(entries=changes.relisted, record=record, actor=actor)
    created = _save_entries(changes, record, actor)
    _index_entries([*created, *changes.to_update])
    record.hits_closed, record.hits_to_review = delist_entries(entries=to_delist, record=record, actor=actor)
    _count_on_record(record, created=created, changes=changes, to_delist=to_delist)
    return record


def _reason_for_mass_delisting(allow_mass_delisting: bool, reason: str) -> str:
    """The reason, stripped; allowing a mass delisting without one is refused before the file is read."""
    reason = reason.strip()
    if allow_mass_delisting and not reason:
        raise DomainError("Say why the import may delist more of a list than the limit allows.",
                          code="reason_required")
    return reason


EntryKey = tuple[str, str]  # (list_name, source_id)


def _entries_left_out(existing: dict[EntryKey, ScreeningEntry], rows: list[dict[str, Any]]) -> list[ScreeningEntry]:
    """The listed entries of the file's lists that the file no longer holds: the import delists them."""
    in_file = {(row["list_name"], row["source_id"]) for row in rows}
    return [entry for key, entry in existing.items() if entry.is_listed and key not in in_file]


def _refuse_unallowed_mass_delisting(existing: dict[EntryKey, ScreeningEntry], to_delist: list[ScreeningEntry], *,
                                     file_name: str, allow_mass_delisting: bool) -> list[dict[str, Any]]:
    """The lists the file would delist more of than the limit allows; refused whole unless allowed."""
    over_limit = lists_over_delisting_limit(entries=existing.values(), to_delist=to_delist)
    if over_limit and not allow_mass_delisting:
        raise mass_delisting_refused(file_name=file_name, lists=over_limit)
    return over_limit


def _open_import_record(*, file_name: str, list_names: list[str], actor: User | None,
                        mass_delisting_reason: str | None) -> ScreeningListImport:
    """The import's record, saved before its entries (they point to it); ``mass_delisting_reason`` when the
    import delists past the limit, as ``actor`` allowed."""
    record = ScreeningListImport(file_name=file_name[:255], imported_by=actor, list_names=list_names)
    if mass_delisting_reason is not None:
        record.mass_delisting_allowed, record.mass_delisting_allowed_by = True, actor
        record.mass_delisting_reason = mass_delisting_reason
        record._change_reason = f"mass delisting allowed: {mass_delisting_reason}"[:_CHANGE_REASON_LENGTH]
    record._history_user = actor
    record.save()
    return record


@dataclass
class _EntryChanges:
    to_create: list[ScreeningEntry] = field(default_factory=list)
    to_update: list[ScreeningEntry] = field(default_factory=list)  # changed details, or listed again
    relisted: list[ScreeningEntry] = field(default_factory=list)  # of to_update, those delisted before


def _entry_changes(rows: list[dict[str, Any]], existing: dict[EntryKey, ScreeningEntry],
                   record: ScreeningListImport) -> _EntryChanges:
    """What the file changes, entry by entry (changed entries are changed in memory, not saved): a listed
    entry whose details are those of its line is left alone."""
    changes = _EntryChanges()
    for row in rows:
        entry = existing.get((row["list_name"], row["source_id"]))
        if entry is None:
            changes.to_create.append(ScreeningEntry(imported_by=record, **row))
            continue
        if entry.is_listed and all(getattr(entry, detail) == row[detail] for detail in ENTRY_DETAILS):
            continue
        if not entry.is_listed:
            changes.relisted.append(entry)
        for detail in ENTRY_DETAILS:
            setattr(entry, detail, row[detail])
        entry.imported_by = record
        changes.to_update.append(entry)
    return changes


def _save_entries(changes: _EntryChanges, record: ScreeningListImport, actor: User | None) -> list[ScreeningEntry]:
    """Create and update the entries, with their history; the updated ones lose their old blocking keys.
    Returns the created entries, with their ids."""
    created = bulk_create_with_history(changes.to_create, ScreeningEntry, batch_size=1000, default_user=actor)
    if changes.to_update:
        bulk_update_with_history(changes.to_update, ScreeningEntry, [*ENTRY_DETAILS, "imported_by", "delisted_at",
                                                                     "delisted_on_import"],
                                 batch_size=1000, default_user=actor)
        ScreeningToken.objects.filter(entry__in=changes.to_update).delete()
    if not all(entry.pk for entry in created):  # databases that do not return ids from bulk inserts
        created = list(ScreeningEntry.objects.filter(imported_by=record)
                       .exclude(pk__in=[e.pk for e in changes.to_update]))
    return created


def _index_entries(entries: list[ScreeningEntry]) -> None:
    """The blocking keys of every name of these entries, into the ``ScreeningToken`` inverted index."""
    tokens = [ScreeningToken(key=key, entry=entry) for entry in entries
              for key in set().union(*(blocking_keys(name) for name in entry.normalized_names))]
    ScreeningToken.objects.bulk_create(tokens, batch_size=5000)


def _count_on_record(record: ScreeningListImport, *, created: list[ScreeningEntry], changes: _EntryChanges,
                     to_delist: list[ScreeningEntry]) -> None:
    """What the import did, and how many customers the re-screening will go through, on its record."""
    record.entries_created, record.entries_updated = len(created), len(changes.to_update)
    record.entries_delisted, record.entries_relisted = len(to_delist), len(changes.relisted)
    record.customers_to_screen = Customer.objects.exclude(status=Customer.Status.CLOSED).count()
    record.save(update_fields=["entries_created", "entries_updated", "entries_delisted", "entries_relisted",
                               "hits_closed", "hits_to_review", "customers_to_screen"])


def rescreen_batches(*, batch_size: int | None = None) -> list[list[int]]:
    """Every customer not closed, as batches of ids for the re-screening tasks."""
    batch_size = batch_size or settings.SCREENING_BATCH_SIZE
    ids = list(Customer.objects.exclude(status=Customer.Status.CLOSED).order_by("pk").values_list("pk", flat=True))
    return [ids[start:start + batch_size] for start in range(0, len(ids), batch_size)]


@transaction.atomic
def rescreen_batch(*, list_import: ScreeningListImport, customer_ids: list[int]) -> int:
    """One re-screening batch after an import; counts its progress on the import. Returns new hits."""
    hits = screen_customers(customer_ids=customer_ids)
    ScreeningListImport.objects.filter(pk=list_import.pk).update(
        customers_screened=F("customers_screened") + len(customer_ids), hits_created=F("hits_created") + len(hits))
    return len(hits)


@transaction.atomic
def decide_screening_hit(*, hit: ScreeningHit, officer: Any, confirm: bool, reason: str) -> ScreeningHit:
    """A compliance officer confirms a hit (the customer is the listed party) or dismisses it as a false
    positive, with a reason; the customer's KYC is checked again with the decision."""
    if not officer.has_perm("kyc.decide_screeninghit"):
        raise NotAllowedToReview("Your role may not decide screening hits.")
    if not reason.strip():
        raise DomainError("Say why you confirm or dismiss the hit.", code="reason_required")
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk)
    if hit.status != ScreeningHit.Status.OPEN:
        raise HitAlreadyDecided(f"This hit was already {hit.status}.")
    hit.status = ScreeningHit.Status.CONFIRMED if confirm else ScreeningHit.Status.DISMISSED
    hit.decided_by, hit.decided_at, hit.decision_reason = officer, timezone.now(), reason.strip()
    hit._history_user = officer
    hit.save()
    publish_event("screening.hit_decided", {"hit_id": hit.pk, "customer_id": hit.customer_id,
                                            "entry_id": hit.entry_id, "status": hit.status}, aggregate=hit)
    start_kyc_check(customer=Customer(pk=hit.customer_id))
    return hit
