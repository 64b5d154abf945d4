from django import template
from django.utils.html import format_html

from core import audit_words, display, words
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
    """The audit trail of ``obj`` in sentences (core.audit_words): ``{% history object %}`` on
    any detail page (a fixed number of queries)."""
    return {"events": audit_words.describe(history_for(obj)[:100], obj)}


@register.simple_tag
def audit_sentences(events):
    """``{% audit_sentences page as rows %}``: events of many objects with ``.sentence`` set
    (core.audit_words.describe; one query per kind of object on the page)."""
    return audit_words.describe(events)


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


# Words, not codes (core.words): {{ code|region }}, {{ amount|money }}, {{ when|when }} ...


@register.filter
def region(code):
    """``{{ code|region }}``: ``<span title="511826">四川省 雅安市 宝兴县</span>``."""
    if not code:
        return "—"
    return format_html('<span class="region" title="{}">{}</span>', code, words.region_path(code))


@register.filter
def region_path(code):
    """``{{ code|region_path }}``: the full name path as plain text (for titles, attributes)."""
    return words.region_path(code) if code else ""


@register.filter
def region_name(code):
    """``{{ code|region_name }}``: the region's own short name, ``宝兴县``."""
    return words.region_name(code) if code else ""


@register.filter
def money(value, currency="CNY"):
    """``{{ amount|money }}`` -> ``¥8,500``; ``{{ amount|money:"USD" }}`` -> ``8,500 USD``."""
    return words.money(value, currency)


@register.filter
def number(value, places=None):
    """``{{ n|number }}`` -> ``12,345``; ``{{ n|number:2 }}`` -> ``12,345.00``."""
    return words.number(value, None if places in (None, "") else int(places))


@register.filter
def quantity(value, unit=""):
    """``{{ line.quantity|quantity:line.unit }}`` -> ``1,200 箱``."""
    return words.quantity(value, unit)


@register.filter(name="when")
def when(value):
    """``{{ dt|when }}`` -> ``2026年12月26日 06:47`` (local time, to the minute)."""
    return words.datetime_text(value) or "—"


@register.filter
def day(value):
    """``{{ d|day }}`` -> ``2026年12月26日``."""
    return words.date_text(value) or "—"


@register.filter
def distance(metres):
    """``{{ metres|distance }}`` -> ``850 米`` / ``3.2 公里``."""
    return words.distance(metres)


@register.filter
def closeness(steps):
    """``{{ s.distance|closeness }}``: a region-hierarchy distance (0-3) as words, ``同市``."""
    return words.closeness(steps)


@register.inclusion_tag("core/_stepper.html")
def stepper(steps, aria_label=""):
    """``{% stepper steps %}``: where a multi-step object is and what comes next.

    ``steps`` is ``core.words.steps(order, current, labels, stopped=...)`` output (or any list of
    ``{"key", "label", "state", "hint"?}`` with state ``done|current|next|stopped``)."""
    return {"steps": steps, "aria_label": aria_label}


@register.simple_tag(takes_context=True)
def language_url(context, code: str) -> str:
    """This page's address in language ``code``: its path and query with ``lang=<code>``
    (``core.middleware.QueryStringLanguageMiddleware`` switches and remembers the choice).

    The language switcher is this link, not a form posting to ``set_language``: a form needs a
    CSRF token, which made every public page differ per visitor (the public cache filled in a
    freshly masked token on each hit, and such a page may only be ``Cache-Control: private``).
    Choosing a language changes nothing but the visitor's own cookie, so a link is enough."""
    request = context.get("request")
    if request is None:
        return f"?lang={code}"
    query = request.GET.copy()
    query["lang"] = code
    return f"{request.path}?{query.urlencode()}"
