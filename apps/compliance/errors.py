"""The compliance domain's errors: each with a stable code the API maps once (config/api/problems.py)."""

from apps.domain_errors import DomainError, PermissionRefused


class ComplianceError(DomainError):
    code = "compliance_error"
    title = "The compliance operation was refused"
    status = 422


class CompliancePermissionRefused(PermissionRefused):
    code = "compliance_permission_refused"
    title = "Only compliance staff may do this"


class ExpectedActivityRefused(ComplianceError):
    code = "expected_activity_refused"
    title = "The expected activity was refused"
