"""The talent pool: people an organization can send (skills, certifications, availability)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import permissions as perms
from core.roles import ACTING_ROLES
from registry.models import Organization, Person
from registry.services.common import (
    PERSON_FIELDS,
    _audit,
    _check_region,
)


def _clean_person(values: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in values.items() if k in PERSON_FIELDS}
    if "skills" in values:
        values["skills"] = [str(s).strip() for s in values["skills"] or [] if str(s).strip()]
    if values.get("region_code"):
        _check_region(values["region_code"])
    return values


def _skills_index(skills: list[str]) -> str:
    return ("," + ",".join(s.lower() for s in skills) + ",")[:500] if skills else ""


def add_person(*, organization: Organization, by, **values) -> Person:
    """A member of the organization adds a person to its talent pool."""
    if not perms.is_member_of(by, organization, roles=ACTING_ROLES):
        raise PermissionDenied(_("Only members of this organization may add people to it."))
    values = _clean_person(values)
    values.setdefault("region_code", organization.region_code)
    values["region_code"] = values["region_code"] or organization.region_code
    with transaction.atomic():
        person = Person(organization=organization, **values)
        person.skills_index = _skills_index(person.skills)
        person.full_clean(exclude=["organization"])
        person.save()
        _audit(organization, actor=by, action="registry.add_person", target=person)
    return person


def update_person(*, person: Person, by, changes: dict[str, Any]) -> Person:
    """A member of the person's organization edits the entry."""
    org = person.organization
    if not perms.is_member_of(by, org, roles=ACTING_ROLES):
        raise PermissionDenied(_("Only members of this organization may edit its people."))
    changes = _clean_person(changes)
    with transaction.atomic():
        for field, value in changes.items():
            setattr(person, field, value)
        person.skills_index = _skills_index(person.skills)
        person.full_clean(exclude=["organization"])
        person.save()
        _audit(
            org,
            actor=by,
            action="registry.update_person",
            target=person,
            data={"fields": sorted(changes)},
        )
    return person


def remove_person(*, person: Person, by) -> None:
    """A member of the person's organization removes the entry."""
    org = person.organization
    if not perms.is_member_of(by, org, roles=ACTING_ROLES):
        raise PermissionDenied(_("Only members of this organization may edit its people."))
    with transaction.atomic():
        _audit(org, actor=by, action="registry.remove_person", target=person)
        person.delete()
