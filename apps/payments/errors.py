from apps.domain_errors import DomainError, NotFound


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
