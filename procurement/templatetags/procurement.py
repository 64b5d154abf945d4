"""``{% load procurement %}``: words for the codes procurement keeps from the registry."""

from django import template

from procurement.models import DIRECTION_SIGNS
from registry.choices import Specialty

register = template.Library()


@register.filter
def specialty(code: str) -> str:
    """``{{ project.eligibility_specialty|specialty }}`` -> 建筑物倒塌搜救."""
    return str(dict(Specialty.choices).get(code, code)) if code else ""


@register.filter
def lookup(mapping, key):
    """``{{ mapping|lookup:key }}`` (a view's dict keyed by a row's id)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def sign(direction: str) -> str:
    """``{{ r.direction|sign }}``: ≥, ≤ or = for an indicator's direction (≥ when unknown: the
    results recorded before indicators had a direction were all "at least")."""
    return DIRECTION_SIGNS.get(direction, "≥")
