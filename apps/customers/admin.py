"""Customers in the admin: scoped to the staff member's branch; every write goes through a service.

The customer's page is the "customer 360": above the customer's details, the sections the domains register
(apps/customers/customer_page.py: accounts, KYC with its checks, documents and hits, payments under review) and
the channel enrolment with its operations (enrol, password reset, revoke access). KYC adds the manual review
actions in apps/kyc/admin.py."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from apps.customers import services
from apps.customers.customer_page import CustomerPageSection, customer_page_sections, register_customer_page_section
from apps.customers.models import Customer
from apps.customers.selectors import channel_enrolment_of
from apps.customers.services.channels import ensure_may_enrol
from apps.domain_errors import DomainError
from apps.organization.branch_scope import BranchScopedAdminMixin, is_bank_wide
from apps.organization.models import Branch, User
from config.admin_operations import bulk_action_page, operation_page
from config.admin_paginator import LargeListAdminMixin
from config.admin_search import compact, looks_like_account_number_prefix, row_number
from config.history_admin import EvidenceHistoryAdmin


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["customer_type", "legal_name", "email", "phone", "date_of_birth", "national_id_last4",
                  "business_registration_number", "tax_id", "address", "country", "branch"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        others = Customer.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError("A customer with this email already exists.")
        return email


class StatusReasonForm(forms.Form):
    """The page between choosing "Block" / "Unblock" and doing it: the reason goes in each history row."""

    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text="Recorded in each customer's history.")


class PremiumUpgradeForm(forms.Form):
    """The premium upgrade's one choice: the relationship manager, an active staff member."""

    relationship_manager = forms.ModelChoiceField(
        queryset=User.objects.filter(is_staff=True, is_active=True).order_by("last_name", "first_name", "username"),
        help_text="The customer's contact at the bank from now on.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["relationship_manager"].label_from_instance = (
            lambda user: f"{user.get_full_name() or user.username} ({user.username})")


class ChannelAccessReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text="Recorded in the login's history.")


# The customer page's channel operations: (service, title, button, what it does, is the code shown).
CHANNEL_OPERATIONS = {
    "enrol": ("Enrol for channels", "Enrol and show the code",
              "The customer gets a web and mobile login (their email) and a one-time enrolment code, shown once "
              "on the next page: hand it to the customer, who sets their first password with it."),
    "reset": ("Issue password reset", "Issue the reset code",
              "A one-time password reset code, shown once on the next page: the customer sets a new password "
              "with it, and every device is logged out. The present password works until then."),
    "revoke": ("Revoke channel access", "Revoke channel access",
               "The customer's login stops working at once: its codes and API tokens are revoked. Enrolling "
               "again later gives a new code."),
}


def _may_enrol(user, customer) -> bool:
    try:
        ensure_may_enrol(user, customer)
    except DomainError:
        return False
    return True


def channel_section(request, customer) -> CustomerPageSection:
    """The channel enrolment: where the customer's login stands, its last codes, and the operations."""
    enrolment = channel_enrolment_of(customer, now=timezone.now())
    operations = []
    if _may_enrol(request.user, customer):
        names = {"not_enrolled": ["enrol"], "pending": ["enrol", "revoke"], "revoked": ["enrol"],
                 "enrolled": ["reset", "revoke"]}[enrolment.state]
        operations = [(CHANNEL_OPERATIONS[name][0],
                       reverse("admin:customers_customer_channels", args=[customer.pk, name])) for name in names]
    return CustomerPageSection(title="Channel enrolment", template="admin/customers/customer/_channels.html",
                               anchor="channels", context={"enrolment": enrolment, "operations": operations,
                                                           "now": timezone.now()})


register_customer_page_section("customers.channels", channel_section, order=900)


@admin.register(Customer)
class CustomerAdmin(LargeListAdminMixin, BranchScopedAdminMixin, EvidenceHistoryAdmin):
    """The customer's own fields and the Block / Unblock actions (KYC's part: apps/kyc/admin.py)."""

    form = CustomerForm
    list_display = ["id", "legal_name", "customer_type", "email", "phone", "branch", "kyc_status", "risk_rating",
                    "is_premium", "status"]
    list_filter = ["customer_type", "kyc_status", "branch", "risk_rating", "status", "is_premium"]
    search_fields = ["legal_name", "email", "phone", "=id"]
    list_select_related = ["branch"]
    # status is changed by services only: KYC verification, and the Block / Unblock actions below.
    readonly_fields = ["status", "status_before_block", "national_id_masked", "kyc_status", "kyc_review_due",
                       "risk_rating", "is_premium", "relationship_manager", "premium_since", "user", "created_by",
                       "created_at"]
    actions = ["block_customers", "unblock_customers"]

    def get_search_results(self, request, queryset, search_term):
        """Digits: the customer with that number; an account number (IBAN): its holders; ``@``: the email;
        ``+``: the start of the phone number; anything else: the name (config/admin_search.py)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        number = row_number(term)
        if number is not None:
            return queryset.filter(pk=number), False
        account_number = compact(term)
        if len(account_number) >= 20 and looks_like_account_number_prefix(account_number):
            # through the holders' reverse relation: accounts sit above customers in the layers
            return queryset.filter(account_links__account__number=account_number), False
        if "@" in term:
            return queryset.filter(email__icontains=term), False
        if term.startswith("+"):
            return queryset.filter(phone__startswith=compact(term)), False
        return queryset.filter(legal_name__icontains=term), False

    def get_urls(self):
        return [path("<path:object_id>/upgrade/", self.admin_site.admin_view(self.premium_upgrade_view),
                     name="customers_customer_upgrade"),
                path("<path:object_id>/channels/<str:operation>/", self.admin_site.admin_view(self.channels_view),
                     name="customers_customer_channels"),
                *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update({
                "title": obj.legal_name,
                "subtitle": f"Customer #{obj.pk} · {obj.get_customer_type_display()} · {obj.branch.name} · "
                            f"{obj.get_status_display()}",
                "sections": customer_page_sections(request, obj),
                "show_save_and_add_another": False,
            })
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def channels_view(self, request, object_id, operation):
        """Enrol for channels, issue a password reset, revoke channel access (apps.customers.services.channels,
        which decides who may). The enrolment or reset code is shown once, on the page answering the POST, and
        is kept nowhere (not in the session's messages either)."""
        customer = self.get_object(request, unquote(object_id))
        if customer is None:  # outside the staff member's branch, or no such customer
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if operation not in CHANNEL_OPERATIONS:
            raise PermissionDenied
        title, submit_label, intro = CHANNEL_OPERATIONS[operation]
        change_url = reverse("admin:customers_customer_change", args=[customer.pk])
        form = (ChannelAccessReasonForm if operation == "revoke" else forms.Form)(
            request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                if operation == "revoke":
                    revoked = services.revoke_channel_access(customer=customer, actor=request.user,
                                                             reason=form.cleaned_data["reason"])
                else:
                    service = (services.enrol_customer_for_channels if operation == "enrol"
                               else services.issue_password_reset)
                    issued = service(customer=customer, actor=request.user)
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                if operation == "revoke":
                    self.message_user(request, f"{customer.legal_name}'s channel access is revoked "
                                               f"({revoked} API tokens revoked).", messages.SUCCESS)
                    return HttpResponseRedirect(change_url)
                # admin_view's never_cache makes the answer no-store: the code shown once leaves no copy behind.
                return TemplateResponse(request, "admin/customers/customer/channel_code.html", {
                    **self.admin_site.each_context(request), "opts": self.opts, "original": customer,
                    "title": title, "issued": issued, "change_url": change_url,
                    "username": issued.row.user.username,
                    "enrolment": operation == "enrol",
                })
        return operation_page(self, request, form=form, obj=customer, title=title, submit_label=submit_label,
                              cancel_url=change_url, intro=intro,
                              facts=[("Customer", customer.legal_name), ("Email", customer.email),
                                     ("Channel enrolment", channel_enrolment_of(customer, now=timezone.now())
                                      .in_words)])

    @admin.display(description="Premium upgrade")
    def premium_upgrade(self, customer):
        return format_html('<a class="button" href="{}">Upgrade to premium</a>',
                           reverse("admin:customers_customer_upgrade", args=[customer.pk]))

    def premium_upgrade_view(self, request, object_id):
        """The premium upgrade (``services.upgrade_to_premium``, which decides who may): choose the relationship
        manager; a refusal is shown on the form and nothing changes."""
        customer = self.get_object(request, unquote(object_id))
        if customer is None:  # outside the staff member's branch, or no such customer
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm(services.UPGRADE_PERMISSION):
            raise PermissionDenied
        change_url = reverse("admin:customers_customer_change", args=[customer.pk])
        form = PremiumUpgradeForm(request.POST or None)
        if form.is_bound and form.is_valid():
            try:
                services.upgrade_to_premium(customer=customer, actor=request.user,
                                            relationship_manager=form.cleaned_data["relationship_manager"])
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"{customer.legal_name} is premium now, with "
                                           f"{form.cleaned_data['relationship_manager']} as relationship manager.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return operation_page(self, request, form=form, obj=customer, title="Upgrade to premium",
                              submit_label="Upgrade to premium", cancel_url=change_url,
                              intro="Premium customers have a relationship manager; their KYC is checked again "
                                    "(income verification).",
                              facts=[("Customer", customer.legal_name), ("Type", customer.get_customer_type_display()),
                                     ("Status", customer.get_status_display()),
                                     ("Premium", "yes" if customer.is_premium else "no")])

    def get_fields(self, request, obj=None):
        fields = list(CustomerForm.Meta.fields)
        if obj is not None:  # the full last four are typed once, then only shown masked
            fields.remove("national_id_last4")
            fields.remove("branch")
            fields.remove("customer_type")
        return [*fields, *self.get_readonly_fields(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields = ["customer_type", "branch", *fields]
            if not obj.is_premium and request.user.has_perm(services.UPGRADE_PERMISSION):
                fields.append("premium_upgrade")  # the link to the upgrade page, for those whose role may
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "branch" and not is_bank_wide(request.user):
            kwargs["queryset"] = Branch.objects.filter(pk=request.user.home_branch_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data[field] for field in form.cleaned_data}
        if change:
            changes = {field: data[field] for field in form.changed_data if field in services.EDITABLE_FIELDS}
            updated = services.update_customer(customer=obj, actor=request.user, **changes)
        else:
            updated = services.onboard_customer(actor=request.user, channel="admin", **data)
        obj.pk = updated.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request, obj=None):
        return False  # customers are closed, never deleted

    def _change_status(self, request, queryset, *, service, verb, done):
        """Ask for the reason on a page of its own, then call ``service`` for each customer; a refusal is an
        error message for that customer."""
        form = StatusReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            for customer in queryset:
                try:
                    service(customer=customer, reason=form.cleaned_data["reason"], actor=request.user)
                except DomainError as error:
                    self.message_user(request, f"{customer}: {error}", messages.ERROR)
                else:
                    self.message_user(request, f"{customer}: {done}.")
            return None
        return bulk_action_page(self, request, form=form, queryset=queryset,
                                title=f"{verb.capitalize()} customers: give the reason",
                                submit_label=verb.capitalize(), intro=f"{verb.capitalize()} these customers:",
                                describe=lambda c: f"{c} ({c.get_status_display()})")

    @admin.action(description="Block customer (give a reason)", permissions=["block"])
    def block_customers(self, request, queryset):
        return self._change_status(request, queryset, service=services.block_customer, verb="block",
                                   done="blocked")

    @admin.action(description="Unblock customer (compliance; give a reason)", permissions=["unblock"])
    def unblock_customers(self, request, queryset):
        return self._change_status(request, queryset, service=services.unblock_customer, verb="unblock",
                                   done="unblocked")

    def has_block_permission(self, request):
        return request.user.has_perm(services.BLOCK_PERMISSION)

    def has_unblock_permission(self, request):
        return request.user.has_perm(services.UNBLOCK_PERMISSION)
