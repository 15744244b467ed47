from apps.domain_errors import Conflict, DomainError, NotFound, PermissionRefused


class AccountsError(DomainError):
    code = "accounts_error"
    title = "The account operation was refused"
    status = 422


class AccountNotFound(NotFound):
    code = "account_not_found"
    title = "Account not found"


class ProductNotAvailable(AccountsError):
    code = "product_not_available"
    title = "The product does not accept new accounts"


class ProductCurrencyLocked(Conflict):
    code = "product_currency_in_use"
    title = "A product in use cannot change its currency"


class ProductKindLocked(Conflict):
    code = "product_kind_in_use"
    title = "A product in use cannot change its kind"


class AccountStateRefused(Conflict):
    """The account's status does not allow the operation (pending, dormant, frozen, closed)."""

    code = "account_state_refused"
    title = "The account's status does not allow this"


class InsufficientAvailableBalance(AccountsError):
    code = "insufficient_available_balance"
    title = "Insufficient available balance"


class HoldNotActive(Conflict):
    code = "hold_not_active"
    title = "The hold is no longer active"


class HoldNotReleasable(Conflict):
    code = "hold_belongs_to_payment_review"
    title = "The hold is a payment review's"


class HoldReplayConflict(Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency key already used for a different hold"
    status = 422


class InvalidAccountOperation(AccountsError):
    code = "invalid_account_operation"
    title = "Invalid account operation"
    status = 400


class TellerLimitExceeded(PermissionRefused):
    code = "teller_limit_exceeded"
    title = "Above the teller's limit: a branch manager must approve"


class NotAllowedToApproveCash(PermissionRefused):
    code = "not_allowed_to_approve_cash"
    title = "Only a branch manager may approve this cash operation"


class NotAllowedToOpenAccount(PermissionRefused):
    code = "account_opening_not_allowed"
    title = "Not allowed to open this account"


class NotAllowedToHandleCash(PermissionRefused):
    code = "cash_operation_not_allowed"
    title = "Not allowed to handle cash on this account"


class TellerReplayConflict(Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency key already used for a different operation"
    status = 422
