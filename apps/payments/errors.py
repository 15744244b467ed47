from apps.domain_errors import DomainError, NotFound, PermissionRefused


class PaymentRefused(DomainError):
    code = "payment_refused"
    title = "The payment was refused"
    status = 422


class UnknownAccount(NotFound):
    """The payer's account does not exist *or is not the caller's*: the two are never told apart."""

    code = "unknown_account"
    title = "Unknown account"


class UnknownBeneficiaryAccount(PaymentRefused):
    code = "unknown_beneficiary_account"
    title = "Unknown beneficiary account"


class AccountNotAvailable(PaymentRefused):
    code = "account_not_available"
    title = "The account cannot be used for this payment"


class TransferCurrencyMismatch(PaymentRefused):
    code = "currency_mismatch"
    title = "Currencies do not match"


class LimitExceeded(PaymentRefused):
    code = "limit_exceeded"
    title = "Transfer limit exceeded"


class SameAccount(PaymentRefused):
    code = "same_account"
    title = "The payer and payee accounts are the same"


class UnknownBeneficiary(NotFound):
    """The beneficiary does not exist *or belongs to another customer*: the two are never told apart."""

    code = "unknown_beneficiary"
    title = "Unknown beneficiary"


class BeneficiaryRefused(PaymentRefused):
    code = "beneficiary_refused"
    title = "The beneficiary cannot be saved or used"


class BeneficiaryCoolingOff(PaymentRefused):
    code = "beneficiary_cooling_off"
    title = "The beneficiary is too new for this amount"


class PaymentBlockedByFraudRule(PaymentRefused):
    """Carries the decisions to record once the payment's own transaction has rolled back."""

    code = "payment_blocked_by_fraud_rule"
    title = "The payment was blocked"

    def __init__(self, message: str, *, decisions: list, **context) -> None:
        super().__init__(message, **context)
        self.decisions = decisions


class ReviewNotPending(PaymentRefused):
    code = "review_not_pending"
    title = "The held payment was already decided"
    status = 409


class ReviewReasonMissing(PaymentRefused):
    """A held payment is released or rejected with a reason (409, as it always was: the API did not change)."""

    code = "reason_required"
    title = "The decision needs a reason"
    status = 409


class NotAllowedToInitiatePayment(PermissionRefused):
    """A staff role without the permission to initiate payments on a customer's behalf (403)."""

    code = "payment_initiation_not_allowed"


class InvalidIban(DomainError):
    code = "invalid_iban"
    title = "Invalid IBAN"
    status = 400


class InvalidBic(DomainError):
    code = "invalid_bic"
    title = "Invalid BIC"
    status = 400


class NotAllowedToCancelStandingOrder(PermissionRefused):
    code = "standing_order_cancel_not_allowed"
    title = "Not allowed to cancel this standing order"


class StandingOrderNotCancellable(PaymentRefused):
    code = "standing_order_not_cancellable"
    title = "The standing order is already over"
    status = 409
