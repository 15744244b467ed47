from apps.domain_errors import Conflict, DomainError


class LedgerError(DomainError):
    code = "ledger_error"
    title = "The ledger refused the entry"
    status = 422


class UnbalancedEntry(LedgerError):
    code = "unbalanced_entry"
    title = "Debits and credits do not balance"


class InvalidPosting(LedgerError):
    code = "invalid_posting"
    title = "Invalid posting"


class AccountCurrencyMismatch(LedgerError):
    code = "currency_mismatch"
    title = "Currency does not match the account"


class AccountNotOpen(LedgerError):
    code = "account_not_open"
    title = "Account is not open for postings"


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"
    title = "Insufficient funds"


class IdempotencyConflict(Conflict):
    code = "idempotency_key_reused"
    title = "Idempotency key already used for different content"
    status = 422


class AlreadyReversed(Conflict):
    code = "already_reversed"
    title = "Entry already reversed"


class ImmutableRecord(LedgerError):
    code = "immutable_record"
    title = "Posted entries cannot be changed"
    status = 409


class LedgerAccountOwned(Conflict):
    """A ledger account that carries a deposit or loan account: its overdraft and status belong to that account
    (and its product) and change only through it."""

    code = "ledger_account_owned"
    title = "The ledger account is changed through the account it carries"
