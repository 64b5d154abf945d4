"""The choice of method: invitations of suppliers (negotiation, consultation, invited tender,
single source) and the after-the-fact review of emergency purchases (政府采购法 Art. 85). The
rules of the small-value route and the legal grounds are in ``procurement.rules``."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.states import InvalidTransition
from procurement.debarment import debarments
from procurement.models import INVITATION_METHODS, Method, Project
from procurement.services.common import record, require_official_for, tell_organizations
from registry.models import Organization


@transaction.atomic
def invite_suppliers(*, project: Project, by: Any, organizations: list[Any]) -> Project:
    """An official of the project invites registered suppliers to a method that takes
    invitations, while it is a draft or its tender is open. Each invitee must be a verified,
    non-agency organization that is not debarred; invitations add to those already made (an
    invitation, once sent, is not taken back). Invited organizations are told when the tender
    is open (at once, or when it is published) and see it among the tenders on their home."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require_official_for(by, project)
    if project.method not in INVITATION_METHODS:
        raise ValidationError(
            {
                "organizations": [
                    _("%(method)s takes no invitations.") % {"method": project.get_method_display()}
                ]
            }
        )
    if project.status not in (Project.Status.DRAFT, Project.Status.TENDERING) or (
        project.status == Project.Status.TENDERING and not project.is_sealed
    ):
        raise InvalidTransition(_("Suppliers can be invited only before the tender closes."))
    ids = sorted({int(getattr(o, "pk", o)) for o in organizations})
    if not ids:
        raise ValidationError({"organizations": [_("Choose at least one supplier.")]})
    found = {
        o.pk: o
        for o in Organization.objects.filter(pk__in=ids, status="verified").exclude(kind="agency")
    }
    unknown = [pk for pk in ids if pk not in found]
    if unknown:
        raise ValidationError(
            {
                "organizations": [
                    _("Not registered, verified suppliers: %(ids)s.") % {"ids": unknown}
                ]
            }
        )
    barred = [found[pk].name for pk, d in debarments(ids).items() if d.debarred]
    if barred:
        raise ValidationError(
            {
                "organizations": [
                    _("Debarred from bidding: %(names)s.") % {"names": "、".join(barred)}
                ]
            }
        )
    if (
        project.method == Method.SINGLE_SOURCE
        and len(set(ids) | set(project.invitees.values_list("pk", flat=True))) > 1
    ):
        raise ValidationError({"organizations": [_("Single source names exactly one supplier.")]})
    already = set(project.invitees.values_list("pk", flat=True))
    new = [pk for pk in ids if pk not in already]
    project.invitees.add(*new)
    record(
        project, by=by, action="suppliers_invited", to_status=project.status, data={"invited": new}
    )
    if project.status == Project.Status.TENDERING and new:
        tell_organizations(
            project,
            new,
            by=by,
            title=lambda: _("You are invited to bid: %(title)s") % {"title": project.title},
        )
    return project


def needs_review(project: Project) -> bool:
    """An emergency purchase, once published, waits for its after-the-fact review."""
    return (
        project.method == Method.EMERGENCY
        and project.published_at is not None
        and project.reviewed_at is None
    )


@transaction.atomic
def review_emergency_purchase(*, project: Project, by: Any, notes: str) -> Project:
    """An official of the project's jurisdiction reviews a published emergency purchase after
    the fact (Art. 85 purchases skip the tender rules, so someone must look afterwards): the
    notes are required and the review is audited; a project is reviewed once."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require_official_for(by, project)
    if project.method != Method.EMERGENCY or project.published_at is None:
        raise InvalidTransition(
            _("Only a published emergency purchase is reviewed after the fact.")
        )
    if project.reviewed_at is not None:
        raise InvalidTransition(_("This emergency purchase has already been reviewed."))
    if not (notes or "").strip():
        raise ValidationError({"notes": [_("Write down what the review found.")]})
    project.reviewed_at = timezone.now()
    project.reviewed_by = by
    project.review_notes = notes.strip()
    project.save(update_fields=["reviewed_at", "reviewed_by", "review_notes", "updated_at"])
    record(
        project, by=by, action="emergency_reviewed", to_status=project.status, reason=notes.strip()
    )
    return project
