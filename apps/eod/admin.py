from django.contrib import admin

from apps.eod.models import EodRun, EodStepRun, LedgerSeal
from apps.organization.selectors import BankNotConfigured, current_bank
from config.read_only_admin import ReadOnlyAdminMixin


class EodStepRunInline(admin.TabularInline):
    model = EodStepRun
    fields = ["position", "name", "status", "counts", "duration_ms", "attempts", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EodRun)
class EodRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The last runs with their steps; the current business date is shown above the list."""

    list_display = ["business_date", "status", "next_business_date", "started_at", "finished_at", "attempts",
                    "started_by"]
    list_filter = ["status"]
    list_select_related = ["started_by"]
    readonly_fields = [f.name for f in EodRun._meta.fields]
    inlines = [EodStepRunInline]
    date_hierarchy = "business_date"

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        try:
            extra_context["title"] = f"End-of-day runs — current business date {current_bank().current_business_date}"
        except BankNotConfigured:
            extra_context["title"] = "End-of-day runs — no bank configured"
        return super().changelist_view(request, extra_context)


@admin.register(LedgerSeal)
class LedgerSealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["business_date", "covers_from", "entries", "postings", "digest", "created_at"]
    readonly_fields = [f.name for f in LedgerSeal._meta.fields]

