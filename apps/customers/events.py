"""The payload every customer event carries (``customer.*``, and ``kyc.*`` about a customer), beside the events:
who the customer is, where, and their KYC and premium state when the event was written."""

from __future__ import annotations

from typing import Any

from apps.customers.models import Customer


def customer_event_payload(customer: Customer) -> dict[str, Any]:
    return {"customer_id": customer.pk, "branch_id": customer.branch_id, "branch_code": customer.branch.code,
            "customer_type": customer.customer_type, "kyc_status": customer.kyc_status,
            "is_premium": customer.is_premium}
