"""Compliance operations that need a second person: changing a typology setting and promoting a shadow
setting's parameters to live (services/settings.py)."""

from apps.compliance.services.settings import (
    CHANGE_TYPOLOGY_SETTING,
    PROMOTE_SHADOW_SETTING,
    apply_shadow_promotion,
    apply_typology_setting_change,
)
from apps.organization.approvals import approvable
from apps.organization.configuration import describe_configuration_change

# The checker must be entitled to change typology settings too: approving applies the change as surely as
# making it. That permission alone lets a compliance officer decide (checker_permission_suffices): the role does
# not hold organization.decide_approvalrequest, which would let it decide the bank's payments and reversals.
approvable(CHANGE_TYPOLOGY_SETTING, permission="compliance.change_typologysetting",
           checker_permission="compliance.change_typologysetting", checker_permission_suffices=True,
           describe=describe_configuration_change)(apply_typology_setting_change)
approvable(PROMOTE_SHADOW_SETTING, permission="compliance.change_typologysetting",
           checker_permission="compliance.change_typologysetting", checker_permission_suffices=True,
           describe=describe_configuration_change)(apply_shadow_promotion)
