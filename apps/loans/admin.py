"""Loan products in the admin: saving proposes the change (or the new product) to a checker, and each product
has a "Preview schedule" page — the schedule engine's table for the terms typed in, money in its currency."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.domain_errors import DomainError
from apps.loans import admin_applications  # noqa: F401 - registers the loan applications admin
from apps.loans.admin_forms import SchedulePreviewForm
from apps.loans.models import LoanProduct
from apps.loans.services import products
from apps.loans.services.schedule_preview import preview_schedule
from apps.money import Money, MoneyError, format_amount
from apps.organization.configuration_admin import ConfigurationChangeAdminMixin
from apps.organization.selectors import current_business_date
from config.admin_money import money_column
from config.history_admin import EvidenceHistoryAdmin


@admin.register(LoanProduct)
class LoanProductAdmin(ConfigurationChangeAdminMixin, EvidenceHistoryAdmin):
    """Loan products. Saving proposes the change (``products.propose_loan_product_change``); nothing changes
    until another person, entitled to change products too, approves it."""

    list_display = ["code", "name", "currency", "amortization", "repayment_frequency", "day_count",
                    money_column("minimum_amount", description="minimum amount"),
                    money_column("maximum_amount", description="maximum amount"), "default_rate", "default_term",
                    "is_active", "preview_link"]
    list_filter = ["is_active", "currency", "amortization", "repayment_frequency"]
    search_fields = ["code", "name"]
    list_select_related = False
    raw_id_fields = ["loan_portfolio_account", "interest_receivable_account", "interest_income_account",
                     "fee_income_account"]
    fieldsets = [
        (None, {"fields": ["code", "name", "description", "currency", "is_active"]}),
        ("Repayment", {"fields": ["amortization", "repayment_frequency", "day_count", "due_date_rule",
                                  "rounding_multiple", "allocation_order"]}),
        ("Limits", {"fields": [("minimum_amount", "maximum_amount"), ("minimum_term", "default_term", "maximum_term"),
                               ("minimum_rate", "default_rate", "maximum_rate")]}),
        ("Grace", {"fields": ["principal_grace", "interest_grace", "grace_interest_accrues"]}),
        ("Origination fee", {"fields": ["fee_kind", "fee_value", "fee_treatment"]}),
        ("Ledger accounts", {"fields": ["loan_portfolio_account", "interest_receivable_account",
                                        "interest_income_account", "fee_income_account"]}),
    ]

    def propose_change(self, request, proposed, form, formsets):
        return products.propose_loan_product_change(proposed=proposed, maker=request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="schedule")
    def preview_link(self, product: LoanProduct) -> str:
        return format_html('<a href="{}">Preview schedule</a>',
                           reverse("admin:loans_loanproduct_preview", args=[product.pk]))

    def get_urls(self):
        return [path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view),
                     name="loans_loanproduct_preview"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {**(extra_context or {})}
        if object_id and object_id.isdigit():
            extra["preview_url"] = reverse("admin:loans_loanproduct_preview", args=[int(object_id)])
        return super().change_view(request, object_id, form_url, extra)

    def preview_view(self, request, pk):
        """The schedule for the terms in the form (sent with GET: a read), by ``preview_schedule``, whose refusals
        (limits, impossible terms) come back on the form."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        product = get_object_or_404(LoanProduct, pk=pk)
        asked = "amount" in request.GET
        form = SchedulePreviewForm(request.GET if asked else None,
                                   initial=SchedulePreviewForm.initial_for(product, current_business_date()))
        schedule = None
        if asked and form.is_valid():
            given = form.cleaned_data
            try:
                schedule = preview_schedule(
                    product=product, amount=Money(given["amount"], product.currency),
                    annual_rate=given["annual_rate"], term=given["term"], frequency=given["frequency"],
                    disbursement_date=given["disbursement_date"],
                    first_repayment_date=given.get("first_repayment_date"))
            except (DomainError, MoneyError) as refused:
                form.add_error(None, str(refused))
        return TemplateResponse(request, "admin/loans/loanproduct/preview.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": product, "form": form,
            "title": f"Schedule preview: {product}", "schedule": schedule,
            "rows": _rows(schedule) if schedule else [], "totals": _totals(schedule) if schedule else None,
            "summary": _summary(schedule, product) if schedule else [],
        })


def _money(amount, currency: str) -> str:
    return format_amount(amount, currency)


def _rows(schedule) -> list[dict]:
    currency = schedule.currency
    return [{"number": i.number, "period_end": i.period_end, "due_date": i.due_date,
             "moved": i.due_date != i.period_end,
             "principal": _money(i.principal, currency), "interest": _money(i.interest, currency),
             "fees": _money(i.fees, currency), "total": _money(i.total, currency),
             "outstanding": _money(i.outstanding, currency)} for i in schedule.instalments]


def _totals(schedule) -> dict:
    currency = schedule.currency
    return {"principal": _money(schedule.total_principal, currency),
            "interest": _money(schedule.total_interest, currency),
            "fees": _money(schedule.total_fees, currency), "total": _money(schedule.total_repayment, currency)}


def _summary(schedule, product: LoanProduct) -> list[tuple[str, str]]:
    currency = schedule.currency
    regular = "Regular instalment" if product.amortization == "annuity" else "Regular principal"
    return [("Amount", _money(schedule.amount, currency)),
            ("Origination fee", _money(schedule.origination_fee, currency)),
            ("Principal repaid", _money(schedule.principal, currency)),
            ("Paid out", _money(schedule.net_disbursed, currency)),
            (regular, _money(schedule.regular_instalment, currency))]
from apps.loans import admin_loans  # noqa: E402, F401  (booked loans: the loan page and the counter's repayment)
