from django import template

register = template.Library()


@register.filter
def role_in(principal, workspace) -> str:
    """`{{ request.principal|role_in:workspace }}`: the caller's role there ("" when none)."""
    return principal.role_in(workspace.pk) if principal is not None else ""
