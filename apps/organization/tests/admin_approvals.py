"""Maker-checker through the admin, for tests of any app: the checker's queue and its approve action."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from apps.organization.models import ApprovalRequest


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def approve_in_admin(checker, approval: ApprovalRequest):
    """The checker selects the request in Approval requests and runs "Approve"; returns the response."""
    return admin_client(checker).post(reverse("admin:organization_approvalrequest_changelist"),
                                      {"action": "approve", "_selected_action": [approval.pk]}, follow=True)


def pending_request(operation: str) -> ApprovalRequest:
    return ApprovalRequest.objects.get(operation=operation, state=ApprovalRequest.State.PENDING)


def change_form_data(response, **changes) -> dict:
    """What submitting an admin add/change page as shown would post (its form and inline formsets), with
    ``changes`` applied: ``field=value``, a checkbox True/False, an inline field as ``"prefix-0-field"``."""
    from django.forms import CheckboxInput

    data: dict = {}

    def put(form, name, field):
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)

    form = response.context["adminform"].form
    for name, field in form.fields.items():
        put(form, name, field)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for name, field in formset.management_form.fields.items():
            put(formset.management_form, name, field)
        for inline_form in formset.forms:
            for name, field in inline_form.fields.items():
                put(inline_form, name, field)
    for key, value in changes.items():
        if value is False:
            data.pop(key, None)
        else:
            data[key] = "on" if value is True else value
    return data
