"""Cases in the admin: the list by SAR deadline with overdue flags and the assignee (one query a page), and the
case's page — the case's fields read-only (its services own them), a timeline of its alerts, notes, status
changes (from its history) and four-eyes requests, the linked transactions as they were when alerted, and the
operations, each an operation page calling its service (services/cases.py), whose refusal comes back on the
form with nothing written."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from apps.accounts.models import Account
from apps.compliance.models import Case, CaseNote
from apps.compliance.models.alerts import OPEN_CASE_STATUSES, CaseStatus
from apps.compliance.models.monitoring import MovementKind
from apps.compliance.selectors import with_deadline_flags
from apps.compliance.services.cases import (
    ADD_NOTE,
    CLOSE_AS_FALSE_POSITIVE,
    CLOSE_CASE,
    WORK_ON_CASE,
    add_case_note,
    assign_case,
    escalate_case,
    needs_four_eyes,
    pending_closure,
    propose_false_positive_closure,
    record_suspect_known,
    start_investigating,
)
from apps.compliance.services.suppressions import ADD_SUPPRESSION, create_suppression
from apps.compliance.typologies.base import library
from apps.domain_errors import DomainError
from apps.money import format_amount
from apps.organization.models import ApprovalRequest, Branch
from apps.organization.selectors import current_business_date
from config.admin_operations import operation_page
from config.history_admin import EvidenceHistoryAdmin

User = get_user_model()


def compliance_officers():
    """Active staff whose role works on cases (through a group or directly)."""
    app_label, codename = WORK_ON_CASE.split(".")
    held = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label) | Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return User.objects.filter(held, is_active=True, is_staff=True).distinct().order_by("username")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), label="Compliance officer")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = compliance_officers()


class NoteForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 80}), label="Note")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


class SuspectForm(forms.Form):
    suspect_known = forms.TypedChoiceField(
        choices=[("yes", "A suspect is known"), ("no", "No suspect is known")], coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "radiolist"}), label="Suspect")


class SuppressForm(forms.Form):
    typology = forms.ChoiceField(required=False, help_text="Empty: every typology.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    expires_on = forms.DateField(help_text="Inclusive; after the business date. YYYY-MM-DD.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typology"].choices = [("", "Every typology"),
                                           *((known.code, known.name) for known in library())]


class OverdueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("on_time", "Not overdue")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.filter(is_overdue=True)
        if self.value() == "on_time":
            return queryset.filter(is_overdue=False)
        return queryset


class OpenFilter(admin.SimpleListFilter):
    """Open cases by default: the queue; closed ones when asked for."""

    title = "open or closed"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("closed", "Closed"), ("all", "All")]

    def choices(self, changelist):
        yield {"selected": self.value() is None, "display": "Open (the queue)",
               "query_string": changelist.get_query_string(remove=[self.parameter_name])}
        for value, label in self.lookup_choices:
            yield {"selected": self.value() == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.filter(status__in=OPEN_CASE_STATUSES)
        if self.value() == "closed":
            return queryset.exclude(status__in=OPEN_CASE_STATUSES)
        return queryset


@admin.register(Case)
class CaseAdmin(EvidenceHistoryAdmin):
    list_display = ["id", "customer_name", "status", "risk_score", "alerts", "assignee_name", "detected",
                    "sar_due", "deadline"]
    list_filter = [OpenFilter, OverdueFilter, "status", ("assignee", admin.RelatedOnlyFieldListFilter),
                   "suspect_known"]
    search_fields = ["customer__legal_name", "=id", "=customer__id"]
    list_select_related = ["customer", "assignee"]
    ordering = ["sar_due_on", "id"]
    fields = ["customer", "status", "assignee", "risk_score", "detected", "suspect_known", "sar_due",
              "opened_at", "closed_at", "closed_by", "closure_approved_by", "closure_reason"]
    readonly_fields = fields
    change_form_template = "admin/compliance/case/change_form.html"

    def get_queryset(self, request):
        cases = super().get_queryset(request).select_related("customer", "assignee", "closed_by",
                                                             "closure_approved_by")
        return with_deadline_flags(cases, business_date=current_business_date())

    def has_add_permission(self, request):
        return False  # cases are opened by alerts (services/alerts.py)

    def has_change_permission(self, request, obj=None):
        return False  # every change is an operation below

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="customer", ordering="customer__legal_name")
    def customer_name(self, case):
        return case.customer.legal_name

    @admin.display(description="alerts", ordering="alert_count")
    def alerts(self, case):
        return case.alert_count

    @admin.display(description="assignee", ordering="assignee__username")
    def assignee_name(self, case):
        return case.assignee.get_username() if case.assignee else "unassigned"

    @admin.display(description="detected on", ordering="detected_on")
    def detected(self, case):
        return f"{case.detected_on:%Y-%m-%d}"

    @admin.display(description="SAR due on", ordering="sar_due_on")
    def sar_due(self, case):
        return f"{case.sar_due_on:%Y-%m-%d}"

    @admin.display(description="deadline", ordering="sar_due_on")
    def deadline(self, case):
        if not case.is_open:
            return "closed"
        if case.is_overdue:
            return format_html('<strong class="overdue">{}</strong>', "OVERDUE")
        return "on time"

    # --- the case's page ---------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path(f"<path:object_id>/{name}/", view(getattr(self, f"{name}_view")),
                     name=f"compliance_case_{name}") for name, _, _ in OPERATIONS] + super().get_urls()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The case's page: its operations, timeline and linked transactions (the case the change view found)."""
        if obj is not None:
            extra = case_evidence(obj)
            extra["operations"] = [
                (label, reverse(f"admin:compliance_case_{name}", args=[obj.pk]))
                for name, label, permission in OPERATIONS
                if request.user.has_perm(permission) and (obj.is_open or name == "note")
                # a proposed closure waits for the second officer: not proposed again
                and not (name == "close" and extra["pending_closure"] is not None)]
            extra["four_eyes_risk"] = settings.COMPLIANCE_FALSE_POSITIVE_FOUR_EYES_RISK
            extra["subtitle"] = f"Case {obj.pk}: {obj.customer.legal_name}, {obj.get_status_display().lower()}"
            context.update(extra)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _operation(self, request, object_id, *, form_class, title, submit_label, intro, run, initial=None):
        case = self.get_object(request, unquote(object_id))
        if case is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, case):
            raise PermissionDenied
        change_url = reverse("admin:compliance_case_change", args=[case.pk])
        form = form_class(request.POST if request.method == "POST" else None, initial=initial or {})
        if request.method == "POST" and form.is_valid():
            try:
                done = run(case, form.cleaned_data)
            except DomainError as refused:
                form.add_error(None, str(refused))
            else:
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return operation_page(self, request, form=form, obj=case, title=title, submit_label=submit_label,
                              cancel_url=change_url, intro=intro, facts=case_facts(case))

    def assign_view(self, request, object_id):
        def run(case, given):
            assign_case(case=case, assignee=given["assignee"], actor=request.user)
            return f"Case {case.pk} is assigned to {given['assignee'].get_username()}."
        return self._operation(request, object_id, form_class=AssignForm, title="Assign the case",
                               submit_label="Assign", run=run, initial={"assignee": request.user.pk},
                               intro="To a compliance officer, who then works the case.")

    def note_view(self, request, object_id):
        def run(case, given):
            add_case_note(case=case, text=given["text"], actor=request.user)
            return "The note is added to the case."
        return self._operation(request, object_id, form_class=NoteForm, title="Add a note", submit_label="Add the note",
                               run=run, intro="Notes are kept as written: a correction is another note.")

    def investigate_view(self, request, object_id):
        def run(case, given):
            start_investigating(case=case, actor=request.user)
            return f"Case {case.pk} is under investigation."
        return self._operation(request, object_id, form_class=forms.Form, title="Start investigating",
                               submit_label="Start investigating", run=run,
                               intro="The case moves from open to investigating; unassigned, it becomes yours.")

    def escalate_view(self, request, object_id):
        def run(case, given):
            escalate_case(case=case, reason=given["reason"], actor=request.user)
            return f"Case {case.pk} is escalated."
        return self._operation(request, object_id, form_class=ReasonForm, title="Escalate the case",
                               submit_label="Escalate", run=run, intro="The reason is kept as a note on the case.")

    def suspect_view(self, request, object_id):
        def run(case, given):
            updated = record_suspect_known(case=case, suspect_known=given["suspect_known"], actor=request.user)
            return f"The SAR for case {case.pk} is now due on {updated.sar_due_on:%Y-%m-%d}."
        return self._operation(
            request, object_id, form_class=SuspectForm, title="Is a suspect known?", submit_label="Record it",
            run=run, intro=(f"A SAR is due {settings.COMPLIANCE_SAR_DAYS} days after the first alert, or "
                            f"{settings.COMPLIANCE_SAR_DAYS_NO_SUSPECT} days when no suspect is known."))

    def close_view(self, request, object_id):
        def run(case, given):
            outcome = propose_false_positive_closure(case=case, reason=given["reason"], actor=request.user)
            if isinstance(outcome, ApprovalRequest):
                return (f"Closing case {case.pk} as a false positive waits for a second compliance officer "
                        f"(request #{outcome.pk}).")
            return f"Case {case.pk} is closed as a false positive."
        return self._operation(
            request, object_id, form_class=ReasonForm, title="Close as a false positive",
            submit_label="Close as a false positive", run=run,
            intro=(f"Why these alerts are not suspicious. Above risk "
                   f"{settings.COMPLIANCE_FALSE_POSITIVE_FOUR_EYES_RISK} a second compliance officer approves the "
                   "closure: it is proposed, and the case stays open until then."))

    def suppress_view(self, request, object_id):
        def run(case, given):
            suppression = create_suppression(customer=case.customer, typology=given["typology"],
                                             reason=given["reason"], expires_on=given["expires_on"],
                                             business_date=current_business_date(), actor=request.user)
            return (f"Alerts of {suppression.typology or 'every typology'} for {case.customer.legal_name} are "
                    f"suppressed until {suppression.expires_on:%Y-%m-%d}.")
        return self._operation(request, object_id, form_class=SuppressForm, title="Suppress a known pattern",
                               submit_label="Suppress", run=run,
                               intro=("The customer's next alerts of this typology are recorded as suppressed and "
                                      "join no case, until the expiry or until the suppression is lifted."))


# (url name, label, permission): the operations of the case's page, in its order.
OPERATIONS = [("assign", "Assign", WORK_ON_CASE), ("investigate", "Start investigating", WORK_ON_CASE),
              ("note", "Add a note", ADD_NOTE), ("escalate", "Escalate", WORK_ON_CASE),
              ("suspect", "Suspect known?", WORK_ON_CASE), ("close", "Close as a false positive", CLOSE_CASE),
              ("suppress", "Suppress", ADD_SUPPRESSION)]


def case_facts(case: Case) -> list[tuple[str, str]]:
    return [("Case", str(case.pk)), ("Customer", case.customer.legal_name), ("Status", case.get_status_display()),
            ("Risk", str(case.risk_score)), ("SAR due on", f"{case.sar_due_on:%Y-%m-%d}"),
            ("Assignee", case.assignee.get_username() if case.assignee else "unassigned")]


STATUS_LABELS = dict(CaseStatus.choices)
KIND_LABELS = dict(MovementKind.choices)
DIRECTION_LABELS = {"in": "In", "out": "Out"}


def _history_events(case: Case) -> list[dict]:
    """The case's status, assignee and suspect changes, from its history (oldest first)."""
    events, previous = [], None
    versions = list(case.history.select_related("history_user").order_by("history_date", "history_id"))
    usernames = dict(User.objects.filter(pk__in={version.assignee_id for version in versions})
                     .values_list("pk", "username"))
    for version in versions:
        who = version.history_user.get_username() if version.history_user else "monitoring"
        if previous is None:
            events.append({"at": version.history_date, "kind": "opened", "who": who,
                           "text": f"Case opened, SAR due on {version.sar_due_on:%Y-%m-%d}"})
        else:
            if version.status != previous.status:
                text = f"Status: {STATUS_LABELS[previous.status]} \u2192 {STATUS_LABELS[version.status]}"
                if version.closure_reason:
                    text += f": {version.closure_reason}"
                if version.closure_approved_by_id and version.status == CaseStatus.CLOSED_FALSE_POSITIVE:
                    text += " (four-eyes)"
                events.append({"at": version.history_date, "kind": "status", "who": who, "text": text})
            if version.assignee_id != previous.assignee_id:
                events.append({"at": version.history_date, "kind": "assigned", "who": who,
                               "text": f"Assigned to {usernames.get(version.assignee_id, 'nobody')}"})
            if version.suspect_known != previous.suspect_known:
                events.append({"at": version.history_date, "kind": "suspect", "who": who,
                               "text": (f"{'A suspect is known' if version.suspect_known else 'No suspect is known'}"
                                        f": SAR due on {version.sar_due_on:%Y-%m-%d}")})
        previous = version
    return events


def _approval_events(case: Case) -> list[dict]:
    events = []
    requests = (ApprovalRequest.objects.filter(operation=CLOSE_AS_FALSE_POSITIVE, parameters__case=case.pk)
                .select_related("maker", "checker").order_by("created_at", "id"))
    for request in requests:
        url = reverse("admin:organization_approvalrequest_change", args=[request.pk])
        events.append({"at": request.created_at, "kind": "four-eyes", "who": request.maker.get_username(),
                       "text": f"Proposed closing as a false positive (request #{request.pk}): "
                               f"{request.parameters.get('reason', '')}", "url": url})
        if request.decided_at:
            reason = f": {request.decision_reason}" if request.decision_reason else ""
            events.append({"at": request.decided_at, "kind": "four-eyes",
                           "who": request.checker.get_username() if request.checker else "",
                           "text": f"Request #{request.pk} {request.get_state_display().lower()}{reason}", "url": url})
    return events


def case_evidence(case: Case) -> dict:
    """The case's timeline and linked transactions, as the case page shows them (a fixed number of queries)."""
    alerts = list(case.alerts.order_by("detected_at", "id"))
    notes = list(CaseNote.objects.filter(case=case).select_related("author"))
    timeline = [{"at": alert.detected_at, "kind": "alert", "who": alert.typology,
                 "text": f"Alert #{alert.pk} (risk {alert.score}, {alert.business_date:%Y-%m-%d}): {alert.summary}"}
                for alert in alerts]
    timeline += [{"at": note.created_at, "kind": "note", "who": note.author.get_username(), "text": note.text}
                 for note in notes]
    timeline += _history_events(case) + _approval_events(case)
    timeline.sort(key=lambda event: event["at"])
    moved_rows = [moved for alert in alerts for moved in alert.evidence]
    # The numbers people know an account and a branch by (the evidence keeps their ids): one query each.
    numbers = dict(Account.objects.filter(pk__in={moved["account_id"] for moved in moved_rows})
                   .values_list("pk", "number"))
    branches = dict(Branch.objects.filter(pk__in={moved["branch_id"] for moved in moved_rows if moved["branch_id"]})
                    .values_list("pk", "code"))
    transactions = [{**moved, "alert": alert.pk, "typology": alert.typology,
                     "kind_shown": KIND_LABELS.get(moved["kind"], moved["kind"]),
                     "direction_shown": DIRECTION_LABELS.get(moved["direction"], moved["direction"]),
                     "amount_shown": format_amount(Decimal(moved["amount"]), moved["currency"]),
                     "account_shown": numbers.get(moved["account_id"], moved["account_id"]),
                     "branch_shown": branches.get(moved["branch_id"], "—"),
                     "business_date": datetime.date.fromisoformat(moved["business_date"])}
                    for alert in alerts for moved in alert.evidence]
    pending = pending_closure(case) if case.is_open else None
    return {"timeline": timeline, "evidence_rows": transactions, "pending_closure": pending,
            "needs_four_eyes": needs_four_eyes(case)}
