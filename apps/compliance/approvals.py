"""Compliance operations that need a second person: changing a typology setting, promoting a shadow setting's
parameters to live (services/settings.py), changing a CTR threshold (services/ctr.py), approving a SAR
(services/sar.py), and closing a risky case as a false positive (four-eyes, services/cases.py).

Each checker must be entitled to the change too: approving applies it as surely as making it. That permission
alone lets a compliance officer decide (``checker_permission_suffices``): the role does not hold
organization.decide_approvalrequest, which would let it decide the bank's payments and reversals.
"""

from typing import Any

from apps.compliance.models import Case
from apps.compliance.services.cases import (
    CLOSE_AS_FALSE_POSITIVE,
    CLOSE_CASE,
    DECIDE_CLOSURE,
    run_approved_false_positive_closure,
)
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


def describe_false_positive_closure(parameters: dict[str, Any]) -> str:
    case = Case.objects.select_related("customer").get(pk=parameters["case"])
    return (f"Close case {case.pk} of {case.customer.legal_name} (risk {case.risk_score}, "
            f"{case.alerts.count()} alerts) as a false positive: \u201c{parameters['reason']}\u201d")


# The officer proposes; another compliance officer decides (compliance.decide_case_closure), never the proposer;
# a role that decides every request (a branch manager, operations) lacks that permission and does not decide these.
approvable(CLOSE_AS_FALSE_POSITIVE, permission=CLOSE_CASE, checker_permission=DECIDE_CLOSURE,
           checker_permission_suffices=True,
           describe=describe_false_positive_closure)(run_approved_false_positive_closure)
