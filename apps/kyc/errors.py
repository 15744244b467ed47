from apps.domain_errors import Conflict, DomainError, PermissionRefused


class KycNotVerified(DomainError):
    """Raised by ensure_kyc_verified: accounts, loans and payments refuse a customer without verified KYC."""

    code = "kyc_not_verified"
    title = "The customer's KYC is not verified"
    status = 422


class DocumentRefused(DomainError):
    code = "kyc_document_refused"
    title = "The document was refused"
    status = 400


class DocumentTooLarge(DocumentRefused):
    code = "kyc_document_too_large"
    status = 413


class UnsupportedDocumentType(DocumentRefused):
    code = "kyc_document_unsupported_type"
    status = 415


class ReviewNotPending(Conflict):
    code = "kyc_review_not_pending"
    title = "The customer is not waiting for a KYC review"


class ReviewerIsMaker(PermissionRefused):
    code = "kyc_reviewer_is_maker"
    title = "The reviewer cannot be the staff member who onboarded the customer"


class NotAllowedToReview(PermissionRefused):
    code = "kyc_not_allowed_to_review"
    title = "Not allowed to decide KYC reviews"


class HitAlreadyDecided(Conflict):
    code = "screening_hit_already_decided"
    title = "The screening hit was already decided"


class InvalidScreeningList(DomainError):
    code = "invalid_screening_list"
    title = "The screening list file is invalid"


class NoDelistingReview(Conflict):
    code = "screening_hit_no_delisting_review"
    title = "The screening hit is not a confirmed match waiting for a review of its entry's delisting"


class MassDelistingRefused(Conflict):
    """An import would delist more of a list than a normal update does: a file of changes only, or a download cut
    short, looks like this. Nothing is imported unless the mass delisting is allowed explicitly, with a reason."""

    code = "screening_mass_delisting"
    title = "The screening list file would delist too many entries"


class NotAllowedToAddDocument(PermissionRefused):
    code = "kyc_document_upload_not_allowed"
    title = "Not allowed to add KYC documents for this customer"


class NotAllowedToImportScreeningList(PermissionRefused):
    code = "kyc_not_allowed_to_import_screening_list"
    title = "Not allowed to import screening lists"
