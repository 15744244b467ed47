"""Compliance operations that need a second person: changing a typology setting, promoting a shadow setting's
parameters to live (services/settings.py), changing a CTR threshold (services/ctr.py) and approving a SAR
(services/sar.py).

Each checker must be entitled to the change too: approving applies it as surely as making it. That permission
alone lets a compliance officer decide (``checker_permission_suffices``): the role does not hold
organization.decide_approvalrequest, which would let it decide the bank's payments and reversals.
"""

from apps.compliance.services.ctr import CHANGE_CTR_THRESHOLD, apply_ctr_threshold_change
from apps.compliance.services.sar import APPROVE_SAR, approve_sar, describe_sar_review
from apps.compliance.services.settings import (
    CHANGE_TYPOLOGY_SETTING,
    PROMOTE_SHADOW_SETTING,
    apply_shadow_promotion,
    apply_typology_setting_change,
)
from apps.organization.approvals import approvable
from apps.organization.configuration import describe_configuration_change

approvable(CHANGE_TYPOLOGY_SETTING, permission="compliance.change_typologysetting",
           checker_permission="compliance.change_typologysetting", checker_permission_suffices=True,
           describe=describe_configuration_change)(apply_typology_setting_change)
approvable(PROMOTE_SHADOW_SETTING, permission="compliance.change_typologysetting",
           checker_permission="compliance.change_typologysetting", checker_permission_suffices=True,
           describe=describe_configuration_change)(apply_shadow_promotion)
approvable(CHANGE_CTR_THRESHOLD, permission="compliance.change_ctrthreshold",
           checker_permission="compliance.change_ctrthreshold", checker_permission_suffices=True,
           describe=describe_configuration_change)(apply_ctr_threshold_change)
# The drafter submits the report; a second officer who may approve SARs approves it (never the drafter).
approvable(APPROVE_SAR, permission="compliance.draft_sar", checker_permission="compliance.approve_sar",
           checker_permission_suffices=True, describe=describe_sar_review)(approve_sar)
