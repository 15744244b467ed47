"""Who may add a KYC document is upload_kyc_document's rule, met by every caller (API, admin, task)."""

import pytest

from apps.customers.tests.factories import CustomerFactory
from apps.kyc.errors import NotAllowedToAddDocument
from apps.kyc.models import KycDocument
from apps.kyc.services import upload_kyc_document
from apps.kyc.tests.conftest import upload
from apps.organization.tests.factories import CustomerUserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("staff", ["loan_officer", "compliance_officer", "auditor", "ops_admin", "teller_b"])
def test_upload_refuses_a_role_or_branch_that_may_not_add_documents(request, staff, branch_a, _media_in_tmp):
    customer = CustomerFactory(branch=branch_a)
    with pytest.raises(NotAllowedToAddDocument) as refused:
        upload_kyc_document(customer=customer, actor=request.getfixturevalue(staff), document_type="passport",
                            file=upload(), issuing_country="PT")
    assert refused.value.status == 403
    assert not KycDocument.objects.exists()
    assert not [path for path in _media_in_tmp.rglob("*") if path.is_file()]  # no file left behind


def test_upload_refuses_a_customer_login(branch_a):
    customer = CustomerFactory(branch=branch_a)
    with pytest.raises(NotAllowedToAddDocument):
        upload_kyc_document(customer=customer, actor=CustomerUserFactory(), document_type="passport",
                            file=upload(), issuing_country="PT")
    assert not KycDocument.objects.exists()
