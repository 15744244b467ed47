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


class NotAllowedToEnrol(PermissionRefused):
    code = "channel_enrolment_not_allowed"
    title = "Not allowed to enrol this customer for the channels"


class ChannelEnrolmentRefused(Conflict):
    """The customer's channel login is not in a state the operation applies to (already enrolled, not enrolled,
    blocked, a username taken); ``code`` says which."""

    code = "channel_enrolment_refused"
    title = "The customer's channel enrolment does not allow this"


class ChannelCodeUnknown(DomainError):
    code = "channel_code_unknown"
    title = "No such code"


class ChannelCodeExpired(DomainError):
    code = "channel_code_expired"
    title = "The code has expired"


class ChannelCodeUsed(Conflict):
    code = "channel_code_used"
    title = "The code was already used"


class ChannelCodeVoid(Conflict):
    code = "channel_code_void"
    title = "The code no longer works"


class ChannelPasswordInvalid(DomainError):
    code = "password_invalid"
    title = "The password is not accepted"
