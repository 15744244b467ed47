from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone
from knox.models import AuthToken
from simple_history.admin import SimpleHistoryAdmin

from apps.domain_errors import DomainError
from apps.organization import (
    api_tokens,
    beat_admin,  # noqa: F401  (replaces django-celery-beat's PeriodicTask admin)
    selectors,
    services,
)
from apps.organization.models import ApprovalRequest, Bank, Branch, User


@admin.register(Bank)
class BankAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "base_currency", "current_business_date"]
    # The business date moves only through end of day, never by hand.
    readonly_fields = ["current_business_date"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Branch)
class BranchAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "bank", "is_head_office", "is_active"]
    list_filter = ["is_head_office", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["bank"]
    readonly_fields = ["staff_group"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        opened = services.open_branch(bank=obj.bank, code=obj.code, name=obj.name, address=obj.address,
                                      is_head_office=obj.is_head_office, actor=request.user)
        obj.pk, obj.staff_group = opened.pk, opened.staff_group
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class StaffUserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "home_branch", "is_staff", "is_active", "roles"]
    list_filter = ["is_staff", "is_active", "groups", "home_branch"]
    list_select_related = ["home_branch"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Bank", {"fields": ("home_branch", "employee_number")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        """Operations keeps staff logins and their roles, but a role is the only way to a permission: nobody but
        a superuser makes a superuser or grants a bare permission, and nobody changes their own roles."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
            if obj is not None and obj.pk == request.user.pk:
                fields += ["groups", "is_staff", "is_active"]
        return fields

    @admin.display(description="Roles and groups")
    def roles(self, user):
        return ", ".join(sorted(group.name for group in user.groups.all()))


class DecisionActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason (for a rejection)",
                             widget=forms.TextInput(attrs={"size": 40}))


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(SimpleHistoryAdmin):
    """The checker's queue: approve runs the operation's service; reject records why."""

    list_display = ["id", "operation", "summary", "branch", "maker", "state", "checker", "created_at",
                    "expires_at"]
    list_filter = ["state", "operation", "branch"]
    search_fields = ["summary", "operation", "=id"]
    list_select_related = ["maker", "checker", "branch"]
    readonly_fields = [f.name for f in ApprovalRequest._meta.fields]
    action_form = DecisionActionForm
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return selectors.approval_requests_for(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("organization.decide_approvalrequest")

    def _decide(self, request, queryset, decide):
        for approval in queryset:
            try:
                decide(approval)
            except DomainError as error:
                self.message_user(request, f"#{approval.pk}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"#{approval.pk} {approval.operation}: done.")

    @admin.action(description="Approve the selected requests (runs them)", permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, lambda a: services.approve_request(request=a, checker=request.user))

    @admin.action(description="Reject the selected requests (give a reason)", permissions=["decide"])
    def reject(self, request, queryset):
        reason = request.POST.get("reason", "")
        self._decide(request, queryset,
                     lambda a: services.reject_request(request=a, checker=request.user, reason=reason))


# knox's own admin lists digests and can create a token and show its secret in a message: never here.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


class LiveTokenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "live":
            return queryset.filter(expiry__gt=now)
        if self.value() == "expired":
            return queryset.filter(expiry__lte=now)
        return queryset


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds an API token and until when: the key prefix, never the secret (only its digest is stored;
    the digest is the row's key but cannot authenticate). Tokens come only from a login; staff with
    ``knox.delete_authtoken`` (operations) revoke them."""

    list_display = ["key_prefix", "user", "created", "expiry", "is_live"]
    list_display_links = None
    list_filter = [LiveTokenFilter]
    search_fields = ["user__username", "=token_key"]
    list_select_related = ["user"]
    fields = ["token_key", "user", "created", "expiry"]
    readonly_fields = fields
    ordering = ["-created"]
    actions = ["revoke"]

    @admin.display(description="Key prefix", ordering="token_key")
    def key_prefix(self, token):
        return f"{token.token_key}…"

    @admin.display(description="Live", boolean=True)
    def is_live(self, token):
        return api_tokens.token_is_live(token, now=timezone.now())

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("knox.delete_authtoken")

    @admin.action(description="Revoke the selected tokens (those devices are logged out)", permissions=["revoke"])
    def revoke(self, request, queryset):
        try:
            revoked = api_tokens.revoke_api_tokens_by_staff(tokens=queryset, actor=request.user)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, f"{revoked} token(s) revoked.")
