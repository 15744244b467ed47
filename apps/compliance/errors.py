"""The compliance domain's errors: each with a stable code the API maps once (config/api/problems.py)."""

from apps.domain_errors import Conflict, DomainError, NotFound, PermissionRefused


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


class TypologySettingRefused(ComplianceError):
    """A typology setting's proposal, approval or promotion the rules refuse (services/settings.py); the code
    says which rule (typology_unknown, typology_parameters_invalid, typology_setting_mode_taken, ...)."""

    code = "typology_setting_refused"
    title = "The typology setting change was refused"


class BacktestRefused(TypologySettingRefused):
    code = "backtest_refused"
    title = "The backtest was refused"


class ScenarioAlreadyWritten(Conflict):
    """``generate_aml_scenarios`` was given a scenario name (prefix) already written into this database."""

    code = "scenario_already_written"
    title = "This synthetic scenario is already in the database"


class CtrFilingRefused(ComplianceError):
    """A CTR already filed, or filed without the FIU's acknowledgement number."""

    code = "ctr_filing_refused"
    title = "The CTR cannot be filed"


class CtrThresholdChangeRefused(ComplianceError):
    code = "ctr_threshold_change_refused"
    title = "The CTR threshold change was refused"


class SarRefused(ComplianceError):
    """A SAR operation out of its order: drafting from a closed case, editing a report under review, filing one
    not approved, acknowledging one not filed."""

    code = "sar_refused"
    title = "The SAR operation was refused"


class SarExportInvalid(ComplianceError):
    """The goAML XML does not validate against the schema of what we emit: nothing is filed."""

    code = "sar_export_invalid"
    title = "The SAR's goAML export does not validate"


# --- cases (services/cases.py) ---
class CaseNotFound(NotFound):
    code = "case_not_found"
    title = "Case not found"


class CaseNotOpen(Conflict):
    """The case is closed (as a false positive or with a SAR): nothing more is done on it but notes."""

    code = "case_not_open"
    title = "The case is closed"


class CaseTransitionRefused(ComplianceError):
    """A status change the case's workflow does not allow (escalating an escalated case, investigating it)."""

    code = "case_transition_refused"
    title = "The case cannot move to that status"


class AssigneeNotComplianceOfficer(ComplianceError):
    code = "case_assignee_not_compliance_officer"
    title = "Cases are assigned to compliance officers"


class ReasonRequired(ComplianceError):
    code = "compliance_reason_required"
    title = "A reason is required"


class FourEyesRequired(ComplianceError):
    """Closing a case this risky as a false positive needs a second compliance officer: propose it instead."""

    code = "case_four_eyes_required"
    title = "A second compliance officer must approve this closure"


class ClosureAlreadyProposed(Conflict):
    code = "case_closure_already_proposed"
    title = "A closure of this case is already waiting for approval"


class SarNotForCase(ComplianceError):
    code = "sar_not_for_case"
    title = "The SAR is not this case's, or not ready"


# --- suppressions (services/suppressions.py) ---
class SuppressionRefused(ComplianceError):
    code = "suppression_refused"
    title = "The suppression was refused"


class SuppressionNotActive(Conflict):
    code = "suppression_not_active"
    title = "The suppression was already lifted"
