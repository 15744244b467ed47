"""A staff operation on a page of its own in the admin: what it acts on, a form, one submit button, and the
service's refusal shown on the form (nothing written). ``operation_page`` renders it with the admin's look; the
ModelAdmin's view validates the form, calls the service, and redirects on success. ``bulk_action_page`` is the
same page for a list action that asks for something (a reason) before it runs on the selected rows.

Every operation page of the admin is this one template (templates/admin/operation_form.html)."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.admin import ModelAdmin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse


def operation_page(model_admin: ModelAdmin, request: HttpRequest, *, form: forms.Form | None, title: str,
                   submit_label: str, obj: models.Model | None = None, intro: str = "",
                   facts: list[tuple[str, Any]] | None = None, cancel_url: str = "", multipart: bool = False,
                   method: str = "post", crumb: str = "", items: Iterable[Any] = (),
                   hidden: list[tuple[str, Any]] | None = None, status: int = 200) -> TemplateResponse:
    """The operation's form, under the admin's breadcrumbs (model list, then ``obj`` when there is one, then
    ``crumb`` or the title). ``facts`` are label/value rows shown above the form (what the operation acts on);
    ``items`` a list of the rows it will act on; ``hidden`` extra hidden inputs. ``form`` may be None for a page
    that only asks to confirm. A ``method="get"`` form is a read (a download) and carries no CSRF token."""
    return TemplateResponse(request, "admin/operation_form.html", {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts, "original": obj, "title": title, "form": form, "submit_label": submit_label,
        "intro": intro, "facts": facts or [], "cancel_url": cancel_url, "multipart": multipart,
        "method": method.lower(), "crumb": crumb or title, "items": list(items), "hidden": hidden or [],
        "media": model_admin.media + (form.media if form is not None else forms.Media()),
    }, status=status)


def bulk_action_page(model_admin: ModelAdmin, request: HttpRequest, *, form: forms.Form, queryset: models.QuerySet,
                     title: str, submit_label: str, intro: str, describe=str) -> TemplateResponse:
    """The page a list action shows to ask for its form (a reason) before it runs: the selected rows, listed with
    ``describe``, are posted back with the action's name and ``confirm``, so the action runs on the same rows."""
    opts = model_admin.opts
    hidden = [(ACTION_CHECKBOX_NAME, row.pk) for row in queryset]
    hidden += [("action", request.POST.get("action", "")), ("confirm", "yes")]
    return operation_page(model_admin, request, form=form, title=title, submit_label=submit_label, intro=intro,
                          items=[describe(row) for row in queryset], hidden=hidden, crumb=submit_label,
                          cancel_url=reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
