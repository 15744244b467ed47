"""KYC's sections of the customer page: the KYC status and what it waits for, the checks with their factors in
words (identical consecutive checks folded into one line), the documents and the screening hits."""

from apps.customers.customer_page import CustomerPageSection, register_customer_page_section
from apps.kyc.selectors import kyc_picture
from apps.organization.selectors import current_business_date


def kyc_section(request, customer) -> CustomerPageSection | None:
    user = request.user
    if not user.has_perm("kyc.view_kyccheck"):
        return None
    picture = kyc_picture(customer, on=current_business_date())
    return CustomerPageSection(title="KYC", template="admin/kyc/customer_page_kyc.html", anchor="kyc", context={
        "picture": picture, "customer": customer,
        "may_see_documents": user.has_perm("kyc.view_kycdocument"),
        "may_see_hits": user.has_perm("kyc.view_screeninghit"),
    })


register_customer_page_section("kyc.kyc", kyc_section, order=200)
