"""The alert queue: alerts grouped into cases, newest first, filtered by typology, date and disposition. Shadow
alerts are there but apart (the disposition filter's "Shadow"), never mixed into the queue. Alerts are written
only by monitoring: read-only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from apps.compliance.models import Alert
from apps.compliance.models.alerts import AlertDisposition
from config.read_only_admin import ReadOnlyAdmin


class DispositionFilter(admin.SimpleListFilter):
    """By default the queue and the suppressed; shadow alerts only when asked for."""

    title = "disposition"
    parameter_name = "disposition"

    def lookups(self, request, model_admin):
        return [*AlertDisposition.choices, ("all", "All, shadow included")]

    def choices(self, changelist):
        yield {"selected": self.value() is None, "display": "In the queue or suppressed (not shadow)",
               "query_string": changelist.get_query_string(remove=[self.parameter_name])}
        for value, label in self.lookup_choices:
            yield {"selected": self.value() == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset.exclude(disposition=AlertDisposition.SHADOW)
        if self.value() == "all":
            return queryset
        return queryset.filter(disposition=self.value())


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "business_date", "typology", "customer_name", "score", "disposition", "case_link",
                    "summary"]
    list_filter = [DispositionFilter, "typology", "business_date", "case__status"]
    search_fields = ["customer__legal_name", "=id", "=case__id"]
    list_select_related = ["customer", "case"]
    ordering = ["-detected_at", "-id"]
    date_hierarchy = "business_date"
    fields = ["typology", "typology_version", "setting", "setting_revision", "disposition", "customer", "case",
              "suppression", "score", "summary", "facts", "business_date", "detected_at"]

    @admin.display(description="customer", ordering="customer__legal_name")
    def customer_name(self, alert):
        return alert.customer.legal_name

    @admin.display(description="case", ordering="case_id")
    def case_link(self, alert):
        if alert.case_id is None:
            return "—"
        return format_html('<a href="{}">Case {}</a> ({})', reverse("admin:compliance_case_change",
                                                                     args=[alert.case_id]),
                           alert.case_id, alert.case.get_status_display().lower())
