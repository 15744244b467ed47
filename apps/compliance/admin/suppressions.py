"""Suppressions in the admin: who is suppressed, for what, why, until when; made from a case's page (Suppress)
and lifted here by an action calling services/suppressions.py."""

from django.contrib import admin, messages

from apps.compliance.models import Suppression
from apps.compliance.services.suppressions import LIFT_SUPPRESSION, lift_suppression
from apps.domain_errors import DomainError
from config.history_admin import EvidenceHistoryAdmin


@admin.register(Suppression)
class SuppressionAdmin(EvidenceHistoryAdmin):
    list_display = ["id", "customer_name", "typology_shown", "reason", "expires_on", "created_by", "lifted"]
    list_filter = ["typology", ("lifted_at", admin.EmptyFieldListFilter), "expires_on"]
    search_fields = ["customer__legal_name", "=customer__id"]
    list_select_related = ["customer", "created_by", "lifted_by"]
    fields = ["customer", "typology", "reason", "expires_on", "created_by", "created_at", "lifted_at", "lifted_by"]
    readonly_fields = fields
    actions = ["lift"]

    def has_add_permission(self, request):
        return False  # a suppression is made from the case it is about (its Suppress operation)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_lift_permission(self, request):
        return request.user.has_perm(LIFT_SUPPRESSION)

    @admin.display(description="customer", ordering="customer__legal_name")
    def customer_name(self, suppression):
        return suppression.customer.legal_name

    @admin.display(description="typology", ordering="typology")
    def typology_shown(self, suppression):
        return suppression.typology or "every typology"

    @admin.display(description="lifted")
    def lifted(self, suppression):
        if suppression.lifted_at is None:
            return "—"
        return f"{suppression.lifted_at:%Y-%m-%d} by {suppression.lifted_by.get_username()}"

    @admin.action(description="Lift the selected suppressions", permissions=["lift"])
    def lift(self, request, queryset):
        for suppression in queryset:
            try:
                lift_suppression(suppression=suppression, actor=request.user)
            except DomainError as refused:
                self.message_user(request, f"Suppression {suppression.pk}: {refused}", messages.ERROR)
            else:
                self.message_user(request, f"Suppression {suppression.pk} is lifted.", messages.SUCCESS)
