"""Writes about KYC: documents, the automated check, manual review, periodic review, screening."""

from apps.kyc.services.checks import (
    decide_kyc_review,
    expire_due_kyc,
    run_kyc_check,
    start_kyc_check,
)
from apps.kyc.services.delisting import review_delisted_match
from apps.kyc.services.documents import reject_kyc_document, upload_kyc_document
from apps.kyc.services.screening import (
    decide_screening_hit,
    import_screening_list,
    screen_customer,
    screen_customers,
)

__all__ = [
    "decide_kyc_review",
    "decide_screening_hit",
    "expire_due_kyc",
    "import_screening_list",
    "reject_kyc_document",
    "review_delisted_match",
    "run_kyc_check",
    "screen_customer",
    "screen_customers",
    "start_kyc_check",
    "upload_kyc_document",
]
