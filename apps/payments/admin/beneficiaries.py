"""Customers' saved payees: read-only."""

from django.contrib import admin

from apps.payments import selectors
from apps.payments.models import Beneficiary
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    """Customers' saved payees. Saved and removed through the customer channels; staff read them here."""

    list_display = ["name", "account_identifier", "country", "owner", "created_at", "removed_at"]
    list_filter = ["country"]
    search_fields = ["=account_identifier", "name", "owner__legal_name"]
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in Beneficiary._meta.fields]

    def get_queryset(self, request):
        return selectors.beneficiaries_visible_to(request.user)
