"""Every write of the community app (docs/coordination.md, "Routine needs and projects").

Decisions where the issue is silent:
- Posting a routine need follows incident needs: an official whose jurisdiction covers the area
  posts it confirmed; a verified organization posts it unconfirmed, for an official of the region
  to confirm. No incident, so no "open incident" check.
- A project is posted by a verified non-agency organization (agencies fund, they do not run
  projects here). Its period must not end before it starts; the budget is positive.
- A project addresses only confirmed needs in its own area (the need's region lies in the
  project's), each once, for a quantity of at most the need's quantity. Several projects may
  address one need; the gap chart caps "covered" at what was asked.
- A pledge is a promise, not money: it is NOT a donation-ledger entry (the ledger records money
  when it is received). Funders are verified foundations (admin/member) and verified agencies
  (their officials); an organization does not pledge to its own project. Pledges beyond the
  budget sought are allowed (the page shows "pledged" above "sought").
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import NEED, PROJECT
from community.models import Pledge, Project, ProjectNeed, RoutineNeed
from coordination.models import NeedCategory
from coordination.services.incidents import validate_region
from coordination.services.needs import NeedInput, need_fields
from core import audit, regions
from core import permissions as perms
from core.roles import ACTING_ROLES, Role
from core.states import Conflict
from registry.choices import OrganizationKind
from registry.models import Organization
from registry.queries import acting_organization

NON_AGENCY_KINDS = [k for k in OrganizationKind.values if k != OrganizationKind.AGENCY]


def post_need(*, by: Any, **need: Unpack[NeedInput]) -> RoutineNeed:
    """Post a routine community need (see the module's decisions): an incident need's rule
    (``coordination.services.needs.need_fields``) with the need's own area for the official's
    jurisdiction and a non-agency organization otherwise."""
    fields, _official = need_fields(
        by=by,
        official_region=need["region_code"],
        organization_kinds=NON_AGENCY_KINDS,
        **need,
    )
    with transaction.atomic():
        posted = RoutineNeed.objects.create(**fields)
        audit.record_on(posted, actor=by, action="community.need_posted")
    return posted


def confirm_need(*, need: RoutineNeed, by: Any) -> RoutineNeed:
    """An official whose jurisdiction covers the area confirms an organization's need."""
    NEED["confirm"].who(by, need)
    with transaction.atomic():
        need = RoutineNeed.objects.select_for_update().get(pk=need.pk)
        NEED.check("confirm", by, need)
        need.confirmed_at = timezone.now()
        need.confirmed_by = by
        need.save(update_fields=["confirmed_at", "confirmed_by"])
        audit.record_on(need, actor=by, action="community.need_confirmed")
    return need


def post_project(
    *,
    by: Any,
    title: str,
    region_code: str,
    category: str,
    budget_sought: Decimal,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str,
    beneficiaries: str,
    organization: int | str | Organization | None = None,
) -> Project:
    """A verified (non-agency) organization posts its own project."""
    organization = acting_organization(by, organization, kinds=NON_AGENCY_KINDS)
    if category not in NeedCategory.values:
        raise ValidationError({"category": [_("Unknown need category.")]})
    validate_region(region_code)
    if budget_sought is None or budget_sought <= 0:
        raise ValidationError({"budget_sought": [_("The budget must be more than zero.")]})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The project cannot end before it starts.")]})
    with transaction.atomic():
        project = Project.objects.create(
            organization=organization,
            title=title,
            region_code=region_code,
            category=category,
            budget_sought=budget_sought,
            starts_on=starts_on,
            ends_on=ends_on,
            description=description,
            beneficiaries=beneficiaries,
            posted_by=by,
        )
        audit.record_on(project, actor=by, action="community.project_posted")
    return project


def link_need(*, project: Project, by: Any, need: int | RoutineNeed, quantity: int) -> ProjectNeed:
    """The project's organization says its project addresses ``need`` for ``quantity``."""
    PROJECT["link"].who(by, project)
    need_id = need.pk if isinstance(need, RoutineNeed) else need
    found = RoutineNeed.objects.filter(pk=need_id).first()
    if found is None or not found.is_confirmed:
        raise ValidationError({"need": [_("Choose a confirmed community need.")]})
    if not regions.covers(project.region_code, found.region_code):
        raise ValidationError({"need": [_("The need must lie in the project's area.")]})
    if quantity is None or quantity < 1 or quantity > found.quantity:
        raise ValidationError(
            {"quantity": [_("Between 1 and the need's quantity (%(n)s).") % {"n": found.quantity}]}
        )
    PROJECT.check("link", by, project)
    try:
        with transaction.atomic():
            link = ProjectNeed.objects.create(project=project, need=found, quantity=quantity)
            audit.record_on(
                project,
                actor=by,
                action="community.need_linked",
                data={"need": found.pk, "quantity": quantity},
            )
    except IntegrityError:
        raise Conflict(_("The project already addresses this need.")) from None
    return link


def _funder(by: Any, requested: Any, project: Project) -> Organization:
    """The verified foundation (admin/member) or agency (official) ``by`` pledges for."""
    candidates = [
        m.organization
        for m in perms.memberships(by)
        if m.organization.status == Organization.Status.VERIFIED
        and m.organization_id != project.organization_id
        and (
            (m.organization.kind == OrganizationKind.FOUNDATION and m.role in ACTING_ROLES)
            or (m.organization.kind == OrganizationKind.AGENCY and m.role == Role.OFFICIAL)
        )
    ]
    if requested not in (None, ""):
        wanted = requested.pk if isinstance(requested, Organization) else int(requested)
        for org in candidates:
            if org.pk == wanted:
                return org
        raise PermissionDenied(_("You may not pledge for that organization."))
    if not candidates:
        raise PermissionDenied(_("Only a verified foundation or agency may pledge funding."))
    if len({o.pk for o in candidates}) > 1:
        raise ValidationError({"funder": [_("Say which organization pledges.")]})
    return candidates[0]


def pledge(
    *, project: Project, by: Any, amount: Decimal, note: str = "", funder: Any = None
) -> Pledge:
    """A funder records a pledge to a project (not a ledger entry; see the module)."""
    PROJECT["pledge"].who(by, project)
    organization = _funder(by, funder, project)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": [_("The amount must be more than zero.")]})
    PROJECT.check("pledge", by, project)
    with transaction.atomic():
        made = Pledge.objects.create(
            project=project, funder=organization, amount=amount, note=note, pledged_by=by
        )
        audit.record_on(made, actor=by, action="community.pledged", data={"amount": str(amount)})
    return made
