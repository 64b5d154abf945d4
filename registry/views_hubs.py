"""Pages of hubs (枢纽型组织): the hub's page with its vouched teams and member organizations,
vouching for a team, hub membership by consent, and the official's designation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions as perms
from core.forms import REFUSED_TAG
from core.roles import Role
from core.states import InvalidTransition
from registry import forms_hubs, queries
from registry import services as reg
from registry.api.hubs import visible_links, visible_vouched_teams
from registry.models import HubLink, Organization
from registry.views import _apply_errors, page_messages


def _refused(request, error: Exception) -> None:
    """A service's refusal as messages (tagged ``REFUSED_TAG`` for a PermissionDenied)."""
    if isinstance(error, PermissionDenied):
        messages.error(request, str(error) or _("You may not do this."), extra_tags=REFUSED_TAG)
    elif isinstance(error, ValidationError):
        errors = (
            [e for errs in error.error_dict.values() for e in errs]
            if hasattr(error, "error_dict")
            else error.error_list
        )
        for msg in page_messages(errors):
            messages.error(request, msg)
    else:
        messages.error(request, getattr(error, "message", str(error)))


def my_hubs(user) -> list[Organization]:
    return [o for o in queries.acting_organizations(user) if o.is_hub]


@login_required
def hubs(request):
    """One page for everyone concerned: a hub's members see its teams and member organizations;
    an organization's admins their hub memberships; officials the hubs and vouched teams in their
    jurisdiction."""
    user = request.user
    mine = my_hubs(user)
    admin_of = set(perms.organization_ids(user, roles=[Role.ADMIN]))
    links = list(visible_links(user).order_by("status", "-created_at"))
    for link in links:
        answering = link.member_id if link.proposed_by_hub else link.hub_id
        proposing = link.hub_id if link.proposed_by_hub else link.member_id
        waiting = link.status == HubLink.Status.PROPOSED
        link.may_answer = waiting and answering in admin_of
        link.may_cancel = waiting and proposing in admin_of
        link.may_end = link.status == HubLink.Status.ACCEPTED and (
            link.hub_id in admin_of or link.member_id in admin_of
        )
    scope = Q(pk__in=[])
    for prefix in perms.jurisdiction_prefixes(user):
        scope |= Q(region_code__startswith=prefix)
    official_hubs = (
        Organization.objects.filter(scope, is_hub=True)
        .annotate(teams=Count("vouched_teams"))
        .order_by("name")
        if perms.is_official(user)
        else []
    )
    teams = visible_vouched_teams(user).annotate(people_count=Count("people"))
    joinable = []
    own_orgs = [
        o
        for o in queries.acting_organizations(user, roles=[Role.ADMIN])
        if not o.is_hub and not o.is_vouched
    ]
    if own_orgs:
        joinable = Organization.objects.filter(
            is_hub=True, status=Organization.Status.VERIFIED
        ).order_by("name")
    admin_hubs = [h for h in mine if h.pk in admin_of]
    invitable = (
        queries.public_organizations().filter(is_hub=False).order_by("name")[:500]
        if admin_hubs
        else []
    )
    if not (mine or links or official_hubs or own_orgs):
        raise PermissionDenied
    return render(
        request,
        "registry/hubs.html",
        {
            "my_hubs": mine,
            "admin_hubs": admin_hubs,
            "links": links,
            "teams": list(teams.prefetch_related(None).select_related("vouched_by")),
            "official_hubs": official_hubs,
            "own_orgs": own_orgs,
            "joinable": joinable,
            "invitable": invitable,
        },
    )


@login_required
def vouch_team(request):
    mine = my_hubs(request.user)
    if not mine:
        raise PermissionDenied
    form = forms_hubs.VouchTeamForm(request.POST or None, hubs=mine)
    if request.method == "POST" and form.is_valid():
        try:
            team = reg.vouch_team(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        except PermissionDenied as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("%(team)s is registered with the reference %(ref)s.")
                % {"team": team.name, "ref": team.hub_reference},
            )
            return redirect("registry:organization_detail", team.pk)
    return render(
        request,
        "registry/form.html",
        {"form": form, "heading": _("Vouch for a grassroots team")},
    )


@login_required
def team_detail(request, pk: int):
    """A vouched team's page for its hub and the officials: the roster (people the hub added)
    and, for the hub's members, the form adding a person (``POST``; the API's twin is ``POST
    /api/v1/vouched-teams/{id}/people/``). Others see why they may not add anyone."""
    team = get_object_or_404(visible_vouched_teams(request.user).prefetch_related(None), pk=pk)
    refusal = reg.team_roster_refusal(request.user, team)
    form = forms_hubs.AddTeamMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            person = reg.add_team_member(team=team, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        except PermissionDenied as error:
            _refused(request, error)
        else:
            messages.success(
                request,
                _("%(name)s is on the roster of %(team)s.")
                % {"name": person.name, "team": team.name},
            )
            return redirect("registry:hub_team", team.pk)
    return render(
        request,
        "registry/hub_team.html",
        {
            "team": team,
            "people": list(team.people.order_by("name", "id")),
            "form": form,
            "refusal": refusal,
        },
    )


@require_POST
@login_required
def propose_link(request):
    """A hub admin invites an organization, or an organization's admin asks to join a hub."""
    hub = get_object_or_404(Organization, pk=request.POST.get("hub") or 0, is_hub=True)
    member = get_object_or_404(
        queries.visible_organizations(request.user), pk=request.POST.get("member") or 0
    )
    try:
        reg.propose_hub_link(
            hub=hub,
            member=member,
            by=request.user,
            from_hub=perms.is_org_admin(request.user, hub),
        )
    except (ValidationError, PermissionDenied, InvalidTransition) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Proposal sent: the other side's admin answers it."))
    return redirect("registry:hubs")


LINK_ACTIONS = {
    "accept": (reg.accept_hub_link, _("Joined: the organization is now a member of the hub.")),
    "decline": (reg.decline_hub_link, _("Declined.")),
    "cancel": (reg.cancel_hub_link, _("Proposal withdrawn.")),
    "end": (reg.end_hub_link, _("Membership ended.")),
}


@require_POST
@login_required
def link_action(request, pk: int, action: str):
    if action not in LINK_ACTIONS:
        raise Http404
    link = get_object_or_404(visible_links(request.user), pk=pk)
    service, success = LINK_ACTIONS[action]
    try:
        service(link=link, by=request.user)
    except (ValidationError, PermissionDenied, InvalidTransition) as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return redirect("registry:hubs")


@require_POST
@login_required
def designate(request, pk: int):
    """An official designates an organization a hub (``is_hub=1``) or withdraws it."""
    org = get_object_or_404(queries.visible_organizations(request.user), pk=pk)
    try:
        reg.designate_hub(
            organization=org, by=request.user, is_hub=request.POST.get("is_hub") == "1"
        )
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("registry:organization_detail", args=[pk]))
