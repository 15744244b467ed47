"""The compliance app's domain errors: each with a stable code the API maps once (config/api/problems.py)."""

from apps.domain_errors import DomainError


class ComplianceError(DomainError):
    code = "compliance_error"
    title = "The compliance operation was refused"
    status = 422


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
