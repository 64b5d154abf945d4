"""The talent pool: people an organization can send (skills, certifications, availability)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core import text
from registry.models import Organization, Person
from registry.queries import acting_organization
from registry.services.common import (
    PERSON_FIELDS,
    _audit,
    _check_region,
)


def _require_member(user, org: Organization) -> None:
    try:
        acting_organization(user, org, verified=False)
    except PermissionDenied:
        raise PermissionDenied(
            _("Only members of this organization may edit its people.")
        ) from None


def _clean_person(values: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in values.items() if k in PERSON_FIELDS}
    if "name" in values:
        values["name"] = text.check_name("name", values["name"])
    if "skills" in values:
        values["skills"] = [str(s).strip() for s in values["skills"] or [] if str(s).strip()]
    if values.get("region_code"):
        _check_region(values["region_code"])
    return values


def _skills_index(skills: list[str]) -> str:
    return ("," + ",".join(s.lower() for s in skills) + ",")[:500] if skills else ""


def add_person(*, by, organization: int | str | Organization | None = None, **values) -> Person:
    """A member of the organization adds a person to its talent pool: the organization named, or
    the user's only one (``acting_organization``, any verification status: a pending team keeps
    its pool ready for the day it is verified)."""
    organization = acting_organization(by, organization, verified=False)
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
    _require_member(by, org)
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
    _require_member(by, org)
    with transaction.atomic():
        _audit(org, actor=by, action="registry.remove_person", target=person)
        person.delete()
