"""A name leaves its sanctions/PEP list, or comes back: what happens to the entry and to the hits against it.

The import (apps.kyc.services.screening.import_screening_list) calls ``delist_entries`` and
``relist_entries`` with the entries it holds locked (apps.kyc.locks). An open hit is closed by the import; a
confirmed match is never cleared by a file: a compliance officer reviews it (``review_delisted_match``). The
customer's KYC is decided again only by the KYC check (``start_kyc_check``), when a hit stops counting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.customers.models import Customer
from apps.domain_errors import DomainError
from apps.kyc.errors import MassDelistingRefused, NoDelistingReview, NotAllowedToReview
from apps.kyc.models import ScreeningEntry, ScreeningHit, ScreeningListImport, ScreeningToken
from apps.kyc.name_matching import Match
from apps.kyc.services.checks import start_kyc_check
from apps.organization.models import User
from apps.outbox.services import publish_event

_CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason column


def removal_reason(list_name: str, record: ScreeningListImport) -> str:
    return f"entry removed from list {list_name} on import of {record.imported_at:%Y-%m-%d} (import #{record.pk})"


def _return_reason(list_name: str, record: ScreeningListImport) -> str:
    return f"entry back on list {list_name} on import of {record.imported_at:%Y-%m-%d} (import #{record.pk})"


def _publish_hit_decided(hit: ScreeningHit) -> None:
    publish_event("screening.hit_decided", {"hit_id": hit.pk, "customer_id": hit.customer_id,
                                            "entry_id": hit.entry_id, "status": hit.status}, aggregate=hit)


def lists_over_delisting_limit(*, entries: Iterable[ScreeningEntry],
                               to_delist: Iterable[ScreeningEntry]) -> list[dict[str, Any]]:
    """The lists of which an import would delist ``to_delist`` beyond what it may without an explicit permission:
    more than SCREENING_MAX_DELISTED_SHARE of the list's listed ``entries`` *and* more than
    SCREENING_MAX_DELISTED_FLOOR entries. Each as {list_name, would_delist, listed}.

    Why: a file replaces its lists in full, so a file of changes only, or a download cut short, would delist most
    of a list and close its open hits. Real updates remove a handful of names; the floor lets a small list lose a
    few without a permission nobody would then think about. A list with nothing listed yet (its first file) delists
    nothing, so is never over the limit.
    """
    listed = Counter(entry.list_name for entry in entries if entry.is_listed)
    delisting = Counter(entry.list_name for entry in to_delist)
    return [{"list_name": list_name, "would_delist": count, "listed": listed[list_name]}
            for list_name, count in sorted(delisting.items())
            if count > settings.SCREENING_MAX_DELISTED_FLOOR
            and count > settings.SCREENING_MAX_DELISTED_SHARE * listed[list_name]]


def mass_delisting_refused(*, file_name: str, lists: list[dict[str, Any]]) -> MassDelistingRefused:
    """The refusal of a file over the limit (``lists_over_delisting_limit``), saying what it would have done."""
    shrinkage = " and ".join(f"{item['would_delist']} of the {item['listed']} entries listed on {item['list_name']} "
                             f"({100 * item['would_delist'] / item['listed']:.0f}%)" for item in lists)
    share = f"{(settings.SCREENING_MAX_DELISTED_SHARE * 100).normalize():f}%"
    return MassDelistingRefused(
        f"{file_name} would delist {shrinkage}: more than an import may delist without an explicit permission "
        f"(more than {share} of a list's listed entries and more than {settings.SCREENING_MAX_DELISTED_FLOOR}). "
        f"A partial file (changes only, or a download cut short) looks like this. Nothing was imported. If the list "
        f"really lost these entries, import the file again allowing the mass delisting, with the reason.",
        lists=lists)


def delist_entries(*, entries: list[ScreeningEntry], record: ScreeningListImport, actor: User) -> tuple[int, int]:
    """Mark these listed entries (locked by the caller) delisted by the import ``record`` and take them out of
    the screening index; they are kept, since hits and history refer to them.

    Their open hits are closed by the import, with the reason, as ``actor`` (None: the system), and their
    customers' KYC is checked again. Their confirmed matches keep their status (and whatever KYC state they
    caused) and are flagged for a compliance officer's review. Dismissed hits stay as they are.
    Returns (hits closed, matches flagged).
    """
    if not entries:
        return 0, 0
    for entry in entries:
        entry.delisted_at, entry.delisted_on_import = record.imported_at, record
        entry._change_reason = removal_reason(entry.list_name, record)[:_CHANGE_REASON_LENGTH]
    bulk_update_with_history(entries, ScreeningEntry, ["delisted_at", "delisted_on_import"], batch_size=1000,
                             default_user=actor)
    ScreeningToken.objects.filter(entry__in=entries).delete()
    list_of = {entry.pk: entry.list_name for entry in entries}
    hits = list(ScreeningHit.objects.filter(entry__in=entries, status__in=[ScreeningHit.Status.OPEN,
                                                                          ScreeningHit.Status.CONFIRMED])
                .order_by("pk").select_for_update())
    closed = []
    for hit in hits:
        reason = removal_reason(list_of[hit.entry_id], record)
        hit.delisted_on_import, hit._change_reason = record, reason[:_CHANGE_REASON_LENGTH]
        if hit.status == ScreeningHit.Status.OPEN:
            hit.status, hit.decided_by, hit.decided_at, hit.decision_reason = (
                ScreeningHit.Status.DELISTED, actor, record.imported_at, reason)
            closed.append(hit)
        else:
            hit.delisting_review = ScreeningHit.DelistingReview.PENDING
    bulk_update_with_history(hits, ScreeningHit, ["status", "decided_by", "decided_at", "decision_reason",
                                                  "delisted_on_import", "delisting_review"], default_user=actor)
    for hit in closed:
        _publish_hit_decided(hit)
    for customer_id in sorted({hit.customer_id for hit in closed}):
        start_kyc_check(customer=Customer(pk=customer_id))
    return len(closed), len(hits) - len(closed)


def relist_entries(*, entries: list[ScreeningEntry], record: ScreeningListImport, actor: User) -> None:
    """Delisted entries (locked by the caller) are back in their list's file: listed again.

    The caller saves them with their new details and indexes them again. A confirmed match waiting for a
    delisting review has nothing left to review: the flag is withdrawn, the confirmation stands as before. Hits
    the delisting closed are opened again by the next screening that still matches them (``reopen_delisted_hit``).
    """
    for entry in entries:
        entry.delisted_at = entry.delisted_on_import = None
        entry._change_reason = _return_reason(entry.list_name, record)[:_CHANGE_REASON_LENGTH]
    list_of = {entry.pk: entry.list_name for entry in entries}
    pending = list(ScreeningHit.objects.filter(entry__in=entries, delisting_review=ScreeningHit.DelistingReview.PENDING)
                   .order_by("pk").select_for_update())
    for hit in pending:
        hit.delisting_review, hit.delisted_on_import = ScreeningHit.DelistingReview.NOT_NEEDED, None
        hit._change_reason = _return_reason(list_of[hit.entry_id], record)[:_CHANGE_REASON_LENGTH]
    if pending:
        bulk_update_with_history(pending, ScreeningHit, ["delisting_review", "delisted_on_import"],
                                 default_user=actor)


def reopen_delisted_hit(*, hit: ScreeningHit, match: Match) -> ScreeningHit | None:
    """A hit closed because its entry left the list, matched again now that the entry is back: open again, with
    the new scores, for a compliance officer (a released confirmation too). The earlier decisions stay in its
    history. None if it is no longer closed by a delisting."""
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk)
    if hit.status != ScreeningHit.Status.DELISTED:
        return None
    hit.status, hit.decided_by, hit.decided_at, hit.decision_reason = ScreeningHit.Status.OPEN, None, None, ""
    hit.delisted_on_import, hit.delisting_review = None, ScreeningHit.DelistingReview.NOT_NEEDED
    hit.delisting_reviewed_by, hit.delisting_reviewed_at, hit.delisting_review_reason = None, None, ""
    hit.score, hit.name_score = round(match.score, 2), round(match.name_score, 2)
    hit.matched_name, hit.details = match.matched_name, match.details
    hit._change_reason = "entry back on its list and matched again"
    hit.save()
    return hit


@transaction.atomic
def review_delisted_match(*, hit: ScreeningHit, officer: Any, release: bool, reason: str) -> ScreeningHit:
    """A compliance officer decides on a confirmed match whose entry was removed from its list, with a reason.

    Release: the match is closed (status delisted) and stops counting; the customer's KYC is checked again.
    Keep: the confirmation stands (the bank may still refuse the person) and nothing else changes. Either way
    who confirmed the match stays on the hit, and the review is recorded beside it.
    """
    if not officer.has_perm("kyc.decide_screeninghit"):
        raise NotAllowedToReview("Your role may not decide screening hits.")
    if not reason.strip():
        raise DomainError("Say why you keep or release the match.", code="reason_required")
    hit = ScreeningHit.objects.select_for_update().get(pk=hit.pk)
    if hit.delisting_review != ScreeningHit.DelistingReview.PENDING:
        raise NoDelistingReview("This hit is not a confirmed match waiting for a review of its entry's delisting.")
    hit.delisting_review = ScreeningHit.DelistingReview.RELEASED if release else ScreeningHit.DelistingReview.KEPT
    hit.delisting_reviewed_by, hit.delisting_reviewed_at = officer, timezone.now()
    hit.delisting_review_reason = reason.strip()
    if release:
        hit.status = ScreeningHit.Status.DELISTED
    hit._history_user = officer
    hit.save()
    if release:
        _publish_hit_decided(hit)
        start_kyc_check(customer=Customer(pk=hit.customer_id))
    return hit
