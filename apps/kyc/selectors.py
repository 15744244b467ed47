"""Reads about KYC. ``ensure_kyc_verified`` is the one gate accounts, loans and payments call."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from apps.customers.models import Customer
from apps.customers.selectors import customers_for
from apps.kyc.errors import KycNotVerified
from apps.kyc.models import KycCheck, KycDocument, ScreeningHit
from apps.kyc.rules import DocumentType, required_document_types
from apps.organization.selectors import current_business_date

USABLE_DOCUMENT_STATUSES = (KycDocument.Status.RECEIVED, KycDocument.Status.ACCEPTED)
# An expired document counts too: it tells "expired" from "missing" (``coverage_of``).
COUNTED_DOCUMENT_STATUSES = (*USABLE_DOCUMENT_STATUSES, KycDocument.Status.EXPIRED)


def documents_that_count(customer: Customer) -> QuerySet[KycDocument]:
    """The documents a KYC decision looks at: those of a type the customer is required to provide
    (``required_document_types``), received, accepted or expired (not rejected), the oldest first."""
    return KycDocument.objects.filter(customer_id=customer.pk, document_type__in=required_document_types(customer),
                                      status__in=COUNTED_DOCUMENT_STATUSES).order_by("id")


def document_coverage(customer: Customer, *, on: datetime.date) -> dict[str, list[str]]:
    """Which required document types are valid on ``on``, which are missing, and which only expired."""
    return coverage_of(required_document_types(customer),
                       documents_that_count(customer).values_list("document_type", "expiry_date", "status"), on=on)


def coverage_of(required: Iterable[str], documents: Iterable[tuple[str, datetime.date | None, str]], *,
                on: datetime.date) -> dict[str, list[str]]:
    """``document_coverage`` over (type, expiry date, status) rows already read."""
    valid, seen = set(), set()
    for document_type, expiry_date, status in documents:
        seen.add(document_type)
        if status != KycDocument.Status.EXPIRED and (expiry_date is None or expiry_date >= on):
            valid.add(document_type)
    return {
        "valid": [t for t in required if t in valid],
        "missing": [t for t in required if t not in seen],
        "expired": [t for t in required if t in seen and t not in valid],
    }


def kyc_refusal_reason(customer: Customer, *, on: datetime.date | None = None,
                       documents: Iterable[tuple[str, datetime.date | None, str]] | None = None) -> str | None:
    """Why the customer's KYC does not count as verified on ``on`` (the business date), or None if it does.
    ``documents``: the customer's required documents as (type, expiry date, status), when the caller already
    read them (the transfer path reads them with its other facts); otherwise they are read here."""
    if customer.kyc_status != Customer.KycStatus.VERIFIED:
        return f"KYC status is {customer.get_kyc_status_display().lower()}"
    on = on or current_business_date()
    if customer.kyc_review_due is not None and customer.kyc_review_due <= on:
        return f"the KYC review was due on {customer.kyc_review_due:%Y-%m-%d}"
    if documents is None:
        coverage = document_coverage(customer, on=on)
    else:
        coverage = coverage_of(required_document_types(customer), documents, on=on)
    if coverage["missing"] or coverage["expired"]:
        return "a required document expired or is missing: " + ", ".join(coverage["missing"] + coverage["expired"])
    return None


def is_kyc_verified(customer: Customer, *, on: datetime.date | None = None) -> bool:
    return kyc_refusal_reason(customer, on=on) is None


def ensure_kyc_verified(customer: Customer, *, on: datetime.date | None = None,
                        documents: Iterable[tuple[str, datetime.date | None, str]] | None = None) -> None:
    """Refuse (KycNotVerified, 422) unless the customer's KYC is verified and still valid on the business date.

    Valid means: status verified, review date not passed, and every required document present and unexpired
    (even if the daily periodic review has not marked it expired yet). Call it inside your service, before
    writing anything.
    """
    reason = kyc_refusal_reason(customer, on=on, documents=documents)
    if reason is not None:
        raise KycNotVerified(f"{customer.legal_name} cannot do this until KYC is verified: {reason}.",
                             customer_id=customer.pk)


def latest_check(customer: Customer) -> KycCheck | None:
    return KycCheck.objects.filter(customer=customer).order_by("-performed_at", "-pk").first()


def documents_of(customer: Customer) -> QuerySet[KycDocument]:
    return KycDocument.objects.filter(customer=customer).select_related("uploaded_by")


def kyc_summary(customer: Customer, *, on: datetime.date | None = None) -> dict:
    """The KYC status of one customer as staff see it: what gates services today and why."""
    on = on or current_business_date()
    check = latest_check(customer)
    return {
        "customer_id": customer.pk, "kyc_status": customer.kyc_status, "kyc_review_due": customer.kyc_review_due,
        "risk_rating": customer.risk_rating, "is_verified": (reason := kyc_refusal_reason(customer, on=on)) is None,
        "not_verified_because": reason, "required_documents": document_coverage(customer, on=on),
        "open_screening_hits": ScreeningHit.objects.filter(customer=customer, status=ScreeningHit.Status.OPEN).count(),
        "latest_check": None if check is None else {
            "id": check.pk, "score": str(check.score), "decision": check.decision, "factors": check.factors,
            "performed_at": check.performed_at.isoformat(), "business_date": check.business_date.isoformat()},
    }


DOCUMENT_TYPE_WORDS = {code: label.split(" (")[0].lower() for code, label in DocumentType.choices}


def document_types_in_words(document_types: Iterable[str]) -> str:
    """``["proof_of_address"]`` as people say it: "proof of address"."""
    return ", ".join(DOCUMENT_TYPE_WORDS.get(code, code.replace("_", " ")) for code in document_types)


def screening_hits_to_decide(user) -> QuerySet[ScreeningHit]:
    """Open hits (possible matches nobody confirmed or dismissed) of the customers ``user`` sees, for those who
    may decide them."""
    if not user.has_perm("kyc.decide_screeninghit"):
        return ScreeningHit.objects.none()
    return ScreeningHit.objects.filter(status=ScreeningHit.Status.OPEN,
                                       customer__in=customers_for(user).values("pk"))


def manual_reviews_waiting(user, *, shown: int, on: datetime.date) -> tuple[int, list[tuple[Customer, str]]]:
    """Customers in KYC manual review that ``user`` may decide: how many, and the oldest ``shown`` of them with
    what each is waiting for, in words ("missing: proof of address; 1 open screening hit"). Four queries
    whatever the number of customers."""
    if not user.has_perm("kyc.review_kyc"):
        return 0, []
    in_review = customers_for(user).filter(kyc_status=Customer.KycStatus.IN_PROGRESS)
    customers = list(in_review.order_by("created_at", "pk")[:shown])
    documents: dict[int, list] = {customer.pk: [] for customer in customers}
    for customer_id, *row in KycDocument.objects.filter(
            customer_id__in=list(documents), status__in=COUNTED_DOCUMENT_STATUSES).values_list(
            "customer_id", "document_type", "expiry_date", "status"):
        documents[customer_id].append(row)
    open_hits = dict(ScreeningHit.objects.filter(customer_id__in=list(documents), status=ScreeningHit.Status.OPEN)
                     .order_by().values_list("customer_id").annotate(n=Count("pk")))
    cases = []
    for customer in customers:
        coverage = coverage_of(required_document_types(customer), documents[customer.pk], on=on)
        waiting = []
        if coverage["missing"]:
            waiting.append(f"missing: {document_types_in_words(coverage['missing'])}")
        if coverage["expired"]:
            waiting.append(f"expired: {document_types_in_words(coverage['expired'])}")
        if open_hits.get(customer.pk):
            hits = open_hits[customer.pk]
            waiting.append(f"{hits} open screening hit{'s' if hits != 1 else ''} to decide")
        cases.append((customer, "; ".join(waiting) or "documents complete: a compliance officer's decision"))
    return in_review.count(), cases


# What each risk factor of a KYC check means, in words (its evidence follows: document types, hits, countries).
FACTOR_WORDS = {
    "missing_documents": "missing documents",
    "expired_documents": "expired documents",
    "sanctions_possible_match": "possible sanctions match, not yet decided",
    "sanctions_confirmed_match": "confirmed sanctions match",
    "pep_match": "politically exposed person",
    "high_risk_country": "high-risk country",
}


def factor_in_words(factor: dict) -> str:
    """One factor of a check as staff read it: "missing documents: proof of address (+0.35)"."""
    name, evidence = factor["factor"], factor.get("evidence") or []
    if name in ("missing_documents", "expired_documents"):
        shown = document_types_in_words(evidence)
    elif name in ("sanctions_possible_match", "sanctions_confirmed_match", "pep_match"):
        shown = ", ".join(f"screening hit #{hit}" for hit in evidence)
    else:
        shown = ", ".join(map(str, evidence))
    words = FACTOR_WORDS.get(name, name.replace("_", " "))
    return f"{words}: {shown} (+{factor['weight']})" if shown else f"{words} (+{factor['weight']})"


@dataclass(frozen=True)
class CheckRun:
    """Consecutive KYC checks that came to the same result (decision, score, factors), shown as one line."""

    first: KycCheck
    last: KycCheck
    count: int
    factors: tuple[str, ...]


def check_runs(checks: Iterable[KycCheck]) -> list[CheckRun]:
    """``checks`` (newest first) with each run of identical results folded into one ``CheckRun``: six daily
    re-checks that all found nothing are one line "6 checks, 1-6 May: verified, 0.000, no risk factor"."""
    runs: list[CheckRun] = []
    for check in checks:
        key = (check.decision, check.score, _factor_key(check.factors))
        if runs and (runs[-1].last.decision, runs[-1].last.score, _factor_key(runs[-1].last.factors)) == key:
            run = runs[-1]
            runs[-1] = CheckRun(first=check, last=run.last, count=run.count + 1, factors=run.factors)
        else:
            runs.append(CheckRun(first=check, last=check, count=1,
                                 factors=tuple(factor_in_words(factor) for factor in check.factors)))
    return runs


def _factor_key(factors: list[dict]) -> tuple:
    return tuple(sorted((f["factor"], str(f["weight"]), tuple(sorted(map(str, f.get("evidence") or []))))
                        for f in factors))


@dataclass(frozen=True)
class KycPicture:
    """The KYC part of a customer's page: status, what is missing or expired (in words), the checks folded into
    runs, the documents and the screening hits."""

    waiting_for: str
    missing: str
    expired: str
    check_runs: list[CheckRun]
    checks_shown: int
    documents: list[KycDocument]
    hits: list[ScreeningHit]


def kyc_picture(customer: Customer, *, on: datetime.date, checks_shown: int = 50) -> KycPicture:
    """Everything KYC shows on the customer's page, in three queries whatever the number of rows."""
    documents = list(KycDocument.objects.filter(customer_id=customer.pk).order_by("-uploaded_at", "-pk"))
    counted = [(d.document_type, d.expiry_date, d.status) for d in documents
               if d.status in COUNTED_DOCUMENT_STATUSES]
    coverage = coverage_of(required_document_types(customer), counted, on=on)
    checks = list(KycCheck.objects.filter(customer_id=customer.pk).order_by("-performed_at", "-pk")[:checks_shown])
    hits = list(ScreeningHit.objects.filter(customer_id=customer.pk).select_related("entry", "decided_by")
                .order_by("-created_at", "-pk"))
    waiting = []
    if coverage["missing"]:
        waiting.append(f"missing: {document_types_in_words(coverage['missing'])}")
    if coverage["expired"]:
        waiting.append(f"expired: {document_types_in_words(coverage['expired'])}")
    open_hits = sum(1 for hit in hits if hit.status == ScreeningHit.Status.OPEN)
    if open_hits:
        waiting.append(f"{open_hits} open screening hit{'s' if open_hits != 1 else ''} to decide")
    if customer.kyc_status == Customer.KycStatus.IN_PROGRESS and not waiting:
        waiting.append("documents complete: a compliance officer's decision")
    return KycPicture(waiting_for="; ".join(waiting), missing=document_types_in_words(coverage["missing"]),
                      expired=document_types_in_words(coverage["expired"]), check_runs=check_runs(checks),
                      checks_shown=len(checks), documents=documents, hits=hits)
