"""The directory of responsibilities: an agency's officials keep its rows."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core import permissions as perms
from core.roles import Role
from core.text import check_name
from liaison.models import Function, Responsibility
from registry.choices import OrganizationKind
from registry.queries import acting_organization


def save_responsibility(
    *,
    by: Any,
    function: str,
    unit: str,
    duty_contact: str,
    duty_phone: str,
    duty_hours: str = "",
    public: bool = True,
    agency: Any = None,
) -> Responsibility:
    """Set the agency's row for ``function`` (one row per function: a reorganization edits it).

    Only an official of the agency writes its directory; an official of several agencies names
    one (``agency``)."""
    organization = acting_organization(
        by, agency, roles=(Role.OFFICIAL,), kinds=(OrganizationKind.AGENCY,), field="agency"
    )
    if not perms.is_official_for(by, organization.region_code):
        raise PermissionDenied(_("Only the agency's officials keep its directory."))
    Function(function)  # the serializer or form checked the choice; a caller's typo fails here
    with transaction.atomic():
        row, created = Responsibility.objects.select_for_update().get_or_create(
            agency=organization,
            function=function,
            defaults={"unit": unit, "duty_contact": duty_contact, "duty_phone": duty_phone},
        )
        row.unit = unit.strip()
        row.duty_contact = check_name("duty_contact", duty_contact)
        row.duty_phone = duty_phone.strip()
        row.duty_hours = duty_hours.strip()
        row.public = public
        row.updated_by = by
        row.save()
        audit.record_on(
            row,
            actor=by,
            action="liaison.responsibility.created"
            if created
            else "liaison.responsibility.updated",
            data={"function": function, "unit": row.unit, "public": public},
        )
    return row
