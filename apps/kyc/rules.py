"""The KYC rules in one place: required documents, risk weights, decision thresholds, review periods.

Compliance changes the bank's KYC policy here (and in docs/kyc.md, which quotes these numbers); every KYC check
stores the weights it used, so a past decision can be explained after the policy changed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings


class DocumentType:
    GOVERNMENT_ID = "government_id"
    PROOF_OF_ADDRESS = "proof_of_address"
    BUSINESS_LICENSE = "business_license"
    TAX_ID_DOCUMENT = "tax_id_document"
    ARTICLES_OF_INCORPORATION = "articles_of_incorporation"
    INCOME_VERIFICATION = "income_verification"

    choices = [
        (GOVERNMENT_ID, "Government id (passport, id card)"),
        (PROOF_OF_ADDRESS, "Proof of address"),
        (BUSINESS_LICENSE, "Business license"),
        (TAX_ID_DOCUMENT, "Tax id document"),
        (ARTICLES_OF_INCORPORATION, "Articles of incorporation"),
        (INCOME_VERIFICATION, "Income verification"),
    ]


REQUIRED_DOCUMENTS = {
    "individual": (DocumentType.GOVERNMENT_ID, DocumentType.PROOF_OF_ADDRESS),
    "business": (DocumentType.BUSINESS_LICENSE, DocumentType.TAX_ID_DOCUMENT,
                 DocumentType.ARTICLES_OF_INCORPORATION),
    # A premium customer is an individual with more scrutiny on where their money comes from.
    "premium": (DocumentType.GOVERNMENT_ID, DocumentType.PROOF_OF_ADDRESS, DocumentType.INCOME_VERIFICATION),
}


def required_document_types(customer) -> tuple[str, ...]:
    if customer.is_premium and customer.customer_type == "individual":
        return REQUIRED_DOCUMENTS["premium"]
    return REQUIRED_DOCUMENTS[customer.customer_type]


# Each factor found adds its weight; the score is the sum, capped at 1.
RISK_WEIGHTS: dict[str, Decimal] = {
    "missing_documents": Decimal("0.35"),          # at least one required document was never provided
    "expired_documents": Decimal("0.30"),          # a required document has passed its expiry date
    "sanctions_possible_match": Decimal("0.45"),   # an open (unreviewed) hit on a sanctions list
    "sanctions_confirmed_match": Decimal("1.00"),  # a hit a compliance officer confirmed
    "pep_match": Decimal("0.35"),                  # a politically exposed person (open or confirmed)
    "high_risk_country": Decimal("0.30"),          # country of residence or incorporation on the high-risk list
}
VERIFY_BELOW = Decimal("0.30")   # and no document missing: verified automatically
REVIEW_BELOW = Decimal("0.70")   # otherwise, below this: in progress, a compliance officer decides
# At or above REVIEW_BELOW: rejected.

# The risk rating a check gives the customer, from its score (same bands as the decision).
RISK_RATING_BANDS = ((VERIFY_BELOW, "low"), (REVIEW_BELOW, "medium"), (Decimal("1.01"), "high"))

# Verified KYC is reviewed again after this many years, by risk rating.
REVIEW_PERIOD_YEARS = {"high": 1, "medium": 2, "low": 3}


def high_risk_countries() -> frozenset[str]:
    """FATF "call for action" jurisdictions by default; KYC_HIGH_RISK_COUNTRIES overrides."""
    return frozenset(settings.KYC_HIGH_RISK_COUNTRIES)


def risk_rating_for(score: Decimal) -> str:
    return next(rating for upper, rating in RISK_RATING_BANDS if score < upper)
