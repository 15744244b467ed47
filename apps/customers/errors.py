from apps.domain_errors import Conflict, DomainError


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
