"""The admin home's "Waiting for you" panel: the work queues the domains register (apps/work_queues.py), for
the logged-in staff member, each only where their role may act on it."""

from django import template

from apps.work_queues import work_waiting_for

register = template.Library()


@register.inclusion_tag("organization/waiting_for_you.html", takes_context=True)
def waiting_for_you(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"queues": None}
    return {"queues": work_waiting_for(user)}
