"""``{% load books %}``: the open shortfalls a workspace lists (``_shortfalls.html``)."""

from django import template

from core.states import action_reasons
from donations import queries

register = template.Library()

# The resolutions, in the order the page offers them, each with the action that allows it.
OUTCOMES = (("recover", "recovered"), ("write_off", "written_off"), ("replace", "replaced"))


@register.simple_tag(takes_context=True)
def open_shortfalls_of(context, org):
    """``{% open_shortfalls_of org as rows %}``: the shortfalls ``org`` sent or received that are
    still open, each with the resolutions the signed-in user may record (from
    ``allowed_actions``) and why the others are not possible.

    Who may act depends only on the side (the sender recovers or writes off, the receiver
    signs for a replacement) and every listed row is open, so the reasons are asked once per
    side and shared: the page costs a fixed number of queries however many rows it lists.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    rows, asked = [], {}
    for found in queries.open_shortfalls(organization_id=org.pk):
        allocation = found["allocation"]
        side = "sender" if allocation.holder_id == org.pk else "receiver"
        if side not in asked:
            asked[side] = action_reasons(user, allocation)
        why = asked[side]
        rows.append(
            {
                **found,
                "side": side,
                "outcomes": [(outcome, why.get(action, "")) for action, outcome in OUTCOMES],
                "may": [outcome for action, outcome in OUTCOMES if why.get(action) == ""],
            }
        )
    return rows
