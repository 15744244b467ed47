"""The typology settings page in the admin: the library's typologies (what each looks for, its version and
schedule), their live and shadow settings per currency, alerts per week live against shadow, the backtests, and
the changes waiting for a checker. It is a door to services, not a table editor: every change is a proposal
(services/settings.py) that a second compliance officer approves in Approval requests, where the diff shows
each changed parameter; a backtest is requested here and carried out by a worker (services/backtest_requests.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.compliance.charts import live_and_shadow_alerts_per_week
from apps.compliance.models import BacktestRun, TypologySetting
from apps.compliance.models.typologies import SettingMode
from apps.compliance.services.backtest_requests import request_backtest
from apps.compliance.services.settings import (
    library_typology,
    parameter_changes,
    propose_shadow_promotion,
    propose_typology_setting_change,
    stored_parameters,
)
from apps.compliance.typologies.base import Typology
from apps.compliance.typology_selectors import pending_setting_changes, recent_backtests, typologies_with_settings
from apps.domain_errors import DomainError
from apps.money import CURRENCY_CHOICES
from apps.organization.selectors import BankNotConfigured, current_business_date
from config.admin_operations import operation_page
from config.history_admin import EvidenceHistoryAdmin
from config.read_only_admin import ReadOnlyAdminMixin

PARAMETER_FIELD = "parameter_{}"


def _parameter_field(spec, initial) -> forms.Field:
    hint = {"amount": "An amount in the setting's currency.", "ratio": "A decimal multiple, e.g. 3.5.",
            "countries": "ISO 3166-1 alpha-2 codes, separated by commas.", "hours": "Whole hours.",
            "days": "Whole days.", "integer": "A whole number."}.get(spec.kind, "")
    if spec.kind == "countries":
        initial = ", ".join(initial or [])
    # an empty list of countries is a value; every other parameter needs one
    return forms.CharField(label=spec.label, initial=initial, help_text=hint, required=spec.kind != "countries")


class ParametersForm(forms.Form):
    """A field per parameter of the typology (validated by the service, which asks the typology)."""

    def __init__(self, *args, entry: Typology, values: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        for spec in entry.parameters:
            self.fields[PARAMETER_FIELD.format(spec.name)] = _parameter_field(spec, values.get(spec.name,
                                                                                               spec.default))

    def parameters(self) -> dict:
        raw = {}
        for spec in self.entry.parameters:
            value = self.cleaned_data[PARAMETER_FIELD.format(spec.name)].strip()
            raw[spec.name] = ([code.strip() for code in value.replace(" ", ",").split(",") if code.strip()]
                              if spec.kind == "countries" else value)
        return raw


class SettingChangeForm(ParametersForm):
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, help_text="Amounts are in this currency; the setting "
                                                                     "evaluates movements in it only.")
    mode = forms.ChoiceField(choices=SettingMode.choices)
    is_enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
    field_order = ["currency", "mode", "is_enabled"]

    def __init__(self, *args, setting: TypologySetting | None, **kwargs):
        super().__init__(*args, **kwargs)
        if setting is not None:
            del self.fields["currency"]  # a setting keeps its typology and currency
            self.fields["mode"].initial, self.fields["is_enabled"].initial = setting.mode, setting.is_enabled


class BacktestForm(ParametersForm):
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    date_from = forms.DateField(label="From business date", help_text="YYYY-MM-DD")
    date_to = forms.DateField(label="To business date (inclusive)", help_text="YYYY-MM-DD")
    field_order = ["currency", "date_from", "date_to"]


def _parameters_in_words(entry: Typology, setting: TypologySetting) -> str:
    values = stored_parameters(entry, setting)
    return "; ".join(f"{label}: {text}" for label, text in [
        (row["label"], row["after_text"])
        for row in parameter_changes(entry=entry, currency=setting.currency, before=None, after=values)])


@admin.register(TypologySetting)
class TypologySettingAdmin(EvidenceHistoryAdmin):
    """The typology settings page (the list) and its operations: propose a new setting or a change, promote a
    shadow, request a backtest. A setting's own page shows it read-only with its history."""

    change_list_template = "admin/compliance/typologysetting/settings_page.html"
    fields = ["typology", "currency", "mode", "is_enabled", "parameters", "revision"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a new setting is proposed (the page's "Propose a setting"), never saved here

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("propose/<str:code>/", view(self.propose_view), name="compliance_typologysetting_propose_new"),
            path("<int:setting_id>/propose/", view(self.propose_view), name="compliance_typologysetting_propose"),
            path("<int:setting_id>/promote/", view(self.promote_view), name="compliance_typologysetting_promote"),
            path("backtest/<str:code>/", view(self.backtest_view), name="compliance_typologysetting_backtest"),
            *super().get_urls(),
        ]

    def _page_url(self) -> str:
        return reverse("admin:compliance_typologysetting_changelist")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            charts = live_and_shadow_alerts_per_week(business_date=current_business_date())
        except BankNotConfigured:
            charts = []
        user = request.user
        return TemplateResponse(request, self.change_list_template, {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "Typology settings",
            "typologies": typologies_with_settings(), "charts": charts,
            "backtests": recent_backtests() if user.has_perm("compliance.view_backtestrun") else [],
            "pending": pending_setting_changes() if user.has_perm("organization.view_approvalrequest") else [],
            "may_propose": user.has_perm("compliance.change_typologysetting"),
            "may_backtest": user.has_perm("compliance.request_backtest"),
            **(extra_context or {}),
        })

    def _proposed(self, *, entry: Typology, setting: TypologySetting | None, form: SettingChangeForm):
        if setting is None:
            return TypologySetting(typology=entry.code, currency=form.cleaned_data["currency"],
                                   mode=form.cleaned_data["mode"], is_enabled=form.cleaned_data["is_enabled"])
        proposed = TypologySetting.objects.get(pk=setting.pk)
        proposed.mode, proposed.is_enabled = form.cleaned_data["mode"], form.cleaned_data["is_enabled"]
        return proposed

    def _announce(self, request, approval) -> None:
        link = reverse("admin:organization_approvalrequest_change", args=[approval.pk])
        self.message_user(request, format_html(
            'Nothing is changed yet: the change waits for a second compliance officer\'s approval as '
            '<a href="{}">request #{}</a>.', link, approval.pk), messages.WARNING)

    def propose_view(self, request, setting_id: int | None = None, code: str | None = None):
        """Propose a new setting of a typology (``code``) or a change of one (``setting_id``)."""
        if not request.user.has_perm("compliance.change_typologysetting"):
            raise PermissionDenied
        setting = TypologySetting.objects.filter(pk=setting_id).first() if setting_id else None
        if setting_id and setting is None:
            raise Http404
        try:
            entry = library_typology(setting.typology if setting else code)
        except DomainError:
            raise Http404 from None
        values = stored_parameters(entry, setting) if setting else entry.default_parameters()
        form = SettingChangeForm(request.POST or None, entry=entry, values=values, setting=setting)
        if request.method == "POST" and form.is_valid():
            try:
                approval = propose_typology_setting_change(
                    proposed=self._proposed(entry=entry, setting=setting, form=form),
                    parameters=form.parameters(), maker=request.user)
            except DomainError as refusal:
                form.add_error(None, str(refusal))
            else:
                self._announce(request, approval)
                return HttpResponseRedirect(self._page_url())
        facts = [("Typology", f"{entry.name} (version {entry.version})"), ("Looks for", entry.description)]
        if setting is not None:
            facts += [("Setting", f"{setting} · revision {setting.revision}"),
                      ("Parameters now", _parameters_in_words(entry, setting))]
        return operation_page(self, request, form=form, obj=setting, cancel_url=self._page_url(),
                              title=f"Propose a change of {setting}" if setting else f"Propose a {entry.name} setting",
                              submit_label="Propose", facts=facts,
                              intro="Nothing changes until a second compliance officer approves the proposal; "
                                    "they see each changed value, before and after.")

    def promote_view(self, request, setting_id: int):
        """Confirm the promotion of a shadow setting's parameters to the live setting (a proposal)."""
        if not request.user.has_perm("compliance.change_typologysetting"):
            raise PermissionDenied
        shadow = TypologySetting.objects.filter(pk=setting_id, mode=SettingMode.SHADOW).first()
        if shadow is None:
            raise Http404
        entry = library_typology(shadow.typology)
        live = TypologySetting.objects.filter(typology=shadow.typology, currency=shadow.currency,
                                              mode=SettingMode.LIVE).first()
        if request.method == "POST":
            try:
                approval = propose_shadow_promotion(shadow=shadow, maker=request.user)
            except DomainError as refusal:
                self.message_user(request, f"Nothing was proposed: {refusal}", messages.ERROR)
                return HttpResponseRedirect(self._page_url())
            self._announce(request, approval)
            return HttpResponseRedirect(self._page_url())
        facts = [("Shadow", f"{shadow} · revision {shadow.revision}: {_parameters_in_words(entry, shadow)}"),
                 ("Live", f"{live} · revision {live.revision}: {_parameters_in_words(entry, live)}" if live
                  else "none yet: the promotion creates it")]
        return operation_page(self, request, form=None, obj=shadow, cancel_url=self._page_url(),
                              title=f"Promote {shadow} to live", submit_label="Propose the promotion", facts=facts,
                              intro="Once a second compliance officer approves, the live setting takes the shadow's "
                                    "parameters (its alerts enter the queue) and the shadow is switched off.")

    def backtest_view(self, request, code: str):
        """Request a backtest of a typology: the parameters of a setting (``?setting=<id>``) or any tried."""
        if not request.user.has_perm("compliance.request_backtest"):
            raise PermissionDenied
        try:
            entry = library_typology(code)
        except DomainError:
            raise Http404 from None
        setting = TypologySetting.objects.filter(pk=request.GET.get("setting") or None, typology=code).first()
        values = stored_parameters(entry, setting) if setting else entry.default_parameters()
        form = BacktestForm(request.POST or None, entry=entry, values=values,
                            initial={"currency": setting.currency} if setting else {})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                run = request_backtest(typology=code, currency=data["currency"], parameters=form.parameters(),
                                       date_from=data["date_from"], date_to=data["date_to"],
                                       requested_by=request.user,
                                       source_setting=setting if setting and setting.currency == data["currency"]
                                       else None)
            except DomainError as refusal:
                form.add_error(None, str(refusal))
            else:
                self.message_user(request, f"Backtest #{run.pk} is queued; its figures appear below when it is "
                                           "done.", messages.SUCCESS)
                return HttpResponseRedirect(self._page_url())
        return operation_page(self, request, form=form, cancel_url=self._page_url(),
                              title=f"Backtest {entry.name}", submit_label="Request the backtest",
                              facts=[("Typology", f"{entry.name} (version {entry.version})"),
                                     ("Looks for", entry.description)],
                              intro="The parameters run over the monitored transactions of the range; no alert is "
                                    "raised. The figures stand beside what the live setting raised there.")


@admin.register(BacktestRun)
class BacktestRunAdmin(ReadOnlyAdminMixin, EvidenceHistoryAdmin):
    """Backtests are requested on the typology settings page and written by the worker: read here."""

    list_display = ["id", "typology", "currency", "date_from", "date_to", "status", "transactions_evaluated",
                    "alerts_would_raise", "customers_alerted", "live_alerts", "requested_by", "requested_at"]
    list_filter = ["status", "typology", "currency"]
    list_select_related = ["requested_by"]
    fields = ["typology", "typology_version", "currency", "parameters", "source_setting", "date_from", "date_to",
              "status", "transactions_evaluated", "alerts_would_raise", "customers_alerted", "customers_listed",
              "live_alerts", "live_customers", "customers_only_backtest", "customers_only_live", "failure_reason",
              "requested_by", "requested_at", "started_at", "finished_at"]
    readonly_fields = fields

    @admin.display(description="Customers it would alert")
    def customers_listed(self, run):
        if not run.customers:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join(
            "", '<li><a href="{}">{}</a> (#{}): {} alert(s)</li>',
            ((reverse("admin:customers_customer_change", args=[c["id"]]), c["name"], c["id"], c["alerts"])
             for c in run.customers)))
