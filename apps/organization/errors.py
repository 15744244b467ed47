from apps.domain_errors import Conflict, DomainError, PermissionRefused


class ApprovalError(DomainError):
    code = "approval_error"
    title = "The approval request was refused"
    status = 409


class CheckerIsMaker(PermissionRefused):
    code = "checker_is_maker"
    title = "The checker cannot be the maker"


class NotAllowedToDecide(PermissionRefused):
    code = "not_allowed_to_approve"
    title = "Not allowed to decide this request"


class RequestNotPending(Conflict):
    code = "approval_not_pending"
    title = "The request was already decided or has expired"


class UnknownOperation(ApprovalError):
    code = "unknown_operation"
    status = 400


class ScheduleRefused(DomainError):
    code = "beat_schedule_refused"


class NotAllowedToChangeSchedules(PermissionRefused):
    code = "beat_schedule_not_allowed"
