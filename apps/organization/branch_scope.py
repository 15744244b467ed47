"""Branch scoping: branch staff see and change only their own branch's rows; bank-wide roles see all.

Mechanism (django-guardian object permissions):
- each branch has a staff group (``Branch.staff_group``), and each branch staff member is in it;
- a branch-scoped row (a customer, a deposit account, a branch's ledger account) gets object permissions
  for its branch's staff group when it is created or moves branch (``grant_branch_access``);
- hot tables declare guardian's *direct foreign-key* permission models (``UserObjectPermissionBase`` /
  ``GroupObjectPermissionBase`` subclasses), so scoping a list is one join, not a query per row;
- model permissions (from roles.py) still decide *what* a role may do; object permissions decide *where*.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.urls import reverse
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from apps.organization.models import Branch, User
from apps.organization.roles import BANK_WIDE_ROLES

SCOPED_ACTIONS = ("view", "change")


def is_bank_wide(user: User) -> bool:
    """Superusers and head-office roles (compliance, audit, operations) work across all branches."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_ogpgy_bank_wide", None)
    if cached is None:
        cached = user.groups.filter(name__in=BANK_WIDE_ROLES).exists()
        user._ogpgy_bank_wide = cached
    return cached


def _perm(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def visible_to(user: User, queryset: models.QuerySet, action: str = "view") -> models.QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action`` ("view" or "change")."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if not user.has_perm(_perm(queryset.model, action)):
        return queryset.none()
    if is_bank_wide(user):
        return queryset
    return _with_object_permission(user, queryset, action)


def _with_object_permission(user: User, queryset: models.QuerySet, action: str) -> models.QuerySet:
    """The rows on which ``user``, or one of their groups, holds the object permission ``action``.

    For a model with guardian's direct foreign-key permission tables: an EXISTS per row on each (one probe of
    the (group, permission, object) unique index), so a list's first page reads about a page's worth of rows.
    guardian's ``get_objects_for_user`` (the same rows) first collects every permitted id (a branch's 200,000
    on the bench bank) into a hash, on every list. Other models: guardian's query."""
    model = queryset.model
    group_permissions, user_permissions = get_group_obj_perms_model(model), get_user_obj_perms_model(model)
    if group_permissions.objects.is_generic() or user_permissions.objects.is_generic():
        return get_objects_for_user(user, _perm(model, action), queryset, accept_global_perms=False)
    permission = Permission.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                           codename=f"{action}_{model._meta.model_name}").values("id")[:1]
    by_group = group_permissions.objects.filter(content_object=OuterRef("pk"), permission_id=Subquery(permission),
                                                group_id__in=user.groups.values("id"))
    by_user = user_permissions.objects.filter(content_object=OuterRef("pk"), permission_id=Subquery(permission),
                                              user_id=user.pk)
    return queryset.filter(Exists(by_group) | Exists(by_user))


def can_access(user: User, obj: models.Model, action: str = "view") -> bool:
    if not user.is_authenticated or not user.has_perm(_perm(type(obj), action)):
        return False
    return is_bank_wide(user) or user.has_perm(_perm(type(obj), action), obj)


def grant_branch_access(*, objects: Iterable[models.Model] | models.QuerySet, branch: Branch,
                        previous_branch: Branch | None = None) -> None:
    """Give ``branch``'s staff view and change on ``objects`` (and take them from ``previous_branch``)."""
    objects = list(objects)
    if not objects:
        return
    model = type(objects[0])
    if previous_branch is not None and previous_branch.staff_group_id:
        for action in SCOPED_ACTIONS:
            for obj in objects:
                remove_perm(_perm(model, action), previous_branch.staff_group, obj)
    if not branch.staff_group_id:
        return
    group_permissions = get_group_obj_perms_model(model)
    if group_permissions.objects.is_generic():
        queryset = model._default_manager.filter(pk__in=[obj.pk for obj in objects])
        for action in SCOPED_ACTIONS:
            assign_perm(_perm(model, action), branch.staff_group, queryset)
        return
    # A direct foreign-key permission table (the hot ones): both permissions in one read, every row in one insert;
    # a row the group already holds is left as it is (the table's unique (group, permission, object)).
    permissions = Permission.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                            codename__in=[f"{action}_{model._meta.model_name}"
                                                          for action in SCOPED_ACTIONS])
    group_permissions.objects.bulk_create(
        [group_permissions(group_id=branch.staff_group_id, permission=permission, content_object_id=obj.pk)
         for permission in permissions for obj in objects], ignore_conflicts=True)


class BranchScopedAdminMixin:
    """Admin lists and change forms limited to the rows the staff member's branch may see."""

    def get_queryset(self, request: Any) -> models.QuerySet:
        return visible_to(request.user, super().get_queryset(request), "view")

    def has_view_permission(self, request: Any, obj: models.Model | None = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return can_access(request.user, obj, "view") or can_access(request.user, obj, "change")

    def has_change_permission(self, request: Any, obj: models.Model | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return can_access(request.user, obj, "change")

    def _get_obj_does_not_exist_redirect(self, request: Any, opts: Any, object_id: str) -> HttpResponseRedirect:
        """A row outside the staff member's branch is looked up in their branch's rows only, so it is "not
        found" -- Django would say it "doesn't exist. Perhaps it was deleted?". Branch staff are told instead
        that it is not among their branch's records; the same words whether the row exists elsewhere or not at
        all, so nothing is said about other branches. (Django's one hook for that message, for the change,
        delete and history pages.) Bank-wide roles see every row: for them a missing row is missing."""
        if is_bank_wide(request.user):
            return super()._get_obj_does_not_exist_redirect(request, opts, object_id)
        messages.warning(request, f"{opts.verbose_name.capitalize()} with ID “{object_id}” is not among your "
                                  "branch's records: it belongs to another branch, or does not exist. Staff of "
                                  "its branch or of head office can open it.")
        return HttpResponseRedirect(reverse("admin:index", current_app=self.admin_site.name))
