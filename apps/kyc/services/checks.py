"""The automated KYC check, the manual review of its doubtful cases, and the periodic review."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.customers.events import customer_event_payload
from apps.customers.models import Customer
from apps.domain_errors import DomainError
from apps.kyc import rules
from apps.kyc.errors import NotAllowedToReview, ReviewerIsMaker, ReviewNotPending
from apps.kyc.models import KycCheck, KycDocument, KycReview, ScreeningEntry, ScreeningHit
from apps.kyc.selectors import USABLE_DOCUMENT_STATUSES, document_coverage
from apps.organization.models import User
from apps.organization.selectors import current_business_date
from apps.outbox.services import publish_event


def start_kyc_check(*, customer: Customer) -> None:
    """Ask for the KYC check in the caller's transaction; a worker runs it after commit.

    The request is an outbox event (``kyc.check_requested``, run by the subscriber in apps/kyc/subscribers.py):
    if the broker is down at commit the outbox sweep runs the check later, and a rollback asks for nothing.
    """
    publish_event("kyc.check_requested", {"customer_id": customer.pk}, aggregate=customer)


def review_due_date(*, risk_rating: str, on: datetime.date) -> datetime.date:
    years = rules.REVIEW_PERIOD_YEARS[risk_rating]
    try:
        return on.replace(year=on.year + years)
    except ValueError:  # 29 February
        return on.replace(year=on.year + years, day=28)


def set_document_status(documents: QuerySet[KycDocument], status: str, *, actor: User, reason: str) -> int:
    """Move many documents to ``status`` in bulk, each change in its history row with who and why."""
    changed = list(documents.order_by("pk"))
    for document in changed:
        document.status = status
    bulk_update_with_history(changed, KycDocument, ["status"], default_user=actor, default_change_reason=reason[:100])
    return len(changed)


def _set_kyc_status(customer: Customer, status: str, *, actor: User, on: datetime.date, reason: str) -> None:
    """Write the KYC outcome on the (locked) customer and publish kyc.status_changed if it changed."""
    previous = customer.kyc_status
    customer.kyc_status = status
    if status == Customer.KycStatus.VERIFIED and previous != status:
        # A re-check that keeps KYC verified does not move the review date; becoming verified sets it.
        customer.kyc_review_due = review_due_date(risk_rating=customer.risk_rating, on=on)
        if customer.status == Customer.Status.PROSPECT:
            customer.status = Customer.Status.ACTIVE
        set_document_status(
            KycDocument.objects.filter(customer=customer, status=KycDocument.Status.RECEIVED,
                                       document_type__in=rules.required_document_types(customer)).filter(
                Q(expiry_date__isnull=True) | Q(expiry_date__gte=on)),
            KycDocument.Status.ACCEPTED, actor=actor, reason=f"accepted with the verified KYC ({reason})")
    if status == Customer.KycStatus.EXPIRED and previous != status:
        customer.kyc_expired_at = timezone.now()
    customer._history_user = actor
    customer.save(update_fields=["kyc_status", "kyc_review_due", "kyc_expired_at", "status", "risk_rating"])
    if previous != status:
        publish_event("kyc.status_changed", {**customer_event_payload(customer), "previous_kyc_status": previous,
                                             "reason": reason}, aggregate=customer)


def _hit_facts(customer: Customer) -> list[dict[str, Any]]:
    # Dismissed hits and hits closed because their entry left its list do not count.
    hits = (ScreeningHit.objects.filter(customer=customer, status__in=[ScreeningHit.Status.OPEN,
                                                                       ScreeningHit.Status.CONFIRMED])
            .values("pk", "status", "score", "entry__category", "entry__list_name", "entry__source_id"))
    return [{"hit_id": hit["pk"], "status": hit["status"], "score": str(hit["score"]),
             "category": hit["entry__category"], "list": hit["entry__list_name"],
             "source_id": hit["entry__source_id"]} for hit in hits]


def assess(customer: Customer, *, on: datetime.date) -> tuple[dict[str, Any], list[dict[str, Any]], Decimal, str]:
    """The check's reasoning, without writing: (inputs, factors, score, decision)."""
    coverage = document_coverage(customer, on=on)
    hits = _hit_facts(customer)
    high_risk = rules.high_risk_countries()
    inputs = {
        "customer_type": customer.customer_type, "is_premium": customer.is_premium, "country": customer.country,
        "required_documents": list(rules.required_document_types(customer)), "documents": coverage,
        "screening_hits": hits, "high_risk_countries": sorted(high_risk), "business_date": on.isoformat(),
        "weights": {name: str(weight) for name, weight in rules.RISK_WEIGHTS.items()},
        "thresholds": {"verify_below": str(rules.VERIFY_BELOW), "review_below": str(rules.REVIEW_BELOW)},
    }
    found = []
    if coverage["missing"]:
        found.append(("missing_documents", coverage["missing"]))
    if coverage["expired"]:
        found.append(("expired_documents", coverage["expired"]))
    sanctions = [hit for hit in hits if hit["category"] == ScreeningEntry.Category.SANCTIONS]
    if any(hit["status"] == ScreeningHit.Status.CONFIRMED for hit in sanctions):
        found.append(("sanctions_confirmed_match", [h["hit_id"] for h in sanctions if h["status"] == "confirmed"]))
    elif sanctions:
        found.append(("sanctions_possible_match", [hit["hit_id"] for hit in sanctions]))
    peps = [hit["hit_id"] for hit in hits if hit["category"] == ScreeningEntry.Category.PEP]
    if peps:
        found.append(("pep_match", peps))
    if customer.country in high_risk:
        found.append(("high_risk_country", [customer.country]))
    factors = [{"factor": name, "weight": str(rules.RISK_WEIGHTS[name]), "evidence": evidence}
               for name, evidence in found]
    score = min(Decimal("1"), sum((rules.RISK_WEIGHTS[name] for name, _ in found), Decimal("0")))
    if score < rules.VERIFY_BELOW and not coverage["missing"]:
        decision = KycCheck.Decision.VERIFIED
    elif score < rules.REVIEW_BELOW:
        decision = KycCheck.Decision.IN_PROGRESS
    else:
        decision = KycCheck.Decision.REJECTED
    return inputs, factors, score, decision


@transaction.atomic
def run_kyc_check(*, customer: Customer, on: datetime.date | None = None) -> KycCheck:
    """Score the customer's KYC risk in [0, 1] and decide: below 0.3 with every document, verified; below 0.7,
    manual review (in progress); otherwise rejected. The check is stored with its inputs and reasons, and sets
    the risk rating (low/medium/high by the same bands) that decides how soon KYC is reviewed again.

    An expired KYC is verified again only on new evidence: a required document received since it expired (or a
    compliance review, ``decide_kyc_review``). Without one it stays expired, whatever the old evidence scores.
    """
    on = on or current_business_date()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    inputs, factors, score, decision = assess(customer, on=on)
    standing = _standing_review(customer, factors)
    if standing is not None:
        inputs["manual_review_stands"] = {"review_id": standing.pk, "decision": standing.decision}
    new_evidence = None
    if customer.kyc_status == Customer.KycStatus.EXPIRED:
        new_evidence = _evidence_since_expiry(customer, on=on)
        inputs["kyc_expired_at"] = customer.kyc_expired_at.isoformat()
        inputs["new_documents_since_expiry"] = new_evidence
    check = KycCheck.objects.create(customer=customer, inputs=inputs, factors=factors, score=score,
                                    decision=decision, business_date=on)
    customer.risk_rating = rules.risk_rating_for(score)
    if standing is not None:
        status = Customer.KycStatus.VERIFIED if standing.decision == KycReview.Decision.APPROVED \
            else Customer.KycStatus.REJECTED
        reason = f"KYC check #{check.pk}: same evidence as manual review #{standing.pk}, which stands"
    else:
        status = decision
        names = ", ".join(factor["factor"] for factor in factors) or "no risk factor"
        reason = f"KYC check #{check.pk}: {score} ({names})"
    if status == Customer.KycStatus.VERIFIED and new_evidence == []:
        # The evidence that expired cannot verify the customer again, whatever its score (nor a review decided on
        # it): that takes a document received since, or a compliance review (decide_kyc_review).
        status = Customer.KycStatus.EXPIRED
        reason = f"KYC check #{check.pk}: KYC expired, no new document since; stays expired"
    _set_kyc_status(customer, status, actor=None, on=on, reason=reason)
    return check


def _evidence_since_expiry(customer: Customer, *, on: datetime.date) -> list[int]:
    """The required documents received since the customer's KYC expired and valid on ``on``."""
    return list(KycDocument.objects.filter(
        customer=customer, document_type__in=rules.required_document_types(customer),
        status__in=USABLE_DOCUMENT_STATUSES, uploaded_at__gt=customer.kyc_expired_at)
        .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=on)).order_by("pk").values_list("pk", flat=True))


def _evidence(factors: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return sorted((factor["factor"], sorted(map(str, factor["evidence"]))) for factor in factors)


def _standing_review(customer: Customer, factors: list[dict[str, Any]]) -> KycReview | None:
    """A compliance officer's decision stands while the check finds exactly the risk factors they reviewed;
    new evidence (a document, a screening hit or its decision, a new country) lets the check decide again."""
    review = (KycReview.objects.filter(customer=customer).select_related("check_reviewed")
              .order_by("-decided_at", "-pk").first())
    if review is None or review.check_reviewed is None:
        return None
    return review if _evidence(review.check_reviewed.factors) == _evidence(factors) else None


@transaction.atomic
def decide_kyc_review(*, customer: Customer, reviewer: Any, approve: bool, reason: str,
                      on: datetime.date | None = None) -> KycReview:
    """A compliance officer approves or rejects a customer in manual review, or whose KYC expired (the periodic
    review done by hand), with a reason.

    Maker-checker: the reviewer may not be the staff member who onboarded the customer. Approval needs every
    required document valid, no open screening hit and no confirmed sanctions match.
    """
    if not reviewer.has_perm("kyc.review_kyc"):
        raise NotAllowedToReview("Your role may not decide KYC reviews.")
    if not reason.strip():
        raise DomainError("Say why you approve or reject.", code="reason_required")
    on = on or current_business_date()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.kyc_status not in (Customer.KycStatus.IN_PROGRESS, Customer.KycStatus.EXPIRED):
        raise ReviewNotPending(f"{customer.legal_name} is not in manual review (KYC {customer.kyc_status}).")
    if customer.created_by_id is not None and customer.created_by_id == reviewer.pk:
        raise ReviewerIsMaker("You onboarded this customer: another compliance officer must review it.")
    if approve:
        _refuse_unfit_approval(customer, on=on)
    check = KycCheck.objects.filter(customer=customer).order_by("-performed_at", "-pk").first()
    review = KycReview(customer=customer, check_reviewed=check, maker_id=customer.created_by_id, reviewer=reviewer,
                       decision=KycReview.Decision.APPROVED if approve else KycReview.Decision.REJECTED,
                       reason=reason.strip())
    review._history_user = reviewer
    review.save()
    status = Customer.KycStatus.VERIFIED if approve else Customer.KycStatus.REJECTED
    _set_kyc_status(customer, status, actor=reviewer, on=on, reason=f"Manual review #{review.pk}: {reason}")
    return review


def _refuse_unfit_approval(customer: Customer, *, on: datetime.date) -> None:
    coverage = document_coverage(customer, on=on)
    if coverage["missing"] or coverage["expired"]:
        raise DomainError("Cannot approve: required documents are missing or expired: "
                          + ", ".join(coverage["missing"] + coverage["expired"]) + ".", code="kyc_documents_incomplete")
    hits = ScreeningHit.objects.filter(customer=customer)
    if hits.filter(status=ScreeningHit.Status.OPEN).exists():
        raise DomainError("Cannot approve: confirm or dismiss the open screening hits first.",
                          code="kyc_open_screening_hits")
    if hits.filter(status=ScreeningHit.Status.CONFIRMED, entry__category=ScreeningEntry.Category.SANCTIONS).exists():
        raise DomainError("Cannot approve a customer with a confirmed sanctions match.",
                          code="kyc_sanctions_match")


@transaction.atomic
def expire_due_kyc(*, on: datetime.date) -> list[int]:
    """The periodic review of business date ``on``: expire documents past their expiry date, and the KYC of
    verified customers whose review date has come or whose required document expired; tell their branch.

    Idempotent: a second run on the same date finds nothing left to expire. Returns the customers expired.
    """
    set_document_status(KycDocument.objects.filter(status__in=USABLE_DOCUMENT_STATUSES, expiry_date__lt=on),
                        KycDocument.Status.EXPIRED, actor=None, reason=f"periodic review of {on:%Y-%m-%d}: expired")
    review_due = Q(kyc_review_due__lte=on)
    document_expired = Q(kyc_documents__status=KycDocument.Status.EXPIRED)
    candidates = (Customer.objects.filter(kyc_status=Customer.KycStatus.VERIFIED)
                  .filter(review_due | document_expired).distinct().order_by("pk").values_list("pk", flat=True))
    expired = []
    for customer in Customer.objects.filter(pk__in=list(candidates)).select_related("branch").order_by("pk") \
            .select_for_update(of=("self",)):
        coverage = document_coverage(customer, on=on)
        if customer.kyc_review_due and customer.kyc_review_due <= on:
            reason = f"review date {customer.kyc_review_due:%Y-%m-%d} reached"
        elif coverage["expired"] or coverage["missing"]:
            reason = "required document expired: " + ", ".join(coverage["expired"] + coverage["missing"])
        else:
            continue  # an expired document was replaced by a valid one of the same type
        _set_kyc_status(customer, Customer.KycStatus.EXPIRED, actor=None, on=on, reason=reason)
        publish_event("kyc.expired", {**customer_event_payload(customer), "legal_name": customer.legal_name,
                                      "reason": reason, "business_date": on.isoformat()}, aggregate=customer)
        expired.append(customer.pk)
    return expired
