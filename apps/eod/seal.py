"""Sealing a closed business date: SHA-256 over its journal entries and postings, chained to the last seal.

Canonical serialization: the previous seal's digest, then one JSON array per journal entry (id, business
date, source, idempotency key, fingerprint, description, reference, reversed entry, posted by, posted at in
UTC) in id order, then one per posting (id, entry, account, side, amount with four decimals, currency) in id
order, each line ending with a newline. A seal covers every entry whose business date is after the previous
seal's date and on or before its own, so back-dated entries in an already sealed range break the chain too.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from apps.eod.models import LedgerSeal
from apps.eod_registry import register_step
from apps.ledger.integrity_checks import IntegrityReport
from apps.ledger.models import JournalEntry, Posting

SEAL_STEP_ORDER = 1_000_000
_CHUNK = 5000


@dataclass(frozen=True)
class SealDigest:
    digest: str
    entries: int
    postings: int


def _line(values: list) -> bytes:
    return (json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def compute_digest(*, after: datetime.date | None, through: datetime.date, previous_digest: str) -> SealDigest:
    """Stream the entries and postings of business dates in (after, through] into one SHA-256."""
    sha = hashlib.sha256(previous_digest.encode() + b"\n")
    entries = JournalEntry.objects.filter(business_date__lte=through)
    postings = Posting.objects.filter(entry__business_date__lte=through)
    if after is not None:
        entries = entries.filter(business_date__gt=after)
        postings = postings.filter(entry__business_date__gt=after)
    entry_count = posting_count = 0
    for row in entries.order_by("id").values_list(
            "id", "business_date", "source", "idempotency_key", "fingerprint", "description", "reference",
            "reverses_id", "posted_by_id", "posted_at").iterator(chunk_size=_CHUNK):
        entry_id, business_date, *text, posted_at = row
        sha.update(_line([entry_id, business_date.isoformat(), *text,
                          posted_at.astimezone(datetime.UTC).isoformat()]))
        entry_count += 1
    for posting_id, entry_id, account_id, side, amount, currency in postings.order_by("id").values_list(
            "id", "entry_id", "account_id", "side", "amount", "currency").iterator(chunk_size=_CHUNK):
        sha.update(_line([posting_id, entry_id, account_id, side, f"{amount:.4f}", currency]))
        posting_count += 1
    return SealDigest(sha.hexdigest(), entry_count, posting_count)


def last_seal() -> LedgerSeal | None:
    return LedgerSeal.objects.order_by("-business_date").first()


@transaction.atomic
def seal_business_date(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step (always last): seal every unsealed business date up to ``business_date``. Idempotent."""
    previous = LedgerSeal.objects.select_for_update().order_by("-business_date").first()
    if previous is not None and previous.business_date >= business_date:
        return {"entries": 0, "postings": 0}
    previous_digest = previous.digest if previous else ""
    after = previous.business_date if previous else None
    sealed = compute_digest(after=after, through=business_date, previous_digest=previous_digest)
    LedgerSeal.objects.create(
        business_date=business_date, covers_from=after + datetime.timedelta(days=1) if after else None,
        previous=previous, previous_digest=previous_digest, digest=sealed.digest, entries=sealed.entries,
        postings=sealed.postings,
    )
    return {"entries": sealed.entries, "postings": sealed.postings}


@dataclass(frozen=True)
class SealProblem:
    business_date: datetime.date
    reason: str


def verify_seal_chain() -> tuple[int, SealProblem | None]:
    """Recompute every seal in date order. Returns (seals checked, the first broken one or None)."""
    checked = 0
    previous: LedgerSeal | None = None
    for seal in LedgerSeal.objects.order_by("business_date"):
        expected_previous = previous.digest if previous else ""
        if seal.previous_digest != expected_previous or seal.previous_id != (previous.pk if previous else None):
            return checked, SealProblem(seal.business_date, "the chain to the previous seal is broken")
        recomputed = compute_digest(after=previous.business_date if previous else None, through=seal.business_date,
                                    previous_digest=expected_previous)
        if recomputed.digest != seal.digest:
            return checked, SealProblem(
                seal.business_date,
                f"its entries no longer match the seal ({recomputed.entries} entries and {recomputed.postings} "
                f"postings now; {seal.entries} and {seal.postings} when sealed)",
            )
        checked += 1
        previous = seal
    return checked, None


def seal_chain_check() -> IntegrityReport:
    """``ledger_check``'s check of the seals (registered in apps.eod.apps): the first broken seal is a problem.
    Its result is kept (``LAST_VERIFICATION``) for the admin home, which must not hash the whole ledger per view."""
    sealed, broken = verify_seal_chain()
    cache.set(LAST_VERIFICATION, {"at": timezone.now().isoformat(), "seals": sealed,
                                  "broken_at": broken.business_date.isoformat() if broken else None,
                                  "reason": broken.reason if broken else ""}, timeout=None)
    problems = [] if broken is None else [f"SEAL BROKEN at business date {broken.business_date}: {broken.reason}"]
    return IntegrityReport(summary=f"{sealed} sealed business date(s) verified.", problems=problems)


# The last full verification of the chain (every seal recomputed: ``ledger_check``, the admin's ledger check
# page), for the home to show. In the cache, not the database: it is a read's result, lost with the cache at worst
# (the home then says the chain has not been verified since, and links to the check).
LAST_VERIFICATION = "eod:seal-chain:last-verification"


@dataclass(frozen=True)
class SealChainStatus:
    """What the admin home says of the seal chain, cheaply: the links between the seals, checked on every view
    (one query over the seals, a row per closed business date), and the last full recomputation, if one ran."""

    seals: int
    last_sealed: datetime.date | None
    broken_link_at: datetime.date | None
    verified_at: datetime.datetime | None
    verified_seals: int
    verified_broken_at: datetime.date | None
    verified_reason: str

    @property
    def intact(self) -> bool:
        return self.broken_link_at is None and self.verified_broken_at is None


def seal_chain_status() -> SealChainStatus:
    """The chain's links (each seal names its predecessor and carries its digest) and the last full verification.

    The links are checked here; recomputing the digests hashes every sealed entry (minutes on a big bank), which
    only ``seal_chain_check`` does, on the operators' demand."""
    broken_link_at, previous, count, last = None, None, 0, None
    for pk, business_date, previous_id, previous_digest, digest in LedgerSeal.objects.order_by(
            "business_date").values_list("pk", "business_date", "previous_id", "previous_digest", "digest"):
        expected = (previous[0], previous[1]) if previous else (None, "")
        if broken_link_at is None and (previous_id, previous_digest) != expected:
            broken_link_at = business_date
        previous, count, last = (pk, digest), count + 1, business_date
    verified = cache.get(LAST_VERIFICATION) or {}
    return SealChainStatus(
        seals=count, last_sealed=last, broken_link_at=broken_link_at,
        verified_at=datetime.datetime.fromisoformat(verified["at"]) if verified else None,
        verified_seals=verified.get("seals", 0),
        verified_broken_at=(datetime.date.fromisoformat(verified["broken_at"]) if verified.get("broken_at")
                            else None),
        verified_reason=verified.get("reason", ""))


register_step("eod.seal_ledger", seal_business_date, order=SEAL_STEP_ORDER)
