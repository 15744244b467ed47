"""The reports in the admin: the CTR register (ready to file first, filed with the FIU's acknowledgement number by
an action), the CTR thresholds (saving proposes the change to a checker), and the SARs: drafted from a case,
submitted to the approvals queue, filed, acknowledged, downloaded as goAML XML and as a PDF. Every door calls a
service (services/ctr.py, services/sar.py); nothing here writes a row itself."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.compliance.models import (
    Case,
    CtrThreshold,
    CurrencyTransactionReport,
    MonitoredTransaction,
    SuspiciousActivityReport,
)
from apps.compliance.models.reports import SarStatus
from apps.compliance.sar_pdf import sar_pdf, sar_xml_for_paper
from apps.compliance.services import ctr as ctr_services
from apps.compliance.services import sar as sar_services
from apps.domain_errors import DomainError
from apps.money import format_amount
from apps.organization.configuration_admin import ConfigurationChangeAdminMixin
from config.admin_money import money_column
from config.history_admin import EvidenceHistoryAdmin


class FilingForm(ActionForm):
    fiu_reference = forms.CharField(label="FIU acknowledgement number", required=False, max_length=100)


@admin.register(CtrThreshold)
class CtrThresholdAdmin(ConfigurationChangeAdminMixin, EvidenceHistoryAdmin):
    """Saving proposes the change (``propose_ctr_threshold_change``); a second person approves it."""

    list_display = ["currency", money_column("amount", description="threshold")]

    def propose_change(self, request, proposed, form, formsets):
        return ctr_services.propose_ctr_threshold_change(proposed=proposed, maker=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CurrencyTransactionReport)
class CurrencyTransactionReportAdmin(EvidenceHistoryAdmin):
    list_display = ["business_date", "customer", "currency", money_column("cash_in", description="cash in"),
                    money_column("cash_out", description="cash out"), money_column("threshold"), "status",
                    "fiu_reference", "filed_at"]
    list_filter = ["status", "currency", "business_date"]
    search_fields = ["customer__legal_name", "fiu_reference"]
    list_select_related = ["customer"]
    readonly_fields = ["customer", "business_date", "currency", "cash_in", "cash_out", "threshold", "status",
                       "filed_at", "filed_by", "fiu_reference", "created_at", "transactions"]
    # Ready to file first ("ready" sorts after "filed"), then the latest business date.
    ordering = ["-status", "-business_date", "id"]
    action_form = FilingForm
    actions = ["file_with_fiu"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="File the selected CTRs with the FIU (give its acknowledgement number)",
                  permissions=["view"])
    def file_with_fiu(self, request, queryset):
        try:
            filed = ctr_services.file_ctrs(ctrs=list(queryset.order_by("pk")),
                                           fiu_reference=request.POST.get("fiu_reference", ""), actor=request.user)
        except DomainError as refused:
            self.message_user(request, f"Nothing was filed: {refused}", messages.ERROR)
            return
        self.message_user(request, f"{filed} CTR(s) filed.", messages.SUCCESS)


class MovementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, row: MonitoredTransaction) -> str:
        return (f"{row.occurred_at:%Y-%m-%d %H:%M} {row.get_kind_display()} {row.get_direction_display().lower()} "
                f"{format_amount(row.amount, row.currency)} (account {row.account_id})")


class SarDraftForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea, help_text="Why the activity is suspicious (goAML: reason).")
    action = forms.CharField(widget=forms.Textarea, required=False, help_text="What the bank did about it.")
    transactions = MovementChoiceField(queryset=MonitoredTransaction.objects.none(),
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text="The movements the report names (the case's alerts' at first).")

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transactions"].queryset = (MonitoredTransaction.objects.filter(customer_id=case.customer_id)
                                                .order_by("-occurred_at", "-id"))


@admin.register(SuspiciousActivityReport)
class SuspiciousActivityReportAdmin(EvidenceHistoryAdmin):
    list_display = ["id", "case", "customer", "status", "drafted_by", "approved_by", "filed_at", "fiu_reference",
                    "retain_until"]
    list_filter = ["status"]
    search_fields = ["case__customer__legal_name", "fiu_reference"]
    list_select_related = ["case__customer", "drafted_by", "approved_by"]
    readonly_fields = ["case", "status", "reason", "action", "drafted_by", "approval_request", "approved_by",
                       "filed_at", "filed_by", "retain_until", "content_sha256", "fiu_reference", "acknowledged_at",
                       "acknowledged_by", "created_at", "downloads"]
    exclude = ["content", "transactions"]
    change_form_template = "admin/compliance/suspiciousactivityreport/change_form.html"
    change_list_template = "admin/compliance/suspiciousactivityreport/change_list.html"

    @admin.display(description="customer")
    def customer(self, sar):
        return sar.case.customer

    @admin.display(description="files")
    def downloads(self, sar):
        return format_html('<a href="{}">goAML XML</a> · <a href="{}">PDF</a>',
                           reverse("admin:compliance_sar_xml", args=[sar.pk]),
                           reverse("admin:compliance_sar_pdf", args=[sar.pk]))

    def has_add_permission(self, request):
        return False  # a SAR is drafted from a case: admin:compliance_sar_draft

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("draft/", view(self.draft_for_case_view), name="compliance_sar_draft_for_case"),
            path("draft/<int:case_id>/", view(self.draft_view), name="compliance_sar_draft"),
            path("<int:pk>/edit/", view(self.edit_view), name="compliance_sar_edit"),
            path("<int:pk>/do/<str:operation>/", view(self.operation_view), name="compliance_sar_operation"),
            path("<int:pk>/xml/", view(self.xml_view), name="compliance_sar_xml"),
            path("<int:pk>/pdf/", view(self.pdf_view), name="compliance_sar_pdf"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sar = get_object_or_404(SuspiciousActivityReport, pk=object_id)
        extra = {**(extra_context or {}), "sar": sar,
                 "can_edit": sar.status == SarStatus.DRAFT, "can_submit": sar.status == SarStatus.DRAFT,
                 "can_return": sar.status == SarStatus.IN_REVIEW,
                 "can_file": sar.status == SarStatus.APPROVED,
                 "can_acknowledge": sar.status == SarStatus.FILED and not sar.fiu_reference}
        return super().change_view(request, object_id, form_url, extra)

    def _page(self, request, *, title, form, back):
        return TemplateResponse(request, "admin/compliance/suspiciousactivityreport/draft.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": title, "form": form,
            "back": back})

    def draft_for_case_view(self, request):
        """The list's "Draft a SAR for case" box: to that case's draft page."""
        case_id = request.GET.get("case", "").strip().lstrip("#")
        if not case_id.isdigit():
            self.message_user(request, "Give the case's number.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:compliance_suspiciousactivityreport_changelist"))
        return HttpResponseRedirect(reverse("admin:compliance_sar_draft", args=[int(case_id)]))

    def draft_view(self, request, case_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        case = get_object_or_404(Case, pk=case_id)
        form = SarDraftForm(request.POST or None, case=case,
                            initial={"transactions": list(sar_services.case_transactions(case))})
        if request.method == "POST" and form.is_valid():
            try:
                sar = sar_services.draft_sar(case=case, reason=form.cleaned_data["reason"],
                                             action=form.cleaned_data["action"], actor=request.user,
                                             transactions=form.cleaned_data["transactions"])
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                self.message_user(request, f"{sar} drafted.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:compliance_suspiciousactivityreport_change",
                                                    args=[sar.pk]))
        return self._page(request, title=f"Draft a SAR from {case}", form=form,
                          back=reverse("admin:compliance_suspiciousactivityreport_changelist"))

    def edit_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sar = get_object_or_404(SuspiciousActivityReport, pk=pk)
        form = SarDraftForm(request.POST or None, case=sar.case, initial={
            "reason": sar.reason, "action": sar.action, "transactions": list(sar.transactions.all())})
        page = reverse("admin:compliance_suspiciousactivityreport_change", args=[sar.pk])
        if request.method == "POST" and form.is_valid():
            try:
                sar_services.change_sar_draft(sar=sar, reason=form.cleaned_data["reason"],
                                              action=form.cleaned_data["action"], actor=request.user,
                                              transactions=form.cleaned_data["transactions"])
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                return HttpResponseRedirect(page)
        return self._page(request, title=f"Change {sar}", form=form, back=page)

    def operation_view(self, request, pk, operation):
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        sar = get_object_or_404(SuspiciousActivityReport, pk=pk)
        operations = {
            "submit": lambda: sar_services.submit_sar_for_review(sar=sar, actor=request.user),
            "return": lambda: sar_services.return_sar_to_draft(sar=sar, actor=request.user),
            "file": lambda: sar_services.file_sar(sar=sar, actor=request.user),
            "acknowledge": lambda: sar_services.record_sar_acknowledgement(
                sar=sar, fiu_reference=request.POST.get("fiu_reference", ""), actor=request.user),
        }
        if operation not in operations:
            raise PermissionDenied
        try:
            operations[operation]()
        except DomainError as refused:
            self.message_user(request, f"Nothing was changed: {refused}", messages.ERROR)
        else:
            done = {"submit": "submitted for review in the approvals queue", "return": "back to draft",
                    "file": "filed", "acknowledge": "acknowledged"}[operation]
            self.message_user(request, f"SAR {sar.pk} {done}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:compliance_suspiciousactivityreport_change", args=[sar.pk]))

    def xml_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sar = get_object_or_404(SuspiciousActivityReport, pk=pk)
        response = HttpResponse(sar_xml_for_paper(sar, viewer=request.user), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="sar-{sar.pk}.xml"'
        return response

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        sar = get_object_or_404(SuspiciousActivityReport.objects.select_related("case", "filed_by"), pk=pk)
        return FileResponse(sar_pdf(sar, viewer=request.user), as_attachment=True, filename=f"sar-{sar.pk}.pdf",
                            content_type="application/pdf")
