"""Turn an audience (plain values from any app) into the people and organizations it reaches.

Rules (documented in notify's docstring and docs/alerts.md):
- ``organizations`` are taken as named; ``regions`` and ``specialties`` select further
  non-agency organizations and combine with AND (water-rescue teams *in* Ya'an);
- ``roles`` restricts which members of the selected organizations are reached;
- ``officials_for`` adds the officials of verified agencies whose jurisdiction covers the code;
- ``users`` are added as named (active accounts only);
- ``verified_only`` (default true) keeps only verified organizations;
- ``everyone`` (default false) is the explicit confirmation a *manual* alert needs when it names
  no target (no regions, organizations, officials_for, specialties, users) and so goes to the
  official's whole jurisdiction (alerts.services.actions). ``resolve`` itself never widens an
  audience: without a target it reaches nobody.
Unknown keys are refused (a mistyped ``organisations`` must not silently become "everyone").
A fixed number of queries, whatever the size of the audience.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from core import regions as region_rules
from core.roles import Role
from registry.choices import OrganizationKind, Specialty
from registry.models import Capability, Membership, Organization

AUDIENCE_KEYS = {
    "users",
    "organizations",
    "roles",
    "regions",
    "specialties",
    "officials_for",
    "verified_only",
    "everyone",
}

# The keys that name whom an alert is for; an audience with none of them is "everyone".
TARGET_KEYS = ("regions", "organizations", "officials_for", "specialties", "users")


@dataclass
class Recipients:
    user_ids: list[int] = field(default_factory=list)
    organization_ids: list[int] = field(default_factory=list)
    # Set by the manual-alert preview: the audience is the official's whole jurisdiction.
    everyone: bool = False

    @property
    def people(self) -> int:
        return len(self.user_ids)

    @property
    def organizations(self) -> int:
        return len(self.organization_ids)


def _int_list(audience: dict, key: str, errors: dict) -> list[int]:
    values = audience.get(key) or []
    if not isinstance(values, list | tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        errors[key] = [_("A list of ids is expected.")]
        return []
    return list(values)


def clean(audience: Any) -> dict:
    """Validate the shape and the codes of an audience; raise ValidationError field by field."""
    if not isinstance(audience, dict):
        raise ValidationError({"audience": [_("An object is expected.")]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(audience) - AUDIENCE_KEYS)
    if unknown:
        errors["audience"] = [_("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)}]
    cleaned: dict[str, Any] = {
        "users": _int_list(audience, "users", errors),
        "organizations": _int_list(audience, "organizations", errors),
    }
    for key, valid, message in (
        ("roles", set(Role.values), _("Unknown role: %(value)s.")),
        ("specialties", set(Specialty.values), _("Unknown specialty: %(value)s.")),
        ("regions", None, _("Not a 6-digit region code: %(value)s.")),
    ):
        values = audience.get(key) or []
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            errors[key] = [_("A list of strings is expected.")]
            continue
        bad = [
            v
            for v in values
            if (v not in valid if valid is not None else not region_rules.is_valid_code(v))
        ]
        if bad:
            errors[key] = [message % {"value": bad[0]}]
        cleaned[key] = list(values)
    officials_for = audience.get("officials_for") or ""
    if officials_for and not (
        isinstance(officials_for, str) and region_rules.is_valid_code(officials_for)
    ):
        errors["officials_for"] = [
            _("Not a 6-digit region code: %(value)s.") % {"value": officials_for}
        ]
    cleaned["officials_for"] = officials_for if isinstance(officials_for, str) else ""
    verified_only = audience.get("verified_only", True)
    if not isinstance(verified_only, bool):
        errors["verified_only"] = [_("true or false is expected.")]
    cleaned["verified_only"] = verified_only is not False
    everyone = audience.get("everyone", False)
    if not isinstance(everyone, bool):
        errors["everyone"] = [_("true or false is expected.")]
    cleaned["everyone"] = everyone is True
    if errors:
        raise ValidationError(errors)
    return cleaned


def has_target(cleaned: dict) -> bool:
    """Whether a cleaned audience names whom it is for (else it means "everyone")."""
    return any(cleaned[key] for key in TARGET_KEYS)


def selected_organizations(audience: dict) -> list[int]:
    """Ids of the organizations an (already cleaned) audience selects; one query."""
    selector = Q(pk__in=audience["organizations"]) if audience["organizations"] else None
    if audience["regions"] or audience["specialties"]:
        filtered = ~Q(kind=OrganizationKind.AGENCY)
        if audience["regions"]:
            by_region = Q()
            for code in audience["regions"]:
                by_region |= Q(region_code__startswith=region_rules.prefix_of(code))
            filtered &= by_region
        if audience["specialties"]:
            filtered &= Q(
                Exists(
                    Capability.objects.current().filter(
                        organization=OuterRef("pk"), specialty__in=audience["specialties"]
                    )
                )
            )
        selector = filtered if selector is None else selector | filtered
    if selector is None:
        return []
    qs = Organization.objects.filter(selector)
    if audience["verified_only"]:
        qs = qs.filter(status=Organization.Status.VERIFIED)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def resolve(audience: Any) -> Recipients:
    """The people (active users) and organizations an audience reaches."""
    audience = clean(audience)
    org_ids = selected_organizations(audience)
    people: set[int] = set()
    reached_orgs: set[int] = set(org_ids)
    member_filter = Q(organization_id__in=org_ids) if org_ids else None
    if member_filter is not None and audience["roles"]:
        member_filter &= Q(role__in=audience["roles"])
    if audience["officials_for"]:
        officials = Q(
            role=Role.OFFICIAL,
            organization__kind=OrganizationKind.AGENCY,
            organization__status=Organization.Status.VERIFIED,
            organization__region_code__in=region_rules.ancestors(audience["officials_for"]),
        )
        member_filter = officials if member_filter is None else member_filter | officials
    if member_filter is not None:
        for user_id, org_id in Membership.objects.filter(
            member_filter, user__is_active=True
        ).values_list("user_id", "organization_id"):
            people.add(user_id)
            reached_orgs.add(org_id)
    if audience["users"]:
        people.update(
            get_user_model()
            .objects.filter(pk__in=audience["users"], is_active=True)
            .values_list("pk", flat=True)
        )
    return Recipients(user_ids=sorted(people), organization_ids=sorted(reached_orgs))
