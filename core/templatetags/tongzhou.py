from django import template

from core import display
from core.queries import history_for
from core.states import action_reasons, allowed_actions

register = template.Library()


@register.filter
def display_name(user):
    """``{{ user|display_name }}``: name, organization and role, never the username
    (core.display)."""
    return display.display_name(user) or "—"


@register.inclusion_tag("core/_history.html")
def history(obj):
    """The audit trail of ``obj``: ``{% history object %}`` on any detail page (one query)."""
    return {"events": list(history_for(obj)[:100])}


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for filters and pagination)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def actions_for(context, obj):
    """``{% actions_for obj as actions %}``: what the signed-in user may do with ``obj`` now
    (``core.states.allowed_actions``); a template renders a button per name, never decides."""
    request = context.get("request")
    return allowed_actions(getattr(request, "user", None), obj)


@register.simple_tag(takes_context=True)
def action_reasons_for(context, obj):
    """``{% action_reasons_for obj as why %}``: action -> why it is not possible ("" if it is)."""
    request = context.get("request")
    return action_reasons(getattr(request, "user", None), obj)
