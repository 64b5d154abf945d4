"""Turn an audience (plain values from any app) into the people and organizations it reaches.

Rules (documented in notify's docstring and docs/alerts.md):
- ``organizations`` are taken as named; ``regions`` and ``specialties`` select further
  non-agency organizations and combine with AND (water-rescue teams *in* Ya'an);
- ``roles`` restricts which members of the selected organizations are reached;
- ``officials_for`` adds the officials of verified agencies whose jurisdiction covers the code;
- ``users`` are added as named (active accounts only);
- ``verified_only`` (default true) keeps only verified organizations;
- ``kinds`` selects organizations of these kinds (foundations ...), an alternative to
  ``specialties`` (``min_grade``: assessed grade N or better);
- ``basis`` (registered | filings | both, default registered) says whether ``regions`` select
  organizations by their registered region or by the areas of their approved filings
  (``incident`` restricts to one incident's filings); see ``selected_organizations``;
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

from core import hooks
from core import regions as region_rules
from core.roles import Role
from registry.choices import Grade, OrganizationKind, Specialty
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
    "basis",
    "kinds",
    "min_grade",
    "incident",
}

# How ``regions`` select organizations: where they are registered, where their approved
# filings (报备, coordination's Deployment) put their people, or either.
BASIS_REGISTERED, BASIS_FILINGS, BASIS_BOTH = "registered", "filings", "both"
BASES = (BASIS_REGISTERED, BASIS_FILINGS, BASIS_BOTH)
# Kinds an audience may select by (agencies are reached through ``officials_for``).
SELECTABLE_KINDS = [k for k in OrganizationKind.values if k != OrganizationKind.AGENCY]

# The keys that name whom an alert is for; an audience with none of them is "everyone".
TARGET_KEYS = ("regions", "organizations", "officials_for", "specialties", "kinds", "users")


@dataclass
class Recipients:
    user_ids: list[int] = field(default_factory=list)
    organization_ids: list[int] = field(default_factory=list)
    # Set by the manual-alert preview: the audience is the official's whole jurisdiction.
    everyone: bool = False
    # The organization through which each person was reached (the lowest id when several):
    # names in the preview, and whose other members an escalation tries.
    user_orgs: dict[int, int] = field(default_factory=dict)

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
    basis = audience.get("basis") or BASIS_REGISTERED
    if basis not in BASES:
        errors["basis"] = [_("Choose registered, filings or both.")]
    cleaned["basis"] = basis
    kinds = audience.get("kinds") or []
    if not isinstance(kinds, list | tuple) or not all(isinstance(v, str) for v in kinds):
        errors["kinds"] = [_("A list of strings is expected.")]
        kinds = []
    bad_kinds = [k for k in kinds if k not in SELECTABLE_KINDS]
    if bad_kinds:
        errors["kinds"] = [
            _("Not an organization kind to alert: %(value)s.") % {"value": bad_kinds[0]}
        ]
    cleaned["kinds"] = list(kinds)
    min_grade = audience.get("min_grade")
    if min_grade is not None and (
        not isinstance(min_grade, int)
        or isinstance(min_grade, bool)
        or min_grade not in Grade.values
    ):
        errors["min_grade"] = [_("A grade of 1, 2 or 3 is expected.")]
    if min_grade is not None and not cleaned.get("specialties"):
        errors["min_grade"] = [_("A grade applies to specialties: choose at least one.")]
    cleaned["min_grade"] = min_grade
    incident = audience.get("incident")
    if incident is not None and (not isinstance(incident, int) or isinstance(incident, bool)):
        errors["incident"] = [_("An incident id is expected.")]
    cleaned["incident"] = incident
    if errors:
        raise ValidationError(errors)
    return cleaned


def has_target(cleaned: dict) -> bool:
    """Whether a cleaned audience names whom it is for (else it means "everyone")."""
    return any(cleaned[key] for key in TARGET_KEYS)


def filed_organizations(regions: list[str], incident: int | None = None):
    """A lazy queryset of the ids of organizations whose approved filings lie in ``regions``
    (coordination's ``filed_organizations`` hook: alerts sits left of coordination). Used as a
    subquery, so it costs no query of its own. Without coordination installed: nobody."""
    try:
        return hooks.provided("filed_organizations", regions, incident)
    except LookupError:
        return Organization.objects.none().values("pk")


def selected_organizations(audience: dict) -> list[int]:
    """Ids of the organizations an (already cleaned) audience selects; one query.

    ``regions`` select by ``basis``: organizations registered under a region, organizations
    with an approved filing whose area intersects a region (``filings``), or either (``both``).
    ``specialties`` (at ``min_grade`` or better) and ``kinds`` are alternatives to each other
    (water-rescue teams *and* foundations) and combine with the regions by AND."""
    selector = Q(pk__in=audience["organizations"]) if audience["organizations"] else None
    if audience["regions"] or audience["specialties"] or audience["kinds"]:
        filtered = ~Q(kind=OrganizationKind.AGENCY)
        if audience["regions"]:
            registered = Q()
            for code in audience["regions"]:
                registered |= Q(region_code__startswith=region_rules.prefix_of(code))
            filed = Q(pk__in=filed_organizations(audience["regions"], audience["incident"]))
            basis = audience["basis"]
            filtered &= (
                registered
                if basis == BASIS_REGISTERED
                else filed
                if basis == BASIS_FILINGS
                else registered | filed
            )
        what = None
        if audience["specialties"]:
            capabilities = Capability.objects.current().filter(
                organization=OuterRef("pk"), specialty__in=audience["specialties"]
            )
            if audience["min_grade"]:
                capabilities = capabilities.filter(assessed_grade__lte=audience["min_grade"])
            what = Q(Exists(capabilities))
        if audience["kinds"]:
            by_kind = Q(kind__in=audience["kinds"])
            what = by_kind if what is None else what | by_kind
        if what is not None:
            filtered &= what
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
    user_orgs: dict[int, int] = {}
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
            user_orgs[user_id] = min(org_id, user_orgs.get(user_id, org_id))
    if audience["users"]:
        people.update(
            get_user_model()
            .objects.filter(pk__in=audience["users"], is_active=True)
            .values_list("pk", flat=True)
        )
    return Recipients(
        user_ids=sorted(people), organization_ids=sorted(reached_orgs), user_orgs=user_orgs
    )


# The most names a preview lists per channel and list (the counts are always complete).
PREVIEW_NAMES = 200

# Why a person or organization cannot be reached on a channel.
NO_PHONE, SMS_OFF, NO_EMAIL, EMAIL_OFF, NO_WEBHOOK = (
    "no_phone",
    "sms_off",
    "no_email",
    "email_off",
    "no_webhook",
)


def reason_label(reason: str) -> str:
    return {
        NO_PHONE: _("no mobile phone number"),
        SMS_OFF: _("SMS turned off"),
        NO_EMAIL: _("no e-mail address"),
        EMAIL_OFF: _("e-mail turned off"),
        NO_WEBHOOK: _("no webhook"),
    }.get(reason, reason)


def reach_report(recipients: Recipients, channels: list[str] | None = None) -> dict[str, Any]:
    """Who an audience reaches on each channel, by name, and who cannot be reached and why
    (no phone / SMS off / no e-mail / e-mail off / no webhook): what the preview shows before
    sending. Three queries (people with their preferences, organizations, webhooks), whatever
    the audience size; each list names at most ``PREVIEW_NAMES`` and counts everyone.

    It reports a manual alert's rule (the person's master switches); automatic alerts with a
    type follow each person's per-type choice (``alerts.preferences``)."""
    from alerts.models import Channel, Preference, Webhook

    channels = list(channels or Channel.values)
    orgs = dict(
        Organization.objects.filter(pk__in=recipients.organization_ids).values_list("pk", "name")
    )
    users = list(
        get_user_model()
        .objects.filter(pk__in=recipients.user_ids)
        .select_related("alert_preference")
        .order_by("pk")
    )
    report: dict[str, Any] = {}

    def bucket() -> dict[str, Any]:
        return {"reached": [], "reached_count": 0, "unreachable": [], "unreachable_count": 0}

    def add(entry: dict, key: str, item: dict) -> None:
        entry[f"{key}_count"] += 1
        if len(entry[key]) < PREVIEW_NAMES:
            entry[key].append(item)

    person_channels = [c for c in channels if c != Channel.WEBHOOK]
    for channel in person_channels:
        report[channel] = bucket()
    for user in users:
        pref = getattr(user, "alert_preference", None) or Preference(user=user)
        org_id = recipients.user_orgs.get(user.pk)
        person = {
            "id": user.pk,
            "name": (user.get_full_name() or "").strip() or _("Unnamed member"),
            "organization": orgs.get(org_id, ""),
        }
        for channel in person_channels:
            reason = ""
            if channel == Channel.SMS:
                reason = NO_PHONE if not pref.phone else SMS_OFF if not pref.sms else ""
            elif channel == Channel.EMAIL:
                reason = NO_EMAIL if not user.email else EMAIL_OFF if not pref.email else ""
            if reason:
                add(report[channel], "unreachable", {**person, "reason": reason})
            else:
                add(report[channel], "reached", person)
    if Channel.WEBHOOK in channels:
        entry = report[Channel.WEBHOOK] = bucket()
        hooked = set(
            Webhook.objects.filter(
                organization_id__in=recipients.organization_ids, active=True
            ).values_list("organization_id", flat=True)
        )
        for org_id in recipients.organization_ids:
            item = {"id": org_id, "name": orgs.get(org_id, "")}
            if org_id in hooked:
                add(entry, "reached", item)
            else:
                add(entry, "unreachable", {**item, "reason": NO_WEBHOOK})
    return {
        "people": recipients.people,
        "organizations": recipients.organizations,
        "everyone": recipients.everyone,
        "organization_names": [orgs.get(pk, "") for pk in recipients.organization_ids][
            :PREVIEW_NAMES
        ],
        "channels": report,
    }
