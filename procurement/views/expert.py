"""The expert's pages: 我的评审 (the panels they sit on) and the scoring sheet of one project,
each bid on each non-price factor, with the conflict-of-interest declaration."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.forms import REFUSED_TAG
from core.states import InvalidTransition
from procurement import queries, services
from procurement.forms import ScoreForm
from procurement.models import Bid, CriterionKind, Project, Score
from procurement.views import common


@require_safe
@login_required
def my_panels(request):
    """我的评审: every panel the expert sits on, how much of the sheet is filled, and a link to
    it (three queries whatever the number of panels)."""
    rows = list(queries.panels_of(request.user))
    ids = [r.project_id for r in rows]
    scored = dict(
        Score.objects.filter(expert=request.user, project_id__in=ids, bid__status="submitted")
        .values_list("project_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sizes = {
        p.pk: p.valid * p.factors
        for p in Project.objects.filter(pk__in=ids).annotate(
            valid=Count("bids", filter=Q(bids__status=Bid.Status.SUBMITTED), distinct=True),
            factors=Count("criteria", filter=~Q(criteria__kind=CriterionKind.PRICE), distinct=True),
        )
    }
    for r in rows:
        r.scored = scored.get(r.project_id, 0)
        r.needed = sizes.get(r.project_id, 0)
    return render(request, "procurement/my_panels.html", {"rows": rows})


def _sheet(request, project):
    bids = list(
        Bid.objects.filter(project=project, status=Bid.Status.SUBMITTED)
        .select_related("organization")
        .order_by("id")
    )
    criteria = list(project.criteria.exclude(kind=CriterionKind.PRICE).order_by("id"))
    mine = {
        (s.bid_id, s.criterion_id): s.score
        for s in Score.objects.filter(project=project, expert=request.user)
    }
    return bids, criteria, mine


@require_http_methods(["GET", "POST"])
@login_required
def score(request, pk: int):
    """The scoring sheet: only the project's panel experts, only once the bids are open. Every
    cell is one ``submit_score`` call, after the form has checked every cell's range and the
    declaration."""
    project = common.project_or_404(request, pk)
    if not queries.is_panel_expert(request.user, project):
        raise Http404
    bids, criteria, mine = _sheet(request, project)
    if request.method == "POST":
        form = ScoreForm(request.POST, bids=bids, criteria=criteria)
        if form.is_valid():
            try:
                # One service call per cell, each its own transaction: a conflicted expert's
                # refusal is audited by the service even though nothing is scored (an outer
                # transaction would roll that record back). The form has checked every range.
                for name, bid, criterion in form.cells:
                    services.submit_score(
                        project=project,
                        by=request.user,
                        bid=bid,
                        criterion=criterion,
                        score=form.cleaned_data[name],
                    )
            except ValidationError as error:
                messages.error(request, common.error_text(error))
            except InvalidTransition as error:
                messages.error(request, common.error_text(error))
            except PermissionDenied as error:
                messages.error(request, common.error_text(error), extra_tags=REFUSED_TAG)
            else:
                messages.success(request, _("Your scores were saved."))
                return HttpResponseRedirect(request.path)
        status = 400
    else:
        form = ScoreForm(bids=bids, criteria=criteria, mine=mine)
        status = 200
    return render(
        request,
        "procurement/score_form.html",
        {
            "project": project,
            "form": form,
            "bids": bids,
            "criteria": criteria,
            "my_scores": [
                (b.organization.name, c.name, mine[(b.pk, c.pk)])
                for b in bids
                for c in criteria
                if (b.pk, c.pk) in mine
            ],
            "evaluating": project.status == "evaluating",
        },
        status=status,
    )
