"""Cash receipts of the teller's counter: read-only, each with a printable receipt page."""

from django.contrib import admin
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html

from apps.accounts.models import TellerTransaction
from apps.accounts.selectors import teller_transactions_visible_to
from config.read_only_admin import ReadOnlyAdminMixin


@admin.register(TellerTransaction)
class TellerTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Cash receipts (read-only); each has a printable receipt page."""

    list_display = ["receipt", "kind", "account", "amount", "currency", "teller", "approved_by", "business_date",
                    "created_at"]
    list_filter = ["kind", "business_date", "branch"]
    search_fields = ["account__number", "idempotency_key"]
    list_select_related = ["account", "teller", "approved_by"]
    readonly_fields = [f.name for f in TellerTransaction._meta.fields]

    def get_queryset(self, request):
        return teller_transactions_visible_to(request.user)

    @admin.display(description="Receipt")
    def receipt(self, transaction):
        return format_html('<a href="{}/receipt/">{}</a>', transaction.pk, transaction.receipt_number)

    def get_urls(self):
        return [path("<int:pk>/receipt/", self.admin_site.admin_view(self.receipt_view),
                     name="accounts_tellertransaction_receipt"), *super().get_urls()]

    def receipt_view(self, request, pk):
        receipts = self.get_queryset(request).select_related("branch", "account__customer", "teller", "approved_by")
        receipt = get_object_or_404(receipts, pk=pk)
        return TemplateResponse(request, "admin/accounts/receipt.html",
                                {**self.admin_site.each_context(request), "receipt": receipt,
                                 "title": f"Receipt {receipt.receipt_number}"})
