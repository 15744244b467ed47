"""Payment settings under maker-checker: transfer fee schedules, transfer limits and fraud rules (with the
amounts and counts they keep in the database) decide what money may do, so one person proposes a change or a
new row and a second one, entitled to make it too, approves it. Nothing is saved before the approval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from apps.domain_errors import DomainError, PermissionRefused
from apps.organization.configuration import approval_change_reason, changed_instance, propose_configuration_change
from apps.organization.models import ApprovalRequest, User
from apps.payments.models import FeeSchedule, FraudRule, TransferLimit


class PaymentSettingRefused(DomainError):
    code = "payment_setting_refused"
    title = "The payment setting was refused"
    status = 422


@dataclass(frozen=True)
class PaymentSetting:
    operation: str
    model: type[models.Model]
    fields: tuple[str, ...]

    @property
    def change_permission(self) -> str:
        return f"payments.change_{self.model._meta.model_name}"

    @property
    def add_permission(self) -> str:
        return f"payments.add_{self.model._meta.model_name}"


FEE_SCHEDULE = PaymentSetting("payments.change_fee_schedule", FeeSchedule,
                              ("product", "channel", "currency", "fixed_fee", "percentage", "minimum_fee",
                               "maximum_fee", "is_active"))
TRANSFER_LIMIT = PaymentSetting("payments.change_transfer_limit", TransferLimit,
                                ("product", "customer_tier", "currency", "per_transaction", "per_day"))
FRAUD_RULE = PaymentSetting("payments.change_fraud_rule", FraudRule,
                            ("name", "kind", "parameters", "currency", "action", "is_active", "priority",
                             "description"))
PAYMENT_SETTINGS = {setting.model: setting for setting in (FEE_SCHEDULE, TRANSFER_LIMIT, FRAUD_RULE)}


def _validated(row: models.Model) -> None:
    try:
        row.full_clean()
    except ValidationError as error:
        raise PaymentSettingRefused(" ".join(error.messages)) from None


@transaction.atomic
def propose_payment_setting_change(*, proposed: models.Model, maker: User) -> ApprovalRequest:
    """Ask a checker to approve a new or changed fee schedule, transfer limit or fraud rule (``proposed``, unsaved)."""
    setting = PAYMENT_SETTINGS[type(proposed)]
    needed = setting.change_permission if proposed.pk else setting.add_permission
    if not maker.has_perm(needed):
        raise PermissionRefused(f"Your role may not change {setting.model._meta.verbose_name_plural}.")
    _validated(proposed)
    name = setting.model._meta.verbose_name
    what = f"{name} #{proposed.pk}" if proposed.pk else f"new {name}"
    return propose_configuration_change(operation=setting.operation, proposed=proposed, fields=setting.fields,
                                        maker=maker, summary=f"Change {what}: {proposed}")


@transaction.atomic
def apply_payment_setting_change(*, setting: PaymentSetting, parameters: dict[str, Any], actor: User,
                                 maker: User) -> dict[str, Any]:
    """Apply an approved change under the row's lock; refused when stale or no longer valid."""
    pk = parameters["pk"]
    locked = setting.model.objects.select_for_update().get(pk=pk) if pk else None
    row = changed_instance(locked=locked, model=setting.model, parameters=parameters)
    _validated(row)
    row._history_user = actor
    row._change_reason = approval_change_reason(maker=maker, checker=actor)
    row.save()
    return {setting.model._meta.model_name: row.pk}
