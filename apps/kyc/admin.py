"""KYC in the admin: documents, checks, reviews, the screening list and hits, and the customer list's review actions.
Rows follow their customer's branch scope; decisions go through services."""

import io

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from apps.customers.admin import CustomerAdmin
from apps.customers.models import Customer
from apps.customers.selectors import customers_for
from apps.domain_errors import DomainError
from apps.kyc.errors import MassDelistingRefused
from apps.kyc.models import KycCheck, KycDocument, KycReview, ScreeningEntry, ScreeningHit, ScreeningListImport
from apps.kyc.services import (
    decide_kyc_review,
    decide_screening_hit,
    import_screening_list,
    reject_kyc_document,
    review_delisted_match,
    start_kyc_check,
    upload_kyc_document,
)
from apps.kyc.services.documents import check_upload
from apps.kyc.services.screening import IMPORT_PERMISSION
from apps.kyc.tasks import queue_rescreening
from config.admin_operations import operation_page
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdmin, ReadOnlyAdminMixin


class CustomerScopedAdminMixin:
    """Rows that belong to a customer are visible where the customer is."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(customer__in=customers_for(request.user).values("pk"))


class ReasonActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason", widget=forms.TextInput(attrs={"size": 50}))


class KycDocumentForm(forms.ModelForm):
    class Meta:
        model = KycDocument
        fields = ["customer", "document_type", "number", "issuing_country", "issue_date", "expiry_date", "file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except DomainError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


@admin.register(KycDocument)
class KycDocumentAdmin(CustomerScopedAdminMixin, EvidenceHistoryAdmin):
    form = KycDocumentForm
    list_display = ["id", "customer", "document_type", "number_masked", "issuing_country", "expiry_date",
                    "content_type", "status", "uploaded_at"]
    list_filter = ["document_type", "status", "content_type"]
    search_fields = ["=customer__id", "customer__legal_name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    action_form = ReasonActionForm
    actions = ["reject_documents"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return KycDocumentForm.Meta.fields
        return ["customer", "document_type", "number_masked", "issuing_country", "issue_date", "expiry_date",
                "content_type", "size", "sha256", "status", "uploaded_by", "uploaded_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "customer":
            kwargs["queryset"] = customers_for(request.user, "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = dict(form.cleaned_data)
        document = upload_kyc_document(actor=request.user, **data)
        obj.pk = document.pk
        obj.refresh_from_db()

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Reject the selected documents (give a reason)", permissions=["review"])
    def reject_documents(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        for document in queryset:
            try:
                reject_kyc_document(document=document, actor=request.user, reason=reason)
            except DomainError as error:
                self.message_user(request, f"{document}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{document}: rejected.")

    def has_review_permission(self, request):
        return request.user.has_perm("kyc.review_kyc")


@admin.register(KycCheck)
class KycCheckAdmin(CustomerScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["id", "customer", "performed_at", "business_date", "score", "decision"]
    list_filter = ["decision", "business_date"]
    search_fields = ["=customer__id", "customer__legal_name"]
    list_select_related = ["customer"]
    readonly_fields = ["customer", "performed_at", "business_date", "score", "decision", "factors", "inputs"]


@admin.register(KycReview)
class KycReviewAdmin(CustomerScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["id", "customer", "decision", "reviewer", "maker", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["customer", "reviewer", "maker"]
    readonly_fields = ["customer", "check_reviewed", "maker", "reviewer", "decision", "reason", "decided_at"]


class EntryListedFilter(admin.SimpleListFilter):
    title = "on the list"
    parameter_name = "on_list"

    def lookups(self, request, model_admin):
        return [("listed", "Listed"), ("delisted", "Delisted")]

    def queryset(self, request, queryset):
        if self.value() in ("listed", "delisted"):
            return queryset.filter(delisted_at__isnull=self.value() == "listed")
        return queryset


class HitEntryListedFilter(EntryListedFilter):
    title = "entry on the list"

    def queryset(self, request, queryset):
        if self.value() in ("listed", "delisted"):
            return queryset.filter(entry__delisted_at__isnull=self.value() == "listed")
        return queryset


@admin.register(ScreeningHit)
class ScreeningHitAdmin(ReadOnlyAdminMixin, CustomerScopedAdminMixin, EvidenceHistoryAdmin):
    """The compliance queue of possible sanctions/PEP matches: confirm or dismiss, with a reason. Hits closed
    because their entry left its list have the status "Closed: entry delisted"; confirmed matches whose entry
    left its list wait under "Delisting review: Pending" for a compliance officer to keep or release them."""

    list_display = ["id", "customer", "entry", "category", "entry_listed", "score", "name_score", "status",
                    "delisting_review", "created_at"]
    list_filter = ["status", "delisting_review", HitEntryListedFilter, "entry__category", "entry__list_name"]
    search_fields = ["=customer__id", "customer__legal_name", "entry__name", "entry__source_id"]
    list_select_related = ["customer", "entry"]
    readonly_fields = ["customer", "entry", "score", "name_score", "matched_name", "details", "status",
                       "decided_by", "decision_reason", "decided_at", "created_at", "delisted_on_import",
                       "delisting_review", "delisting_reviewed_by", "delisting_review_reason",
                       "delisting_reviewed_at"]
    action_form = ReasonActionForm
    actions = ["confirm_hits", "dismiss_hits", "keep_delisted_matches", "release_delisted_matches"]

    @admin.display(description="Category", ordering="entry__category")
    def category(self, hit):
        return hit.entry.get_category_display()

    @admin.display(description="Entry listed", boolean=True, ordering="entry__delisted_at")
    def entry_listed(self, hit):
        return hit.entry.is_listed

    def _review_delisting(self, request, queryset, release):
        reason = request.POST.get("reason", "").strip()
        for hit in queryset:
            try:
                review_delisted_match(hit=hit, officer=request.user, release=release, reason=reason)
            except DomainError as error:
                self.message_user(request, f"Hit #{hit.pk}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Hit #{hit.pk}: {'released' if release else 'confirmation kept'}.")

    @admin.action(description="Delisted entry: keep the confirmation (give a reason)", permissions=["decide"])
    def keep_delisted_matches(self, request, queryset):
        self._review_delisting(request, queryset, release=False)

    @admin.action(description="Delisted entry: release the match, KYC checked again (give a reason)",
                  permissions=["decide"])
    def release_delisted_matches(self, request, queryset):
        self._review_delisting(request, queryset, release=True)

    def _decide(self, request, queryset, confirm):
        reason = request.POST.get("reason", "").strip()
        for hit in queryset:
            try:
                decide_screening_hit(hit=hit, officer=request.user, confirm=confirm, reason=reason)
            except DomainError as error:
                self.message_user(request, f"Hit #{hit.pk}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"Hit #{hit.pk}: {'confirmed' if confirm else 'dismissed'}.")

    @admin.action(description="Confirm: the customer is the listed party (give a reason)", permissions=["decide"])
    def confirm_hits(self, request, queryset):
        self._decide(request, queryset, confirm=True)

    @admin.action(description="Dismiss as a false positive (give a reason)", permissions=["decide"])
    def dismiss_hits(self, request, queryset):
        self._decide(request, queryset, confirm=False)

    def has_decide_permission(self, request):
        return request.user.has_perm("kyc.decide_screeninghit")


@admin.register(ScreeningEntry)
class ScreeningEntryAdmin(ReadOnlyAdmin):
    """List entries, kept when they leave their list (filter "On the list: Delisted"); screening ignores those."""

    list_display = ["name", "list_name", "source_id", "category", "date_of_birth", "country", "listed",
                    "delisted_at"]
    list_filter = [EntryListedFilter, "category", "list_name"]
    search_fields = ["name", "source_id"]
    readonly_fields = ["name", "aliases", "list_name", "source_id", "category", "date_of_birth", "country",
                       "normalized_names", "imported_by", "delisted_at", "delisted_on_import"]

    @admin.display(description="Listed", boolean=True, ordering="delisted_at")
    def listed(self, entry):
        return entry.is_listed


class ScreeningListUploadForm(forms.Form):
    file = forms.FileField(label="List file (CSV)", help_text=(
        "Columns: name, aliases (separated by ';'), date_of_birth (YYYY-MM-DD or empty), country (two letters or "
        "empty), list_name, source_id. The file replaces in full each list it names: entries missing from it are "
        "delisted."))
    allow_mass_delisting = forms.BooleanField(required=False, label="Allow mass delisting", help_text=(
        "Only if the file is the list's complete current version and delists more of it than the limit allows."))
    mass_delisting_reason = forms.CharField(required=False, max_length=500, label="Why",
                                            widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
                                            help_text="Needed with Allow mass delisting; recorded on the import.")


@admin.register(ScreeningListImport)
class ScreeningListImportAdmin(ReadOnlyAdmin):
    """Imports of the sanctions/PEP lists, with what each did. "Import a screening list" uploads a file
    (``import_screening_list``, as ``manage.py import_screening_list`` does) and queues every customer's
    re-screening; the import's page then shows its counts."""

    list_display = ["file_name", "imported_at", "imported_by", "entries_created", "entries_updated",
                    "entries_delisted", "entries_relisted", "hits_closed", "hits_to_review", "customers_screened",
                    "customers_to_screen", "hits_created", "mass_delisting_allowed"]
    list_filter = ["mass_delisting_allowed"]
    list_select_related = ["imported_by"]

    def get_urls(self):
        return [path("upload/", self.admin_site.admin_view(self.upload_view), name="kyc_screeninglistimport_upload"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_import_screening_list": request.user.has_perm(
            IMPORT_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def upload_view(self, request):
        if not request.user.has_perm(IMPORT_PERMISSION):
            raise PermissionDenied
        form = ScreeningListUploadForm(request.POST or None, request.FILES or None)
        if form.is_bound and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                record = import_screening_list(
                    stream=io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline=""), file_name=upload.name,
                    actor=request.user, allow_mass_delisting=form.cleaned_data["allow_mass_delisting"],
                    mass_delisting_reason=form.cleaned_data["mass_delisting_reason"])
            except MassDelistingRefused as refusal:
                form.add_error(None, f"{refusal} Nothing was imported. If the file is the list's complete "
                                     "version, tick Allow mass delisting and say why.")
            except (DomainError, UnicodeDecodeError) as refusal:
                form.add_error(None, f"{refusal} Nothing was imported.")
            else:
                queued = queue_rescreening(list_import=record)
                self.message_user(request, (
                    f"Imported {record.file_name}: {record.entries_created} entries created, {record.entries_updated} "
                    f"updated, {record.entries_delisted} delisted, {record.entries_relisted} listed again; "
                    f"{record.hits_closed} open hits closed, {record.hits_to_review} confirmed matches to review. "
                    f"Customers queued for re-screening: {queued}."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:kyc_screeninglistimport_change", args=[record.pk]))
        return operation_page(self, request, form=form, title="Import a screening list", multipart=True,
                              submit_label="Import list", cancel_url=reverse(
                                  "admin:kyc_screeninglistimport_changelist"),
                              intro="A sanctions or PEP list. The file is refused whole if one line is wrong; "
                                    "after the import every customer is screened again.")


# --- KYC's part of the customer page ----------------------------------------------------------------------------
# The KYC status, checks, documents and hits are a section of the customer page (apps/kyc/customer_page.py);
# the manual review actions are here.
class CustomerKycAdmin(CustomerAdmin):
    """The customer admin with KYC's manual review actions. The customer list is also the manual review queue:
    filter "KYC status: In progress"."""

    action_form = ReasonActionForm
    actions = ["approve_kyc", "reject_kyc", "check_kyc_again", *CustomerAdmin.actions]

    def _decide(self, request, queryset, approve):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Give the reason for your decision.", messages.ERROR)
            return
        for customer in queryset:
            try:
                decide_kyc_review(customer=customer, reviewer=request.user, approve=approve, reason=reason)
            except DomainError as error:
                self.message_user(request, f"{customer}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{customer}: KYC {'approved' if approve else 'rejected'}.")

    @admin.action(description="Manual review: approve KYC (give a reason)", permissions=["review"])
    def approve_kyc(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Manual review: reject KYC (give a reason)", permissions=["review"])
    def reject_kyc(self, request, queryset):
        self._decide(request, queryset, approve=False)

    @admin.action(description="Run the KYC check again", permissions=["change"])
    def check_kyc_again(self, request, queryset):
        for customer in queryset:
            start_kyc_check(customer=customer)
        self.message_user(request, f"KYC check queued for {queryset.count()} customers.")

    def has_review_permission(self, request):
        return request.user.has_perm("kyc.review_kyc")


# customers (below KYC in the layers) registers the customer page without KYC; KYC, loaded after it, adds its part.
admin.site.unregister(Customer)
admin.site.register(Customer, CustomerKycAdmin)
