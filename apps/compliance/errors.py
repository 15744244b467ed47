"""The compliance domain's errors: each with a stable code the API maps once (config/api/problems.py)."""

from apps.domain_errors import Conflict, DomainError, PermissionRefused


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
