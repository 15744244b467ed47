from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from apps.domain_errors import PermissionRefused
from apps.eod.errors import EodRefused
from apps.eod.models import EodAttempt, EodRun, EodStepRun, LedgerSeal
from apps.eod.screen import start_eod_confirmed_by_staff
from apps.eod.selectors import counts_in_words, day_to_close, run_progress
from apps.eod.services import may_run_end_of_day
from apps.organization.selectors import BankNotConfigured, current_bank
from config.read_only_admin import ReadOnlyAdminMixin


class EodStepRunInline(admin.TabularInline):
    model = EodStepRun
    fields = ["position", "name", "status", "what_it_did", "duration_ms", "attempts", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="what it did")
    def what_it_did(self, step):
        """The step's counts in words ("3 credited, 1 charged"), not the JSON they are stored as."""
        return counts_in_words(step.counts or {}) or "—"


class EodAttemptInline(admin.TabularInline):
    """Who started the run and who resumed it, attempt by attempt."""

    model = EodAttempt
    fields = ["number", "started_by", "door", "started_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["number"]
    verbose_name_plural = "attempts (started and resumed by)"

    def has_add_permission(self, request, obj=None):
        return False


class CloseDayForm(forms.Form):
    """The date comes from the page the staff read: a stale page or a second submit names a date that is no
    longer the one to close, and the service refuses it."""

    business_date = forms.DateField(widget=forms.HiddenInput)
    attempts_seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    confirm = forms.BooleanField(required=True, label="I have checked the open items above and close this business "
                                                      "date.",
                                 error_messages={"required": "Tick the confirmation to run end of day."})


@admin.register(EodRun)
class EodRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The last runs with their steps; the current business date is shown above the list, and the
    end-of-day screen (``close/``) closes it."""

    list_display = ["business_date", "status", "next_business_date", "started_at", "finished_at", "attempts",
                    "started_by"]
    list_filter = ["status"]
    list_select_related = ["started_by"]
    readonly_fields = [f.name for f in EodRun._meta.fields]
    inlines = [EodAttemptInline, EodStepRunInline]
    date_hierarchy = "business_date"

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        try:
            extra_context["title"] = f"End-of-day runs — current business date {current_bank().current_business_date}"
        except BankNotConfigured:
            extra_context["title"] = "End-of-day runs — no bank configured"
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [path("close/", self.admin_site.admin_view(self.close_view), name="eod_eodrun_close"),
                path("<int:run_id>/progress/", self.admin_site.admin_view(self.progress_view),
                     name="eod_eodrun_progress"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The run's page: its steps' progress on top (polled from ``progress/`` while it runs), then the run."""
        progress = run_progress(int(object_id)) if str(object_id).isdigit() else None
        extra_context = {**(extra_context or {}), "progress": progress}
        return super().change_view(request, object_id, form_url, extra_context)

    def progress_view(self, request, run_id):
        """Where the run is, as JSON: the run's page polls it while a worker carries the steps out."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        progress = run_progress(run_id)
        if progress is None:
            raise Http404("No such end-of-day run.")
        return JsonResponse(progress.as_json(), headers={"Cache-Control": "no-store"})

    def close_view(self, request):
        """The end-of-day screen: the date it closes, what is still open, a confirmation. Anyone who may see the
        runs sees it; only operations (``may_run_end_of_day``) may submit it, through the service."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_run = may_run_end_of_day(request.user)
        if request.method == "POST" and not can_run:
            raise PermissionDenied
        day = day_to_close()
        attempts = day.unfinished_run.attempts if day.unfinished_run else 0
        form = CloseDayForm(request.POST if request.method == "POST" else None,
                            initial={"business_date": day.business_date, "attempts_seen": attempts})
        status = 200
        if form.is_bound and form.is_valid():
            try:
                run = start_eod_confirmed_by_staff(business_date=form.cleaned_data["business_date"],
                                                   attempts_seen=form.cleaned_data["attempts_seen"],
                                                   actor=request.user)
            except PermissionRefused as refused:
                raise PermissionDenied(str(refused)) from None
            except EodRefused as refused:
                # The page again as things now are, with the refusal: what was submitted is stale.
                day = day_to_close()
                form = CloseDayForm(initial={"business_date": day.business_date, "attempts_seen": (
                    day.unfinished_run.attempts if day.unfinished_run else 0)})
                form.refusal = str(refused)
                status = 409
            else:
                self._report(request, run)
                return redirect("admin:eod_eodrun_change", run.pk)
        return TemplateResponse(request, "admin/eod/eodrun/close.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "form": form, "day": day,
            "can_run": can_run, "title": f"End of day: close business date {day.business_date}",
            "refusal": getattr(form, "refusal", ""),
        }, status=status)

    def _report(self, request, run):
        run.refresh_from_db()  # in the embedded (eager) mode the steps already ran, at the commit
        if run.status == EodRun.Status.COMPLETED:
            self.message_user(request, f"End of day {run.business_date} completed; the business date is now "
                                       f"{run.next_business_date}.", messages.SUCCESS)
            return
        if run.status == EodRun.Status.RUNNING:
            self.message_user(request, f"End of day {run.business_date} started; the business date is now "
                                       f"{run.next_business_date}. A worker runs its steps: this page shows their "
                                       "progress.", messages.INFO)
            return
        failed = run.steps.filter(status=EodStepRun.Status.FAILED).first()
        self.message_user(request, f"End of day {run.business_date} stopped at step {failed.name if failed else '?'}"
                                   f": {failed.error if failed else run.status}. Fix the cause and run it again from "
                                   "the end-of-day screen: it resumes from that step.", messages.ERROR)


@admin.register(LedgerSeal)
class LedgerSealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["business_date", "covers_from", "entries", "postings", "digest", "created_at"]
    readonly_fields = [f.name for f in LedgerSeal._meta.fields]
