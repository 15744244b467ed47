from django.contrib import admin

from apps.outbox.models import OutboxDelivery, OutboxEvent
from apps.outbox.services import retry_failed_event


class OutboxDeliveryInline(admin.TabularInline):
    model = OutboxDelivery
    fields = ["subscriber", "delivered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    """Domain events and their delivery. A failed event can be retried once its subscriber is fixed."""

    list_display = ["id", "event_type", "aggregate_type", "aggregate_id", "state", "attempts", "next_attempt_at",
                    "created_at", "delivered_at"]
    list_filter = ["state", "event_type"]
    search_fields = ["=id", "aggregate_id", "event_type"]
    readonly_fields = ["event_type", "aggregate_type", "aggregate_id", "payload", "state", "attempts",
                       "next_attempt_at", "last_error", "created_at", "delivered_at"]
    inlines = [OutboxDeliveryInline]
    actions = ["retry"]

    @admin.action(description="Retry the selected failed events", permissions=["change"])
    def retry(self, request, queryset):
        failed = list(queryset.filter(state=OutboxEvent.State.FAILED))
        for event in failed:
            retry_failed_event(event=event)
        self.message_user(request, f"{len(failed)} failed events queued for delivery again.")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        """Every field is the delivery worker's and read-only here: saving the page writes nothing (a full-row
        save would put back a state or attempt count the worker just moved). Retrying is the action."""

    def has_delete_permission(self, request, obj=None):
        return False
