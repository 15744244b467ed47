"""Staff read access to the ledger, scoped to the staff member's branch."""

import django_filters
from rest_framework import viewsets

from apps.ledger.api.serializers import JournalEntrySerializer, LedgerAccountSerializer
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.ledger.selectors import (
    entries_with_postings,
    journal_entries_visible_to,
    ledger_accounts_visible_to,
    with_current_balance,
)
from config.api.permissions import StaffModelPermissions


class LedgerAccountFilter(django_filters.FilterSet):
    class Meta:
        model = LedgerAccount
        fields = {"type": ["exact"], "currency": ["exact"], "status": ["exact"], "code": ["exact", "startswith"]}


class LedgerAccountViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LedgerAccountSerializer
    permission_classes = [StaffModelPermissions]
    filterset_class = LedgerAccountFilter
    queryset = LedgerAccount.objects.none()  # for the schema and the model permission check
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        accounts = ledger_accounts_visible_to(self.request.user,
                                              LedgerAccount.objects.select_related("branch").order_by("code"))
        return with_current_balance(accounts)


class JournalEntryFilter(django_filters.FilterSet):
    business_date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte")
    business_date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte")
    account = django_filters.CharFilter(field_name="postings__account__code", distinct=True)

    class Meta:
        model = JournalEntry
        fields = ["source", "reference"]


class JournalEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Journal entries touching at least one account the staff member may see."""

    serializer_class = JournalEntrySerializer
    permission_classes = [StaffModelPermissions]
    filterset_class = JournalEntryFilter
    queryset = JournalEntry.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return journal_entries_visible_to(self.request.user, entries_with_postings()).order_by("-id")
