"""KYC documents: upload with type and size limits, and rejection by compliance."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from apps.customers.countries import is_country_code
from apps.customers.models import Customer
from apps.domain_errors import DomainError, PermissionRefused
from apps.kyc.errors import DocumentRefused, DocumentTooLarge, NotAllowedToAddDocument, UnsupportedDocumentType
from apps.kyc.models import KycDocument
from apps.kyc.rules import DocumentType
from apps.kyc.services.checks import start_kyc_check
from apps.organization.branch_scope import can_access
from apps.organization.models import User
from apps.organization.selectors import current_business_date

UPLOAD_PERMISSION = "kyc.add_kycdocument"

# What a file's first bytes say it is. The client's file name and Content-Type are not trusted.
MAGIC_NUMBERS = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_content_type(head: bytes) -> str | None:
    return next((content_type for magic, content_type in MAGIC_NUMBERS if head.startswith(magic)), None)


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """Refuse a file too large, empty, or not PDF/JPEG/PNG by content; return (content type, sha256)."""
    limit = settings.KYC_MAX_UPLOAD_BYTES
    if upload.size is None or upload.size == 0:
        raise DocumentRefused("The file is empty.")
    if upload.size > limit:
        raise DocumentTooLarge(f"The file is {upload.size} bytes; the limit is {limit} bytes.")
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    if content_type is None:
        raise UnsupportedDocumentType("Only PDF, JPEG and PNG files are accepted (checked by the file's content).")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def ensure_may_add_document(actor: User, customer: Customer) -> None:
    """Staff whose role adds KYC documents (``kyc.add_kycdocument``), for customers they may change."""
    if not actor.is_active or not actor.is_staff or not actor.has_perm(UPLOAD_PERMISSION):
        raise NotAllowedToAddDocument("Your role may not add KYC documents.")
    if not can_access(actor, customer, "change"):
        raise NotAllowedToAddDocument(f"{customer.legal_name} is a customer of another branch.")


@transaction.atomic
def upload_kyc_document(*, customer: Customer, actor: User, document_type: str, file: UploadedFile,
                        issuing_country: str, number: str = "", issue_date: datetime.date | None = None,
                        expiry_date: datetime.date | None = None, on: datetime.date | None = None) -> KycDocument:
    """Store a customer's KYC document and run the KYC check again after commit.

    Refused, with nothing written (no row, no file): an unknown type, a file over KYC_MAX_UPLOAD_BYTES, a file
    that is not PDF/JPEG/PNG by its content, dates out of order, or a document already expired; and a staff
    member who may not add it (``ensure_may_add_document``).
    """
    ensure_may_add_document(actor, customer)
    if document_type not in dict(DocumentType.choices):
        raise DocumentRefused(f"Unknown document type {document_type!r}.", code="kyc_document_unknown_type")
    issuing_country = issuing_country.strip().upper()
    if not is_country_code(issuing_country):
        raise DocumentRefused(f"{issuing_country!r} is not an ISO 3166-1 alpha-2 country code.",
                              code="kyc_document_invalid_country")
    on = on or current_business_date()
    if issue_date and issue_date > on:
        raise DocumentRefused("The issue date is in the future.", code="kyc_document_invalid_dates")
    if issue_date and expiry_date and expiry_date <= issue_date:
        raise DocumentRefused("The expiry date must be after the issue date.", code="kyc_document_invalid_dates")
    if expiry_date and expiry_date < on:
        raise DocumentRefused(f"The document expired on {expiry_date:%Y-%m-%d}.", code="kyc_document_expired")
    content_type, sha256 = check_upload(file)
    document = KycDocument(customer=customer, document_type=document_type, number=number.strip(),
                           issuing_country=issuing_country, issue_date=issue_date, expiry_date=expiry_date,
                           content_type=content_type, size=file.size, sha256=sha256, uploaded_by=actor)
    document._history_user = actor
    document.file.save("upload", file, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)  # the row was not written: do not leave its file behind
        raise
    start_kyc_check(customer=customer)
    return document


@transaction.atomic
def reject_kyc_document(*, document: KycDocument, actor: User, reason: str) -> KycDocument:
    """Compliance refuses a document (unreadable, forged, wrong person); the KYC check runs again."""
    if not actor.has_perm("kyc.review_kyc"):
        raise PermissionRefused("Your role may not reject KYC documents.")
    if not reason.strip():
        raise DomainError("Say why the document is rejected.", code="reason_required")
    document = KycDocument.objects.select_for_update().get(pk=document.pk)
    document.status = KycDocument.Status.REJECTED
    document._history_user = actor
    document._change_reason = reason[:100]
    document.save(update_fields=["status"])
    start_kyc_check(customer=document.customer)
    return document
