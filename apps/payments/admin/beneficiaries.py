"""Customers' saved payees. Customers keep them through the channels; branch staff add and remove them for their
branch's customers at the counter (pages of their own, calling ``services.beneficiaries``); nobody edits one."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from apps.customers.models import Customer
from apps.domain_errors import DomainError, PermissionRefused
from apps.organization.branch_scope import visible_to
from apps.payments import selectors
from apps.payments.models import Beneficiary
from apps.payments.services.beneficiaries import (
    STAFF_PERMISSION,
    add_beneficiary,
    ensure_may_keep_beneficiaries,
    remove_beneficiary,
)
from config.admin_operations import operation_page
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin


class AddBeneficiaryForm(forms.Form):
    """What ``add_beneficiary`` needs; the service checks the account number or IBAN and who may."""

    owner = forms.ModelChoiceField(queryset=Customer.objects.none(), label="Customer")
    name = forms.CharField(max_length=140, label="Beneficiary's name")
    account_identifier = forms.CharField(max_length=34, label="Account number or IBAN")
    country = forms.CharField(max_length=2, required=False, help_text="ISO country code; the IBAN's when empty.")
    bank_name = forms.CharField(max_length=140, required=False)

    def __init__(self, *args, user, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].widget = AutocompleteSelect(Beneficiary._meta.get_field("owner"), admin_site)
        self.fields["owner"].queryset = visible_to(user, Customer.objects.all())


@admin.register(Beneficiary)
class BeneficiaryAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    list_display = ["name", "account_identifier", "country", "owner", "created_at", "removed_at"]
    list_filter = ["country"]
    search_fields = ["=account_identifier", "name", "owner__legal_name"]
    list_select_related = ["owner"]
    readonly_fields = [f.name for f in Beneficiary._meta.fields]

    def get_queryset(self, request):
        return selectors.beneficiaries_visible_to(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.removed_at is None and self._may_keep(request, obj.owner):
            fields.append("remove_link")
        return fields

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(STAFF_PERMISSION)  # the add page is add_beneficiary's own form

    @staticmethod
    def _may_keep(request, owner) -> bool:
        try:
            ensure_may_keep_beneficiaries(request.user, owner)
        except PermissionRefused:
            return False
        return True

    @admin.display(description="Remove")
    def remove_link(self, beneficiary):
        return format_html('<a class="button" href="{}">Remove the beneficiary</a>',
                           reverse("admin:payments_beneficiary_remove", args=[beneficiary.pk]))

    def get_urls(self):
        return [path("<path:object_id>/remove/", self.admin_site.admin_view(self.remove_view),
                     name="payments_beneficiary_remove"), *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        """Add a payee to a customer's list at the customer's request (``add_beneficiary``)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AddBeneficiaryForm(request.POST or None, user=request.user, admin_site=self.admin_site)
        if form.is_bound and form.is_valid():
            try:
                beneficiary = add_beneficiary(actor=request.user, **form.cleaned_data)
            except DomainError as refusal:
                form.add_error(None, str(refusal))
            else:
                self.message_user(request, f"{beneficiary.name} ({beneficiary.account_identifier}) is saved as a "
                                           f"beneficiary of {beneficiary.owner.legal_name}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:payments_beneficiary_change", args=[beneficiary.pk]))
        return operation_page(
            self, request, form=form, title="Add a beneficiary", submit_label="Save the beneficiary",
            cancel_url=reverse("admin:payments_beneficiary_changelist"),
            intro="At the customer's request: the payee is saved to their list, as if they had saved it in the app. "
                  "Large payments to a new beneficiary wait for the cooling-off period.")

    def remove_view(self, request, object_id):
        """Remove a payee from the customer's list (``remove_beneficiary``); the row stays for the payments that
        name it."""
        beneficiary = self.get_object(request, unquote(object_id))
        if beneficiary is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self._may_keep(request, beneficiary.owner):
            raise PermissionDenied
        change_url = reverse("admin:payments_beneficiary_change", args=[beneficiary.pk])
        if request.method == "POST":
            try:
                remove_beneficiary(beneficiary=beneficiary, actor=request.user)
            except DomainError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
            else:
                self.message_user(request, f"{beneficiary.name} is removed from {beneficiary.owner.legal_name}'s "
                                           "beneficiaries.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        return operation_page(
            self, request, form=None, obj=beneficiary, title="Remove the beneficiary",
            submit_label="Remove the beneficiary", cancel_url=change_url,
            intro="The payee leaves the customer's list; the payments already made to it keep naming it.",
            facts=[("Customer", beneficiary.owner.legal_name), ("Beneficiary", beneficiary.name),
                   ("Account", beneficiary.account_identifier)])
