"""The customer page's sections ("customer 360"): what each domain shows of one customer on its admin page.

Customers sit low in the layers, so the apps above them (KYC, accounts, payments) add their part of the page
from their AppConfig.ready()::

    register_customer_page_section("accounts.accounts", accounts_section, order=100)

A section is ``section(request, customer) -> CustomerPageSection | None``: None when the staff member may not
see that part, else a title, the template that renders it and that template's context. A section reads through
its app's selectors in a few queries whatever the number of rows (the page's query count is tested).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from apps.customers.models import Customer


@dataclass(frozen=True)
class CustomerPageSection:
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    anchor: str = ""


SectionReport = Callable[[HttpRequest, Customer], "CustomerPageSection | None"]
_SECTIONS: dict[str, tuple[int, SectionReport]] = {}


def register_customer_page_section(name: str, section: SectionReport, *, order: int) -> SectionReport:
    _SECTIONS[name] = (order, section)
    return section


def customer_page_sections(request: HttpRequest, customer: Customer) -> list[CustomerPageSection]:
    ordered = sorted(_SECTIONS.items(), key=lambda entry: (entry[1][0], entry[0]))
    return [shown for _, (_, section) in ordered if (shown := section(request, customer)) is not None]
