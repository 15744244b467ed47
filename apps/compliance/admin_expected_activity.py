"""Customers' expected activity in the admin: compliance records what a customer declared (income, turnover,
line of business) through ``record_expected_activity``; the form's refusal comes back on the form."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from apps.compliance.models import ExpectedActivity
from apps.compliance.services.expected_activity import record_expected_activity
from apps.domain_errors import DomainError
from config.admin_money import money_column
from config.history_admin import EvidenceHistoryAdmin


class ExpectedActivityForm(forms.ModelForm):
    class Meta:
        model = ExpectedActivity
        fields = ["customer", "currency", "declared_monthly_income", "expected_monthly_turnover", "business_activity"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        self.recorded = None
        try:
            self.recorded = record_expected_activity(
                customer=cleaned.get("customer") or self.instance.customer, currency=cleaned["currency"],
                declared_monthly_income=cleaned.get("declared_monthly_income"),
                expected_monthly_turnover=cleaned.get("expected_monthly_turnover"),
                business_activity=cleaned.get("business_activity") or "", actor=self.actor)
        except DomainError as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return cleaned


@admin.register(ExpectedActivity)
class ExpectedActivityAdmin(EvidenceHistoryAdmin):
    form = ExpectedActivityForm
    list_display = ["customer", "currency", "income", "turnover", "business_activity", "recorded_by", "recorded_at"]
    list_select_related = ["customer", "recorded_by"]
    search_fields = ["customer__legal_name", "business_activity"]
    raw_id_fields = ["customer"]
    income = money_column("declared_monthly_income", description="Declared monthly income")
    turnover = money_column("expected_monthly_turnover", description="Expected monthly turnover")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["customer"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        # the service saved it in the form's clean (so its refusal lands on the form); point the admin at it
        obj.pk, obj._state.adding = form.recorded.pk, False

    def has_delete_permission(self, request, obj=None):
        return False
