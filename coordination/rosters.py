"""Rosters of deployment filings (报备名单) and their insurance.

A filing names the people of the organization's talent pool it sends (``RosterEntry``). For a
filing in a high-risk specialty (``TONGZHOU_HIGH_RISK_SPECIALTIES``) everyone on the roster must
have accident cover (``registry.InsurancePolicy.accident_amount``) for the filing's dates; if
someone has none, the official sees who and may approve only with a reason.

Decisions the issue leaves open:
- A filing's dates are the arrival day through arrival day + ``self_sufficiency_days`` (the days
  the team says it can stay on its own; at least the arrival day), in local time.
- The roster is optional and may be shorter than the headcount (people not yet named), never
  longer; the incident page counts the people named as insured or uninsured and the rest as
  not named.
- Only accident cover (意外伤害) counts; medical and liability cover are shown, not required.
- The filing organization names its people again later (``services.set_roster``: page
  ``/deployments/<id>/roster/``, API ``POST /api/v1/deployments/{id}/roster/``), reached from
  the "your filing" card of the incident's overview; an approved high-risk filing takes no
  newcomer without accident cover (the official approved the roster as it was).
"""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.models import Deployment, Incident, RosterEntry
from registry.choices import PersonnelFunction
from registry.models import InsurancePolicy, Organization, Person


def high_risk_specialties() -> set[str]:
    return set(getattr(settings, "TONGZHOU_HIGH_RISK_SPECIALTIES", ()))


def is_high_risk(deployment: Deployment) -> bool:
    return bool(set(deployment.specialties or []) & high_risk_specialties())


def filing_period(deployment: Deployment) -> tuple[date, date]:
    start = timezone.localtime(deployment.arrival_at).date()
    return start, start + timedelta(days=max(deployment.self_sufficiency_days or 0, 0))


def clean_roster(
    organization: Organization, roster: list[dict] | None, headcount: int
) -> list[tuple[Person, str]]:
    """The roster a filing sends, checked: people of the filing organization's talent pool,
    each once, a known role, no more than the headcount. One query."""
    roster = list(roster or [])
    if not roster:
        return []
    ids, roles = [], []
    for row in roster:
        person_id, role = row.get("person"), row.get("role") or PersonnelFunction.RESCUE
        if role not in PersonnelFunction.values:
            raise ValidationError({"roster": [_("Unknown role: %s") % role]})
        ids.append(getattr(person_id, "pk", person_id))
        roles.append(role)
    if len(set(ids)) != len(ids):
        raise ValidationError({"roster": [_("A person is named twice on the roster.")]})
    if len(ids) > headcount:
        raise ValidationError({"roster": [_("The roster names more people than the headcount.")]})
    people = {p.pk: p for p in Person.objects.filter(organization=organization, pk__in=ids)}
    missing = [i for i in ids if i not in people]
    if missing:
        raise ValidationError(
            {"roster": [_("Not people of your organization's talent pool: %s") % missing]}
        )
    return [(people[i], role) for i, role in zip(ids, roles, strict=True)]


def save_roster(deployment: Deployment, roster: list[tuple[Person, str]]) -> None:
    RosterEntry.objects.bulk_create(
        RosterEntry(deployment=deployment, person=person, role=role) for person, role in roster
    )


def _accident_policies() -> Prefetch:
    return Prefetch(
        "person__policies",
        queryset=InsurancePolicy.objects.filter(accident_amount__gt=0).order_by("id"),
        to_attr="accident_policies",
    )


def roster_prefetch() -> Prefetch:
    """Prefetch a filing's roster with each person's accident policies (two queries for any
    number of filings)."""
    return Prefetch(
        "roster",
        queryset=RosterEntry.objects.select_related("person").prefetch_related(
            _accident_policies()
        ),
    )


def _covered(entry: RosterEntry, start: date, end: date) -> bool:
    return any(
        p.valid_from <= start and p.valid_until >= end for p in entry.person.accident_policies
    )


def annotate(filings: list[Deployment]) -> list[Deployment]:
    """Set ``roster_rows`` [(entry, insured)] and ``uninsured`` (names, only for a high-risk
    filing) on filings loaded with ``roster_prefetch()``."""
    for filing in filings:
        start, end = filing_period(filing)
        filing.roster_rows = [(e, _covered(e, start, end)) for e in filing.roster.all()]
        filing.high_risk = is_high_risk(filing)
        filing.uninsured = (
            [e.person.name for e, insured in filing.roster_rows if not insured]
            if filing.high_risk
            else []
        )
    return filings


def uninsured_names(deployment: Deployment) -> list[str]:
    """The people on a high-risk filing's roster without accident cover for its dates."""
    if not is_high_risk(deployment):
        return []
    filing = Deployment.objects.filter(pk=deployment.pk).prefetch_related(roster_prefetch()).get()
    return annotate([filing])[0].uninsured


def require_reason_for_uninsured(deployment: Deployment, reason: str) -> dict[str, Any]:
    """Approving a high-risk filing with uninsured people needs a reason (400 on ``reason``,
    naming them); returns what the audit row keeps."""
    names = uninsured_names(deployment)
    if names and not (reason or "").strip():
        raise ValidationError(
            {
                "reason": [
                    _(
                        "Not insured against accidents for the filing's dates: %(names)s. "
                        "Give a reason to approve anyway."
                    )
                    % {"names": "、".join(names)}
                ]
            }
        )
    return {"uninsured": names} if names else {}


def insurance_by_area(incident: Incident) -> dict[str, dict[str, int]]:
    """Approved and arrived filings' people per area: insured (accident cover for the filing's
    dates), uninsured, and not named on a roster. Three queries."""
    filings = annotate(
        list(
            Deployment.objects.filter(incident=incident, status__in=Deployment.OCCUPYING)
            .only(
                "pk",
                "area_region_code",
                "headcount",
                "specialties",
                "arrival_at",
                "self_sufficiency_days",
            )
            .prefetch_related(roster_prefetch())
        )
    )
    areas: dict[str, dict[str, int]] = {}
    for filing in filings:
        row = areas.setdefault(
            filing.area_region_code, {"insured": 0, "uninsured": 0, "unnamed": 0}
        )
        insured = sum(1 for _entry, ok in filing.roster_rows if ok)
        row["insured"] += insured
        row["uninsured"] += len(filing.roster_rows) - insured
        row["unnamed"] += max(filing.headcount - len(filing.roster_rows), 0)
    return areas


def add_insurance(incident: Incident, on_site: list[dict]) -> list[dict]:
    """Put the insured / uninsured / not named counts on ``queries.people_on_site`` rows."""
    areas = insurance_by_area(incident)
    for row in on_site:
        row.update(areas.get(row["area_region_code"], {"insured": 0, "uninsured": 0, "unnamed": 0}))
    return on_site


def pool_of(organizations) -> list[Person]:
    """The talent pool a filing form offers for the roster (the first 200 by name)."""
    return list(
        Person.objects.filter(organization__in=list(organizations))
        .select_related("organization")
        .order_by("organization_id", "name", "id")[:200]
    )
