"""Deposit products and their interest tiers: changes are proposed to a checker."""

from django.contrib import admin

from apps.accounts.models import DepositProduct, InterestTier
from apps.accounts.services import products
from apps.organization.configuration_admin import ConfigurationChangeAdminMixin
from config.history_admin import EvidenceHistoryAdmin


class InterestTierInline(admin.TabularInline):
    model = InterestTier
    extra = 0


@admin.register(DepositProduct)
class DepositProductAdmin(ConfigurationChangeAdminMixin, EvidenceHistoryAdmin):
    """Products and their interest tiers. Saving proposes the change (or the new product) to a checker:
    ``products.propose_product_change``; nothing changes until another person approves it."""

    list_display = ["code", "name", "kind", "currency", "interest_rate", "day_count", "posting_frequency",
                    "overdraft_limit", "monthly_fee", "term_months", "is_active"]
    list_filter = ["kind", "currency", "is_active"]
    search_fields = ["code", "name"]
    inlines = [InterestTierInline]

    def propose_change(self, request, proposed, form, formsets):
        return products.propose_product_change(proposed=proposed, tiers=_proposed_tiers(formsets),
                                               maker=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


def _proposed_tiers(formsets) -> list[tuple] | None:
    """The whole set of tiers the inline forms describe (kept, changed and added rows; deleted ones left out)."""
    tiers = []
    for formset in formsets:
        if formset.model is not InterestTier:
            continue
        for tier_form in formset.forms:
            cleaned = getattr(tier_form, "cleaned_data", None) or {}
            if not cleaned or formset._should_delete_form(tier_form):
                continue
            tiers.append((cleaned["minimum_balance"], cleaned["rate"]))
        return tiers
    return None
