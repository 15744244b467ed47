from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpResponseRedirect
from django.urls import path, reverse
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
from apps.organization.approvals import decides_any_request, describe_request
from apps.organization.configuration import diff_rows
from apps.organization.holidays import keep_holiday, remove_holiday
from apps.organization.models import ApprovalRequest, Bank, Branch, Holiday, User
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


@admin.register(Holiday)
class HolidayAdmin(EvidenceHistoryAdmin):
    """The bank's holidays: a due date on one moves to the next business day (products that say so). Saving
    and deleting go through apps.organization.holidays."""

    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        keep_holiday(holiday=obj, actor=request.user)

    def delete_model(self, request, obj):
        remove_holiday(holiday=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for holiday in queryset.order_by("pk"):
            remove_holiday(holiday=holiday, actor=request.user)


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


class WaitingForYouFilter(admin.SimpleListFilter):
    """"Waiting for you": the pending requests this staff member may decide (the home page links here)."""

    title = "decision"
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("you", "Waiting for you")]

    def queryset(self, request, queryset):
        if self.value() == "you":
            return selectors.approval_requests_decidable_by(request.user, queryset, now=timezone.now())
        return queryset


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(EvidenceHistoryAdmin):
    """The checker's inbox. A request's page says in words what approving will do, shows a configuration
    change's before/after, who asked, when and why, and has Approve and Reject (with a reason) buttons that call
    ``approve_request`` / ``reject_request``: who may decide (permission, branch, never the maker) is the
    services' rule, not this page's. The list's actions decide several at once through the same services."""

    list_display = ["id", "operation", "summary", "branch", "maker", "state", "checker", "created_at",
                    "expires_at"]
    list_filter = [WaitingForYouFilter, "state", "operation", "branch"]
    search_fields = ["summary", "operation", "=id"]
    list_select_related = ["maker", "checker", "branch"]
    change_form_template = "admin/organization/approvalrequest/change_form.html"
    # The parameters and the result are the services' JSON: the page shows them in words (never an idempotency key).
    fieldsets = [
        ("What approving will do", {"fields": ["what_will_happen", "proposed_changes", "operation"]}),
        ("Asked", {"fields": ["asked_by", "created_at", "reason_given", "branch", "expires_at"]}),
        ("Decision", {"fields": ["state", "checker", "decided_at", "decision_reason", "outcome"]}),
    ]
    readonly_fields = ["what_will_happen", "proposed_changes", "operation", "asked_by", "created_at",
                       "reason_given", "branch", "expires_at", "state", "checker", "decided_at", "decision_reason",
                       "outcome"]
    action_form = DecisionActionForm
    actions = ["approve", "reject"]

    def get_queryset(self, request):
        return selectors.approval_requests_for(request.user)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and diff_rows(obj):
            return self.fieldsets
        # Not a configuration change: there is no before/after to show.
        what, *rest = self.fieldsets
        return [(what[0], {"fields": [f for f in what[1]["fields"] if f != "proposed_changes"]}), *rest]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a request changes only by its decision (the buttons, the actions); the page shows it

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="What will happen")
    def what_will_happen(self, approval):
        return describe_request(approval.operation, approval.parameters, approval.summary)

    @admin.display(description="Proposed change")
    def proposed_changes(self, approval):
        """A configuration change's diff, field by field, as the checker decides it."""
        rows = diff_rows(approval)
        if not rows:
            return "-"
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        return format_html('<table class="configuration-diff"><thead><tr><th>Field</th><th>Before</th>'
                           "<th>After</th></tr></thead><tbody>{}</tbody></table>", body)

    @admin.display(description="Asked by")
    def asked_by(self, approval):
        return _staff_in_words(approval.maker)

    @admin.display(description="Why")
    def reason_given(self, approval):
        reason = approval.parameters.get("reason") if isinstance(approval.parameters, dict) else None
        return reason or approval.summary

    @admin.display(description="Outcome")
    def outcome(self, approval):
        if approval.state == ApprovalRequest.State.FAILED:
            return f"Failed when it ran, so nothing of it was done: {approval.failure_reason}"
        if approval.state == ApprovalRequest.State.APPROVED:
            done = "; ".join(f"{str(key).replace('_', ' ')}: {value}" for key, value in (approval.result or {}).items()
                             if value not in (None, ""))
            return f"Done. {done}" if done else "Done."
        if approval.state == ApprovalRequest.State.REJECTED:
            return "Rejected: nothing was done."
        if approval.state == ApprovalRequest.State.EXPIRED:
            return "Expired undecided: nothing was done."
        return "Waiting for a decision: nothing has been done yet."

    def has_decide_permission(self, request):
        return decides_any_request(request.user)

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [path("<path:object_id>/decide/", decide, name="organization_approvalrequest_decide"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        approval = self.get_object(request, object_id)
        context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        if approval is not None:
            context["decision"] = {
                "may_decide": approval.state == ApprovalRequest.State.PENDING and self.has_decide_permission(request),
                "is_maker": approval.maker_id == request.user.pk,
                "url": reverse("admin:organization_approvalrequest_decide", args=[approval.pk]),
            }
        return super().change_view(request, object_id, form_url, context)

    def decide_view(self, request, object_id):
        """The page's Approve and Reject buttons: POST ``decision`` (approve or reject) and, to reject, ``reason``."""
        approval = self.get_object(request, object_id)
        if approval is None or not self.has_view_permission(request, approval):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        page = reverse("admin:organization_approvalrequest_change", args=[approval.pk])
        if request.method != "POST":
            return HttpResponseRedirect(page)
        decision = request.POST.get("decision")
        try:
            if decision == "approve":
                decided = services.approve_request(request=approval, checker=request.user)
            elif decision == "reject":
                decided = services.reject_request(request=approval, checker=request.user,
                                                  reason=request.POST.get("reason", ""))
            else:
                self.message_user(request, "Choose Approve or Reject.", messages.ERROR)
                return HttpResponseRedirect(page)
        except DomainError as error:
            self.message_user(request, _refusal_in_words(approval, error), messages.ERROR)
        else:
            self.message_user(request, f"Request #{decided.pk} {decided.get_state_display().lower()}: "
                                       f"{self.outcome(decided)}", messages.SUCCESS)
        return HttpResponseRedirect(page)

    def _decide(self, request, queryset, decide):
        for approval in queryset:
            try:
                decide(approval)
            except DomainError as error:
                self.message_user(request, f"#{approval.pk}: {_refusal_in_words(approval, error)}", messages.ERROR)
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


def _staff_in_words(user) -> str:
    if user is None:
        return "-"
    name = user.get_full_name()
    return f"{name} ({user.get_username()})" if name else user.get_username()


def _refusal_in_words(approval: ApprovalRequest, error: DomainError) -> str:
    """A refused decision leaves the request pending; an operation refused when it ran leaves it failed."""
    if ApprovalRequest.objects.filter(pk=approval.pk, state=ApprovalRequest.State.FAILED).exists():
        return f"approved, but the operation was refused when it ran, so nothing of it was done: {error}"
    return f"not decided: {error}"


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
