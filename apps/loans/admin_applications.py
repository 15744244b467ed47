"""Loan applications in the admin: the loan officers' queue (their branch's applications, with status, score and
amount, one query per page), the application's page (the terms, the scoring explanation table, the bureau's
report, the recommendations and approvals) and its operations — enter an application, score again, underwrite,
approve, reject — each an operation page calling its service, whose refusal comes back on the form."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from apps.customers.selectors import customers_for
from apps.domain_errors import DomainError
from apps.loans.admin_disbursement import disburse_page
from apps.loans.application_selectors import applications_visible_to_staff, with_latest_score
from apps.loans.loan_rules import DISBURSE
from apps.loans.models import (
    ApplicationApproval,
    ApplicationStatus,
    CreditBureauReport,
    Loan,
    LoanApplication,
    LoanProduct,
    Recommendation,
    ScoringDecision,
    ScoringOutcome,
    UnderwritingRecommendation,
)
from apps.loans.product_terms import RepaymentFrequency
from apps.loans.services.applications import APPLY_PERMISSION, ApplicationTerms, submit_application
from apps.loans.services.scoring import score_application
from apps.loans.services.underwriting import (
    APPROVE_PERMISSION,
    REJECT_PERMISSION,
    REJECTION_REASONS,
    UNDERWRITE_PERMISSION,
    approve_application,
    reject_application,
    underwrite_application,
)
from apps.money import Money, MoneyError, format_amount
from config.admin_currency_filter import currency_filter
from config.admin_money import money_column
from config.admin_operations import operation_page
from config.history_admin import EvidenceHistoryAdmin

REASON_CHOICES = [(code, message) for code, message in REJECTION_REASONS.items()]


class ApplicationEntryForm(forms.Form):
    customer = forms.IntegerField(min_value=1, label="Customer number",
                                  help_text="The customer's number (#) on their page: a KYC-verified customer of your "
                                            "branch.")
    product = forms.ModelChoiceField(queryset=LoanProduct.objects.filter(is_active=True).order_by("code"))
    amount = forms.DecimalField(max_digits=20, decimal_places=4, min_value=0)
    term = forms.IntegerField(min_value=1, max_value=1200, required=False, help_text="Empty: the product's.")
    annual_rate = forms.DecimalField(max_digits=9, decimal_places=6, min_value=0, required=False,
                                     help_text="In percent; empty: the product's.")
    repayment_frequency = forms.ChoiceField(choices=[("", "The product's"), *RepaymentFrequency.choices],
                                            required=False)
    disbursement_date = forms.DateField(required=False, help_text="Empty: the business date.")
    declared_monthly_income = forms.DecimalField(max_digits=20, decimal_places=4, min_value=0)
    declared_monthly_obligations = forms.DecimalField(max_digits=20, decimal_places=4, min_value=0, initial=0)
    purpose = forms.CharField(max_length=200, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["idempotency_key"].initial = f"admin:{uuid.uuid4()}"

    def clean_customer(self):
        # A number, not a list of every customer: a branch may have hundreds of thousands.
        customer = customers_for(self.user).filter(pk=self.cleaned_data["customer"]).first()
        if customer is None:
            raise forms.ValidationError("No customer with this number that you may see.")
        return customer


class UnderwriteForm(forms.Form):
    recommendation = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")],
                                       widget=forms.RadioSelect(attrs={"class": "radiolist inline"}))
    # "radiolist": the admin's style for choices, each label as wide as its words (not the 160px of a field label).
    reasons = forms.MultipleChoiceField(choices=REASON_CHOICES, required=False,
                                        widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
                                        help_text="Needed to recommend a rejection; the customer reads them.")
    other_reason = forms.CharField(max_length=500, required=False, help_text="In your words, for the customer.",
                                   widget=forms.TextInput(attrs={"class": "vTextField"}))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           help_text="For the checkers only.")

    def reason_list(self) -> list:
        given = list(self.cleaned_data["reasons"])
        if self.cleaned_data["other_reason"].strip():
            given.append(self.cleaned_data["other_reason"].strip())
        return given


class RejectForm(UnderwriteForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["recommendation"]
        del self.fields["note"]


class LoanApplicationAdmin(EvidenceHistoryAdmin):
    """The applications queue: a branch's staff see their branch's applications (bank-wide roles every branch)."""

    list_display = ["id", "customer_name", "product_code", money_column("amount"), "status", "score", "outcome",
                    "recommendation", "submitted"]
    list_filter = ["status", "channel", currency_filter(), "product"]
    search_fields = ["customer__legal_name", "=id"]
    list_select_related = False  # get_queryset joins what the list shows
    ordering = ["-submitted_at", "-id"]
    fields = ["customer", "branch", "product", "currency", money_column("amount", description="amount"), "term",
              "annual_rate_in_percent", "repayment_frequency", "disbursement_date", "first_repayment_date", "purpose",
              money_column("declared_monthly_income", description="declared monthly income"),
              money_column("declared_monthly_obligations", description="declared monthly obligations"),
              "status", "status_reason", "reasons_given", "channel", "submitted_by", "submitted_at",
              "decided_at"]
    change_form_template = "admin/loans/loanapplication/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return with_latest_score(applications_visible_to_staff(request.user))

    def has_add_permission(self, request):
        return request.user.has_perm(APPLY_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="customer", ordering="customer__legal_name")
    def customer_name(self, application):
        return application.customer.legal_name

    @admin.display(description="product", ordering="product__code")
    def product_code(self, application):
        return application.product.code

    @admin.display(description="score", ordering="latest_score")
    def score(self, application):
        # Its two places: SQLite returns a subquery's decimal unquantised (81.6000000000000).
        return "—" if application.latest_score is None else f"{application.latest_score:.2f}"

    @admin.display(description="scorecard")
    def outcome(self, application):
        return ScoringOutcome(application.latest_outcome).label if application.latest_outcome else "—"

    @admin.display(description="recommended")
    def recommendation(self, application):
        return Recommendation(application.latest_recommendation).label if application.latest_recommendation else "—"

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, application):
        # Short enough that the queue's last column fits beside the filters on a laptop's screen.
        return date_format(timezone.localtime(application.submitted_at), "j M Y, H:i")

    @admin.display(description="annual rate")
    def annual_rate_in_percent(self, application):
        return f"{application.annual_rate.normalize():f} %"

    @admin.display(description="rejection reasons")
    def reasons_given(self, application):
        """The reasons as the customer reads them, one a line."""
        reasons = format_html_join(mark_safe("<br>"), "{}",
                                   ((reason["message"],) for reason in application.rejection_reasons))
        return reasons or self.get_empty_value_display()

    def get_urls(self):
        view = self.admin_site.admin_view
        operations = ("score", "underwrite", "approve", "reject", "disburse")
        return [path(f"<path:object_id>/{name}/", view(getattr(self, f"{name}_view")),
                     name=f"loans_loanapplication_{name}") for name in operations] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        """Enter an application for a customer of the branch (``submit_application``, which decides who may)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ApplicationEntryForm(request.POST if request.method == "POST" else None, user=request.user,
                                    initial={"customer": request.GET.get("customer", "")})
        if form.is_bound and form.is_valid():
            given = form.cleaned_data
            product = given["product"]
            try:
                terms = ApplicationTerms(
                    product=product, amount=Money(given["amount"], product.currency),
                    declared_monthly_income=Money(given["declared_monthly_income"], product.currency),
                    declared_monthly_obligations=Money(given["declared_monthly_obligations"], product.currency),
                    term=given["term"], annual_rate=given["annual_rate"],
                    repayment_frequency=given["repayment_frequency"] or None,
                    disbursement_date=given["disbursement_date"], purpose=given["purpose"])
                application = submit_application(customer=given["customer"], terms=terms,
                                                 idempotency_key=given["idempotency_key"], submitted_by=request.user)
            except (DomainError, MoneyError) as refused:
                form.add_error(None, str(refused))
            else:
                self.message_user(request, f"Application {application.pk} is submitted; it is scored next.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:loans_loanapplication_change", args=[application.pk]))
        return operation_page(self, request, form=form, title="Enter a loan application",
                              submit_label="Submit the application",
                              cancel_url=reverse("admin:loans_loanapplication_changelist"),
                              intro="For a KYC-verified customer of your branch, within the product's limits.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if application is not None:
            extra.update(application_evidence(application))
            user = request.user
            extra["operations"] = [
                (label, reverse(f"admin:loans_loanapplication_{name}", args=[application.pk]))
                for name, label, permission in (
                    ("score", "Score again", UNDERWRITE_PERMISSION),
                    ("underwrite", "Underwrite", UNDERWRITE_PERMISSION),
                    ("approve", "Approve", APPROVE_PERMISSION), ("reject", "Reject", REJECT_PERMISSION))
                if user.has_perm(permission) and application.status in ("submitted", "under_review")]
            if application.status == ApplicationStatus.APPROVED and user.has_perm(DISBURSE):
                extra["operations"].append(
                    ("Disburse", reverse("admin:loans_loanapplication_disburse", args=[application.pk])))
            if application.status == ApplicationStatus.DISBURSED:
                loan_id = Loan.objects.filter(application=application).values_list("pk", flat=True).first()
                extra["operations"].append(("The loan", reverse("admin:loans_loan_change", args=[loan_id])))
        return super().change_view(request, object_id, form_url, extra)

    def _operation(self, request, object_id, *, form_class, title, submit_label, intro, run):
        application = self.get_object(request, unquote(object_id))
        if application is None:  # outside the staff member's branch, or no such application
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:loans_loanapplication_change", args=[application.pk])
        form = form_class(request.POST if request.method == "POST" else None) if form_class else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                done = run(application, form)
            except DomainError as refused:
                if form is None:
                    self.message_user(request, str(refused), messages.ERROR)
                    return HttpResponseRedirect(change_url)
                form.add_error(None, str(refused))
            else:
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return operation_page(self, request, form=form, obj=application, title=title, submit_label=submit_label,
                              cancel_url=change_url, intro=intro, facts=application_facts(application))

    def score_view(self, request, object_id):
        def run(application, form):
            decision = score_application(application=application, actor=request.user)
            return f"Scored {decision.score}: {decision.get_outcome_display().lower()}."
        return self._operation(request, object_id, form_class=None, title="Score the application again",
                               submit_label="Score again", run=run,
                               intro="Asks the credit bureau again and stores a new scorecard.")

    def underwrite_view(self, request, object_id):
        def run(application, form):
            underwrite_application(application=application, underwriter=request.user,
                                   recommendation=form.cleaned_data["recommendation"], reasons=form.reason_list(),
                                   note=form.cleaned_data["note"])
            return "Your recommendation is recorded; another person approves."
        return self._operation(request, object_id, form_class=UnderwriteForm, title="Underwrite",
                               submit_label="Record the recommendation", run=run,
                               intro="Your recommendation, with its reasons. You cannot approve it yourself.")

    def approve_view(self, request, object_id):
        def run(application, form):
            approved = approve_application(application=application, checker=request.user)
            return approved.status_reason or f"Application {approved.pk} is approved."
        return self._operation(request, object_id, form_class=None, title="Approve", submit_label="Approve",
                               run=run, intro="Within your limit your approval decides; above it, two members of "
                                              "the credit committee approve.")

    def reject_view(self, request, object_id):
        def run(application, form):
            reject_application(application=application, actor=request.user, reasons=form.reason_list())
            return f"Application {application.pk} is rejected; the customer sees the reasons."
        return self._operation(request, object_id, form_class=RejectForm, title="Reject", submit_label="Reject",
                               run=run, intro="The customer reads the reasons you give.")

    def disburse_view(self, request, object_id):
        """Disburse an approved application (apps/loans/admin_disbursement.py)."""
        application = self.get_object(request, unquote(object_id))
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return disburse_page(self, request, application, facts=application_facts(application))


def application_facts(application: LoanApplication) -> list[tuple[str, str]]:
    return [("Application", str(application.pk)), ("Customer", application.customer.legal_name),
            ("Product", str(application.product)),
            ("Amount", format_amount(application.amount, application.currency)),
            ("Term", f"{application.term} instalments at {application.annual_rate.normalize():f} %"),
            ("Status", application.get_status_display())]


def application_evidence(application: LoanApplication) -> dict:
    """The scoring explanation (the newest card), its bureau report, the recommendations and approvals."""
    decision = (ScoringDecision.objects.filter(application=application).select_related("bureau_report")
                .order_by("-id").first())
    recommendations = (UnderwritingRecommendation.objects.filter(application=application)
                       .select_related("underwriter").order_by("-id"))
    approvals = ApplicationApproval.objects.filter(application=application).select_related("checker")
    report: CreditBureauReport | None = decision.bureau_report if decision else None
    return {"decision": decision, "lines": decision.inputs["lines"] if decision else [], "report": report,
            "recommendations": list(recommendations), "approvals": list(approvals),
            "scorings": ScoringDecision.objects.filter(application=application).count()}


admin.site.register(LoanApplication, LoanApplicationAdmin)
