"""A currency list filter that offers the currencies the bank uses, not the fifty of ISO 4217 that a field's
choices would list: ``list_filter = [currency_filter()]``, or ``currency_filter("product__currency")`` where
the currency is a related row's."""

from django.contrib import admin

from apps.ledger.selectors import currencies_in_use


def currency_filter(field: str = "currency") -> type[admin.SimpleListFilter]:
    class CurrencyInUseFilter(admin.SimpleListFilter):
        title = "currency"
        parameter_name = field

        def lookups(self, request, model_admin):
            return [(code, code) for code in currencies_in_use()]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset
    return CurrencyInUseFilter
