from rest_framework import permissions

from core.roles import Role


class HasRole(permissions.BasePermission):
    """The caller's role must reach the view's `required_role`.

    `required_role` is a role, or a dict from HTTP method to role for views
    whose reads and writes need different roles. Views default to viewer.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        principal = request.user
        if principal is None or not getattr(principal, "is_authenticated", False):
            return False
        return principal.has_role(required_role(view, request.method))


def required_role(view, method: str) -> str:
    required = getattr(view, "required_role", Role.VIEWER)
    if isinstance(required, dict):
        return required.get(method, required.get("*", Role.ADMIN))
    return required
