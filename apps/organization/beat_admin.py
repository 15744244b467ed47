"""django-celery-beat's periodic tasks in the admin, as a door to the schedule services.

The library's own admin offers "Enable / Disable / Toggle / Run selected tasks" to anyone who may merely view
the list (its actions name no permission) and changes rows by bulk update, which leaves no trace. Here every
action needs the change permission (operations only, apps.organization.roles), calls a service that checks it
again and writes an admin log entry naming the user, and nobody deletes a periodic task (disable it instead).
"""

from django import forms
from django.contrib import admin, messages
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.admin import PeriodicTaskForm as BeatPeriodicTaskForm
from django_celery_beat.models import PeriodicTask
from kombu.utils.json import loads

from apps.domain_errors import DomainError
from apps.organization import services

admin.site.unregister(PeriodicTask)


class PeriodicTaskForm(BeatPeriodicTaskForm):
    def clean_kwargs(self):
        value = super().clean_kwargs()
        parsed = loads(value or "{}")
        if isinstance(parsed, dict) and services.STARTER_KWARG in parsed:
            # who started a run is the run-now service's to say, never a stored argument
            raise forms.ValidationError(f"{services.STARTER_KWARG} is set by the back office, not stored.")
        return value


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    form = PeriodicTaskForm
    actions = ["enable_tasks", "disable_tasks", "toggle_tasks", "run_tasks"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_run_permission(self, request):
        return request.user.has_perm(services.BEAT_CHANGE_PERMISSION)

    def _set_enabled(self, request, queryset, enabled, done):
        try:
            changed = services.set_periodic_tasks_enabled(tasks=queryset, enabled=enabled, actor=request.user)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, f"{changed} task(s) {done}.")

    @admin.action(description="Enable selected tasks", permissions=["change"])
    def enable_tasks(self, request, queryset):
        self._set_enabled(request, queryset, True, "enabled")

    @admin.action(description="Disable selected tasks", permissions=["change"])
    def disable_tasks(self, request, queryset):
        self._set_enabled(request, queryset, False, "disabled")

    @admin.action(description="Toggle activity of selected tasks", permissions=["change"])
    def toggle_tasks(self, request, queryset):
        self._set_enabled(request, queryset, None, "toggled")

    @admin.action(description="Run selected tasks now (recorded with your name)", permissions=["run"])
    def run_tasks(self, request, queryset):
        try:
            outcome = services.run_periodic_tasks_now(tasks=queryset, actor=request.user)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        if outcome.not_sent:
            names = ", ".join(f"“{task.name}”" for task in outcome.not_sent)
            self.message_user(request, f"Not sent, the broker is unreachable: {names}. They did not run; run them "
                                       "again once the broker is up (their schedule runs them when next due).",
                              messages.ERROR)
        if outcome.sent:
            self.message_user(request, f"{len(outcome.sent)} task(s) sent: {', '.join(outcome.sent)}.")
