"""Compliance operations that need a second person: changing a CTR threshold, and approving a SAR."""

from apps.compliance.services.ctr import CHANGE_CTR_THRESHOLD, apply_ctr_threshold_change
from apps.compliance.services.sar import APPROVE_SAR, approve_sar, describe_sar_review
from apps.organization.approvals import approvable
from apps.organization.configuration import describe_configuration_change

# The checker must be entitled to change thresholds too: approving applies the change as surely as making it.
approvable(CHANGE_CTR_THRESHOLD, permission="compliance.change_ctrthreshold",
           checker_permission="compliance.change_ctrthreshold",
           describe=describe_configuration_change)(apply_ctr_threshold_change)
# The drafter submits the report; a second officer who may approve SARs approves it (never the drafter).
approvable(APPROVE_SAR, permission="compliance.draft_sar", checker_permission="compliance.approve_sar",
           describe=describe_sar_review)(approve_sar)
