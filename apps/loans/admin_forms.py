"""The admin's schedule-preview form: the loan to preview, with the product's defaults filled in."""

from __future__ import annotations

from django import forms

from apps.loans.models import MAX_TERM, LoanProduct
from apps.loans.product_terms import RepaymentFrequency


class SchedulePreviewForm(forms.Form):
    amount = forms.DecimalField(max_digits=18, decimal_places=4, min_value=0)
    annual_rate = forms.DecimalField(max_digits=9, decimal_places=6, min_value=0, label="Annual rate (%)")
    term = forms.IntegerField(min_value=1, max_value=MAX_TERM, label="Term (instalments)")
    frequency = forms.ChoiceField(choices=RepaymentFrequency.choices)
    disbursement_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    first_repayment_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                           help_text="Empty: one period after the disbursement.")

    @staticmethod
    def initial_for(product: LoanProduct, business_date) -> dict:
        return {"amount": product.minimum_amount.normalize(), "annual_rate": product.default_rate.normalize(),
                "term": product.default_term, "frequency": product.repayment_frequency,
                "disbursement_date": business_date}
