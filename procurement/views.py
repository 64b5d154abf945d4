"""Public pages: open tenders, awards, contracts and acceptance results. Never sealed bid
contents, never personal data (acceptance shows how many service recipients took part)."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from core import permissions as perms
from core.display import people
from core.states import allowed_actions
from procurement import queries, services
from procurement.models import Category, Method, Project, Score
from procurement.scoring import rank_bids

# Labels of the actions of procurement.actions; the pages list what the user may do now, the
# API does it (POST /api/v1/procurements/<id>/<action>/, /api/v1/milestones/<id>/<action>/).
ACTION_LABELS = {
    "publish": _("Publish the notice"),
    "open": _("Open the bids"),
    "panel": _("Draw the expert panel"),
    "award": _("Award"),
    "contract": _("Sign the contract"),
    "terminate": _("Terminate the contract"),
    "cancel": _("Cancel the project"),
    "retender": _("Re-tender"),
    "report": _("Report progress"),
    "inspect": _("Inspect"),
    "accept": _("Record the acceptance"),
    "pay": _("Record the payment"),
}


def _labelled(user, obj) -> list[tuple[str, str]]:
    return [(name, ACTION_LABELS[name]) for name in allowed_actions(user, obj)]


def project_list(request):
    projects = queries.visible_projects(request.user).order_by("-published_at", "-id")
    status = request.GET.get("status", "")
    method = request.GET.get("method", "")
    if status in Project.Status.values:
        projects = projects.filter(status=status)
    if method in Method.values:
        projects = projects.filter(method=method)
    page = Paginator(projects, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/project_list.html",
        {
            "page": page,
            "projects": page.object_list,
            "statuses": Project.Status.choices,
            "methods": Method.choices,
            "status": status,
            "method": method,
            "categories": dict(Category.choices),
        },
    )


def project_detail(request, pk: int):
    project = get_object_or_404(queries.visible_projects(request.user), pk=pk)
    award = project.active_awards[0] if project.active_awards else None
    contract = getattr(project, "contract", None)
    scores, ranking = [], []
    if award:
        # Per-expert scores and the ranking are published with the award.
        scores = list(
            Score.objects.filter(project=project)
            .select_related("expert", "criterion", "bid__organization")
            .prefetch_related(people("expert"))
            .order_by("bid_id", "expert_id", "criterion_id")
        )
        ranked = rank_bids(
            evaluation_method=project.evaluation_method,
            bids=list(project.bids.filter(status="submitted").select_related("organization")),
            criteria=list(project.criteria.all()),
            scores=scores,
            panel=sorted({s.expert_id for s in scores}),
        )
        names = {b.pk: b.organization.name for b in project.bids.select_related("organization")}
        ranking = [
            {"rank": r.rank, "name": names.get(r.bid_id, ""), "price": r.price, "total": r.total}
            for r in ranked
        ]
    conflict_flags = []
    if project.published_at and perms.is_official_for(request.user, project.region_code):
        conflict_flags = services.conflict_flags(project)
    milestones = list(contract.milestones.all()) if contract else []
    return render(
        request,
        "procurement/project_detail.html",
        {
            "project": project,
            "award": award,
            "contract": contract,
            "scores": scores,
            "ranking": ranking,
            "actions": _labelled(request.user, project),
            "milestones": [(m, _labelled(request.user, m)) for m in milestones],
            "clawback": getattr(contract, "clawback", None) if contract else None,
            "conflict_flags": conflict_flags,
        },
    )
