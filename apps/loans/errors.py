"""The loans' domain errors: each with a stable code the API maps once (config/api/problems.py)."""

from apps.domain_errors import Conflict, DomainError, NotFound, PermissionRefused


class LoansError(DomainError):
    code = "loans_error"
    title = "The loan operation was refused"
    status = 422


class ScheduleRefused(LoansError):
    """Terms no schedule can honour (a grace as long as the term, a first repayment before the disbursement)."""

    code = "schedule_refused"
    title = "The schedule cannot be made from these terms"


class LoanTermsOutOfRange(LoansError):
    """An amount, rate or term outside the product's limits."""

    code = "loan_terms_out_of_range"
    title = "The terms are outside the product's limits"


class LoanProductNotFound(NotFound):
    code = "loan_product_not_found"
    title = "Loan product not found"


class LoanProductChangeRefused(LoansError):
    code = "loan_product_change_refused"
    title = "The loan product change was refused"



# --- applications, underwriting and approval (services/applications.py, services/underwriting.py) ---
class LoanApplicationNotFound(NotFound):
    code = "loan_application_not_found"
    title = "Loan application not found"


class LoanApplicationRefused(LoansError):
    """An application that cannot be made or acted on (an inactive product, one no longer open); ``code`` says."""

    code = "loan_application_refused"
    title = "The loan application was refused"


class LoanApplicationConflict(LoansError):
    """The same idempotency key with another application, or an application that moved on meanwhile."""

    code = "loan_application_conflict"
    title = "The loan application conflicts with its current state"
    status = 409


class NotAllowedToLend(PermissionRefused):
    """Staff acting on an application their role or branch does not give them (``code`` says which)."""

    code = "loan_permission_denied"
    title = "You may not do this with this loan application"


class LoanApprovalRefused(LoansError):
    """An approval the maker-checker rules and limits refuse: self-approval, above the checker's limit."""

    code = "loan_approval_refused"
    title = "The approval was refused"


# --- The booked loan (disbursement, repayment, charges) -------------------------------------------------------
class LoanNotFound(NotFound):
    code = "loan_not_found"
    title = "Loan not found"


class DisbursementRefused(LoansError):
    """Not approved, already disbursed, a deposit account that is not the customer's or not in the currency."""

    code = "disbursement_refused"
    title = "The loan cannot be disbursed"


class RepaymentRefused(LoansError):
    """An amount not positive, in another currency, beyond what is owed; a closed loan; a future value date."""

    code = "repayment_refused"
    title = "The repayment was refused"


class QuoteRefused(LoansError):
    """A payoff or prepayment quote that cannot be given for what was asked (a date before the loan, an amount
    that prepays nothing): a bad query, 400."""

    code = "quote_refused"
    title = "No quote for what was asked"
    status = 400


class LoanClosed(Conflict):
    code = "loan_closed"
    title = "The loan is not active"


class LoanIdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    title = "The idempotency key was used for a different operation"


class LoanChargeRefused(LoansError):
    code = "loan_charge_refused"
    title = "The charge was refused"
