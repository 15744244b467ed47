"""History in the admin is evidence: it is shown, never restored.

django-simple-history's admin offers, on every history-enabled ModelAdmin, a page per past version
(``<id>/history/<history_id>/``) that *saves* that version on POST ("Revert"), and both its history pages fall
back to the historical rows when the live object is not in ``get_queryset`` — which showed and restored rows of
another branch, and brought deleted rows back. ``EvidenceHistoryAdmin`` is the one base every history-enabled
ModelAdmin uses instead:

- the history list and a past version answer GET and HEAD only; any other method is 405 and writes nothing;
- the object is looked up through the ModelAdmin's own ``get_queryset(request)`` — the scope of its change
  view — so an object outside the staff member's branch, or no longer there, is 404 (no "recover deleted");
- the version must be one of that object's versions (404 otherwise);
- a past version is shown with every field read-only and no Revert button.

``SIMPLE_HISTORY_REVERT_DISABLED`` is set in settings as well, for any history admin outside this base.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseNotAllowed
from simple_history.admin import SimpleHistoryAdmin

READ_METHODS = ("GET", "HEAD")


class EvidenceHistoryAdmin(SimpleHistoryAdmin):
    """A SimpleHistoryAdmin whose history pages only read, within the change view's scope."""

    def revert_disabled(self, request: Any, obj: models.Model | None = None) -> bool:
        return True

    def has_change_history_permission(self, request: Any, obj: models.Model | None = None) -> bool:
        return False

    def _object_in_scope(self, request: Any, object_id: str) -> models.Model:
        """The live object as the change view finds it, or 404; no permission to view it, 403."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id!r} that you may see.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(self, request: Any, object_id: str, extra_context: dict | None = None) -> Any:
        if request.method not in READ_METHODS:
            return HttpResponseNotAllowed(READ_METHODS)
        self._object_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: Any, object_id: str, version_id: str,
                          extra_context: dict | None = None) -> Any:
        if request.method not in READ_METHODS:
            return HttpResponseNotAllowed(READ_METHODS)
        obj = self._object_in_scope(request, object_id)
        versions = getattr(self.model, self.opts.simple_history_manager_attribute)
        try:
            is_version = versions.filter(**{self.opts.pk.attname: obj.pk, "history_id": version_id}).exists()
        except (ValueError, TypeError):  # a malformed version id
            is_version = False
        if not is_version:
            raise Http404(f"No version {version_id!r} of this {self.opts.verbose_name}.")
        return super().history_form_view(request, str(obj.pk), version_id, extra_context)

    def render_history_view(self, request: Any, template: str, context: dict, **kwargs: Any) -> Any:
        shown = context.get("adminform")
        if shown is not None:  # a past version: every field read-only, nothing to submit
            context["adminform"] = helpers.AdminForm(shown.form, list(shown.fieldsets), {},
                                                     flatten_fieldsets(shown.fieldsets), model_admin=self)
            context["has_change_permission"] = False
            context["has_add_permission"] = False
            context["has_delete_permission"] = False
        return super().render_history_view(request, template, context, **kwargs)
