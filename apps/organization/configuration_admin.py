"""The admin side of configuration under maker-checker: saving a configuration row proposes the change.

A ModelAdmin with this mixin implements ``propose_change``, which calls its domain's proposing service. Saving
the form (and its inlines) then saves nothing: the service records an approval request with the before/after
diff, and the page says so. A refusal by the service is shown as an error and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from apps.domain_errors import DomainError
from apps.organization.models import ApprovalRequest


class ConfigurationChangeAdminMixin:
    # False: adding a row saves it as usual (a new ledger account holds no money); only changes are proposed.
    proposes_additions = True

    def _proposes(self, change: bool) -> bool:
        return change or self.proposes_additions

    def propose_change(self, request: Any, proposed: Any, form: Any, formsets: list[Any]) -> ApprovalRequest:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        """Nothing is saved here: ``save_related`` proposes the row with its inlines."""
        if not self._proposes(change):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if not self._proposes(change):
            return super().save_related(request, form, formsets, change)
        try:
            request._configuration_approval = self.propose_change(request, form.instance, form, formsets)
        except DomainError as error:
            request._configuration_refusal = str(error)

    def construct_change_message(self, request, form, formsets, add=False):
        if self._proposes(not add):
            return ""  # the inlines were not saved: there is no change to describe, only the request
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if not self.proposes_additions:
            return super().log_addition(request, obj, message)
        return None  # nothing was added: the approval request is the record

    def log_change(self, request, obj, message):
        return None  # nothing was changed: the approval request is the record

    def _after_proposal(self, request, back_to: str):
        refusal = getattr(request, "_configuration_refusal", None)
        if refusal is not None:
            self.message_user(request, f"Nothing was changed: {refusal}", messages.ERROR)
            return HttpResponseRedirect(request.path)
        approval = getattr(request, "_configuration_approval", None)
        if approval is None:
            return HttpResponseRedirect(back_to)
        link = reverse("admin:organization_approvalrequest_change", args=[approval.pk])
        self.message_user(request, f"Nothing is changed yet: the change waits for a second person's approval as "
                                   f"request #{approval.pk} ({link}).", messages.WARNING)
        return HttpResponseRedirect(back_to)

    def response_add(self, request, obj, post_url_continue=None):
        if not self.proposes_additions:
            return super().response_add(request, obj, post_url_continue)
        return self._after_proposal(request, reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def response_change(self, request, obj):
        return self._after_proposal(request, request.path)
