"""The incident maps and the needs chart as template tags, so that the incident pages include
them with one line each (``coordination/_map.html``, ``_needs_chart.html``) and they cost the
same few queries whatever the page shows (coordination.maps). The needs both show are read
once per request."""

from django import template

from coordination import maps, queries

register = template.Library()


def _needs(context, incident) -> list:
    """The needs the viewer may see on ``incident`` (all active incidents' confirmed needs
    when None), read once per request for the map and the chart."""
    request = context["request"]
    memo = request.__dict__.setdefault("_tz_map_needs", {})
    key = incident.pk if incident else None
    if key not in memo:
        if incident:
            memo[key] = list(queries.visible_needs(request.user, incident))
        else:
            memo[key] = maps.active_needs()
    return memo[key]


@register.simple_tag(takes_context=True)
def incident_map_data(context, incident=None) -> dict:
    """The map of ``incident`` for the person viewing, or of every active incident."""
    user = context["request"].user
    needs = _needs(context, incident)
    if incident:
        return maps.incident_map(user, incident, needs=needs)
    return maps.incidents_map(user, needs=needs)


@register.simple_tag(takes_context=True)
def needs_chart_option(context, incident=None) -> dict | None:
    """The needs-gap chart of ``incident`` (the needs the viewer may see), or of every active
    incident's confirmed needs."""
    return maps.needs_chart(_needs(context, incident))
