"""Labels for codes the board stores (specialties, subtypes, statuses)."""

from django import template

from coordination.models import NaturalDisasterSubtype, NeedCategory, Task
from registry.choices import Specialty

register = template.Library()

_LABELS = {
    **dict(Specialty.choices),
    **dict(NaturalDisasterSubtype.choices),
    **dict(NeedCategory.choices),
    **dict(Task.Status.choices),
}


@register.filter
def label(code: str) -> str:
    """The translated label of a specialty, subtype, need category or task status code."""
    return _LABELS.get(code, code) if code else ""
