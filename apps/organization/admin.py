from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from knox.models import AuthToken

from apps.domain_errors import DomainError
from apps.organization import (
    api_tokens,
    beat_admin,  # noqa: F401  (replaces django-celery-beat's PeriodicTask admin)
    selectors,
    services,
)
from apps.organization.configuration import diff_rows
from apps.organization.models import ApprovalRequest, Bank, Branch, User
from apps.organization.roles import ALL_ROLES
from config.history_admin import EvidenceHistoryAdmin


@admin.register(Bank)
class BankAdmin(EvidenceHistoryAdmin):
    list_display = ["code", "name", "base_currency", "current_business_date"]
    # The business date moves only through end of day, never by hand.
    readonly_fields = ["current_business_date"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:  # the chart and the amount rules were set up in the base currency
            fields += ["code", "base_currency"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Branch)
class BranchAdmin(EvidenceHistoryAdmin):
    list_display = ["code", "name", "bank", "is_head_office", "is_active"]
    list_filter = ["is_head_office", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["bank"]
    readonly_fields = ["staff_group"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:  # set by open_branch with the branch's staff group (named after the code)
            fields += ["bank", "code"]
        return fields

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


class StaffCreationForm(UserCreationForm):
    """What ``create_staff_user`` needs: a staff member is created in a role, with a home branch."""

    role = forms.ChoiceField(choices=[(role, role) for role in ALL_ROLES])
    home_branch = forms.ModelChoiceField(queryset=Branch.objects.filter(is_active=True), required=False,
                                         help_text="Branch roles need one; bank-wide roles may have one.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_home_branch(self):
        branch = self.cleaned_data["home_branch"]
        if branch is None and self.instance.home_branch_id:
            raise forms.ValidationError("A staff member moves to another branch; the home branch is not removed.")
        return branch


class RoleActionForm(ActionForm):
    role = forms.ChoiceField(choices=[("", "---------"), *((role, role) for role in ALL_ROLES)], required=False)


@admin.register(User)
class StaffUserAdmin(DjangoUserAdmin, EvidenceHistoryAdmin):
    """Staff and channel logins. Roles and branch access are the organization services': a staff member is
    created in a role (``create_staff_user``), given another role by an action (``assign_role``) and moved to
    another branch (``move_staff_to_branch``, which moves their branch staff group). Groups, superuser status
    and per-user permissions are read-only here: what a role may do is written in roles.py only."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ["username", "first_name", "last_name", "home_branch", "is_staff", "is_active", "roles"]
    list_filter = ["is_staff", "is_active", "groups", "home_branch"]
    list_select_related = ["home_branch"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Bank", {"fields": ("home_branch", "employee_number")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name", "email", "role",
                                                              "home_branch", "password1", "password2")}),)
    readonly_fields = ["is_superuser", "groups", "user_permissions", "last_login", "date_joined"]
    action_form = RoleActionForm
    actions = ["give_role"]

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

    def save_model(self, request, obj, form, change):
        if not change:
            chosen = form.cleaned_data
            try:
                created = services.create_staff_user(
                    username=chosen["username"], password=chosen["password1"], role=chosen["role"],
                    home_branch=chosen["home_branch"], first_name=chosen.get("first_name", ""),
                    last_name=chosen.get("last_name", ""), email=chosen.get("email", ""), actor=request.user)
            except DomainError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                raise _StaffRefused from refusal
            obj.pk, obj._state.adding = created.pk, False
            return
        moved_to = obj.home_branch if "home_branch" in form.changed_data else None
        if moved_to is not None:  # saved as it was; the service moves them and their branch staff group
            obj.home_branch_id = form.initial["home_branch"]
        super().save_model(request, obj, form, change)
        if moved_to is not None:
            services.move_staff_to_branch(user=obj, branch=moved_to, actor=request.user)

    def has_change_permission(self, request, obj=None):
        # A superuser holds every permission: only a superuser changes one (a new password hands them over).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except _StaffRefused:
            return HttpResponseRedirect(request.path)

    @admin.action(description="Give the selected staff the chosen role", permissions=["change"])
    def give_role(self, request, queryset):
        role = request.POST.get("role", "")
        if role not in ALL_ROLES:
            self.message_user(request, "Choose the role to give.", messages.ERROR)
            return
        for user in queryset:
            services.assign_role(user=user, role=role, actor=request.user)
            self.message_user(request, f"{user.get_username()}: {role}.")


class _StaffRefused(Exception):
    """create_staff_user refused the new staff member: the admin shows why and saves nothing."""


class DecisionActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason (for a rejection)",
                             widget=forms.TextInput(attrs={"size": 40}))


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(EvidenceHistoryAdmin):
    """The checker's queue: approve runs the operation's service; reject records why."""

    list_display = ["id", "operation", "summary", "branch", "maker", "state", "checker", "created_at",
                    "expires_at"]
    list_filter = ["state", "operation", "branch"]
    search_fields = ["summary", "operation", "=id"]
    list_select_related = ["maker", "checker", "branch"]
    readonly_fields = ["id", "operation", "summary", "proposed_changes",
                       *(f.name for f in ApprovalRequest._meta.fields if f.name not in ("id", "operation", "summary"))]
    action_form = DecisionActionForm
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return selectors.approval_requests_for(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a request changes only by its decision (the actions); the page shows it

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Proposed change")
    def proposed_changes(self, approval):
        """A configuration change's diff, field by field, as the checker decides it."""
        rows = diff_rows(approval)
        if not rows:
            return "-"
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        return format_html('<table class="configuration-diff"><thead><tr><th>Field</th><th>Before</th>'
                           "<th>After</th></tr></thead><tbody>{}</tbody></table>", body)

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
