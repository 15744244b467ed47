"""The fee schedule and transfer limits: a change is proposed to a checker."""

from django.contrib import admin

from apps.organization.configuration_admin import ConfigurationChangeAdminMixin
from apps.payments.models import FeeSchedule, TransferLimit
from apps.payments.services.settings_changes import propose_payment_setting_change
from config.admin_currency_filter import currency_filter
from config.admin_money import money_column
from config.history_admin import EvidenceHistoryAdmin


class PaymentSettingAdmin(ConfigurationChangeAdminMixin, EvidenceHistoryAdmin):
    """Saving proposes the change (or the new row) to a checker; nothing changes until another person approves."""

    def propose_change(self, request, proposed, form, formsets):
        return propose_payment_setting_change(proposed=proposed, maker=request.user)


@admin.register(FeeSchedule)
class FeeScheduleAdmin(PaymentSettingAdmin):
    list_display = ["product", "channel", "currency", money_column("fixed_fee"), "percentage",
                    money_column("minimum_fee"), money_column("maximum_fee"), "is_active"]
    list_filter = ["channel", currency_filter(), "is_active"]
    list_select_related = ["product"]


@admin.register(TransferLimit)
class TransferLimitAdmin(PaymentSettingAdmin):
    list_display = ["product", "customer_tier", "currency", money_column("per_transaction"),
                    money_column("per_day")]
    list_filter = ["customer_tier", currency_filter()]
    list_select_related = ["product"]
