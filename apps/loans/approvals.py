"""Loan operations that need a second person: for now, creating and changing loan products."""

from apps.loans.services.products import CHANGE_LOAN_PRODUCT, apply_loan_product_change
from apps.organization.approvals import approvable
from apps.organization.configuration import describe_configuration_change

# The checker must be entitled to change loan products too: approving applies the change as surely as making it.
approvable(CHANGE_LOAN_PRODUCT, permission="loans.change_loanproduct", checker_permission="loans.change_loanproduct",
           describe=describe_configuration_change)(apply_loan_product_change)
