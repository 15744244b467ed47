"""A product's allocation order is configuration that changes what repayments pay: it changes under
maker-checker, the checker seeing it in the diff, like every other term of the product."""

import pytest

from apps.loans.models import LoanProduct
from apps.loans.services.products import CHANGE_LOAN_PRODUCT, propose_loan_product_change
from apps.organization.services import approve_request

pytestmark = pytest.mark.django_db


def test_the_allocation_order_changes_only_when_a_checker_approves_the_diff(product, ops_admin, ops_checker):
    proposed = LoanProduct.objects.get(pk=product.pk)
    proposed.allocation_order = "interest_principal_penalty_fee"

    approval = propose_loan_product_change(proposed=proposed, maker=ops_admin)

    assert approval.operation == CHANGE_LOAN_PRODUCT
    assert "allocation_order" in str(approval.parameters)
    assert LoanProduct.objects.get(pk=product.pk).allocation_order == "penalty_fee_interest_principal"
    approve_request(request=approval, checker=ops_checker)
    assert LoanProduct.objects.get(pk=product.pk).allocation_order == "interest_principal_penalty_fee"
