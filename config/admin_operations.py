"""A staff operation on a page of its own in the admin: a form, one submit button, and the service's refusal shown
on the form (nothing written). ``operation_page`` renders it with the admin's look; the ModelAdmin's view validates
the form, calls the service, and redirects on success."""

from typing import Any

from django import forms
from django.contrib.admin import ModelAdmin
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse


def operation_page(model_admin: ModelAdmin, request: HttpRequest, *, form: forms.Form, title: str,
                   submit_label: str, obj: models.Model | None = None, intro: str = "",
                   facts: list[tuple[str, Any]] | None = None, cancel_url: str = "",
                   multipart: bool = False) -> TemplateResponse:
    """The operation's form, under the admin's breadcrumbs (model list, then ``obj`` when there is one).
    ``facts`` are label/value rows shown above the form (what the operation acts on)."""
    return TemplateResponse(request, "admin/operation_form.html", {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts, "original": obj, "title": title, "form": form, "submit_label": submit_label,
        "intro": intro, "facts": facts or [], "cancel_url": cancel_url, "multipart": multipart,
        "media": model_admin.media + form.media,
    })
