from rest_framework.permissions import BasePermission, DjangoModelPermissions


class StaffModelPermissions(DjangoModelPermissions):
    """Staff endpoints: an active staff user whose role holds the model permission (view included)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and super().has_permission(request, view))


class IsStaffUser(BasePermission):
    """Staff actions whose rules (who may decide, on which branch) the service itself enforces."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff and user.is_active)
