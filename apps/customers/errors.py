from apps.domain_errors import Conflict, DomainError, PermissionRefused


class InvalidCustomerData(DomainError):
    code = "invalid_customer_data"
    title = "The customer data is invalid"


class DuplicateCustomerEmail(Conflict):
    code = "customer_email_taken"
    title = "A customer with this email already exists"


class AlreadyPremium(Conflict):
    code = "customer_already_premium"
    title = "The customer is already premium"


class NotPremiumEligible(DomainError):
    code = "customer_not_premium_eligible"
    title = "The customer cannot be upgraded to premium"
    status = 422


class NotAllowedToOnboard(PermissionRefused):
    code = "customer_onboarding_not_allowed"
    title = "Not allowed to onboard this customer"


class NotAllowedToUpgrade(PermissionRefused):
    code = "customer_upgrade_not_allowed"
    title = "Not allowed to upgrade this customer"


class NotAllowedToChangeCustomer(PermissionRefused):
    code = "customer_change_not_allowed"
    title = "Not allowed to change this customer"


class CustomerFieldNotEditable(InvalidCustomerData):
    code = "customer_field_not_editable"
    title = "This field of the customer is not changed here"


class NotAllowedToBlockCustomer(PermissionRefused):
    code = "customer_block_not_allowed"
    title = "Not allowed to block or unblock this customer"


class CustomerStatusRefused(Conflict):
    code = "customer_status_refused"
    title = "The customer's status does not allow this"


class CustomerMayNotSend(Conflict):
    """The account's owner is blocked or closed: no money leaves their accounts (incoming money still lands)."""

    code = "customer_blocked"
    title = "The customer may not send money"
