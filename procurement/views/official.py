"""The buyer's pages: plan a project (indicators and evaluation factors as rows), edit the draft,
publish, open the bids, draw the panel, award, answer challenges, sign the contract, inspect,
accept, pay, terminate and record recoveries. Each POST calls the one service the API calls;
a refusal is a message on the page, never an error page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions as perms
from procurement import services
from procurement.forms import (
    AcceptForm,
    AwardForm,
    CriterionFormSet,
    EvaluatorForm,
    InspectForm,
    InviteForm,
    MilestoneFormSet,
    PanelForm,
    ProjectForm,
    ReasonForm,
    RecoveryForm,
    ResolveForm,
    RetenderForm,
    ReviewForm,
    StandardFormSet,
    TerminateForm,
    WriteOffForm,
    default_deadline,
)
from procurement.models import Bid, Challenge, Clawback, Project, TerminationGround
from procurement.views import common
from procurement.views.public import milestone_page

DEFAULT_CRITERIA = [
    {"name": _("Technical proposal"), "kind": "technical", "weight": 40},
    {"name": _("Service quality"), "kind": "quality", "weight": 30},
    {"name": _("Price"), "kind": "price", "weight": 30},
]


def _form_error_text(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _project_form_page(request, project: Project | None):
    """Create (project None) or edit a draft: the plan, its indicators and evaluation factors."""
    if not perms.is_official(request.user):
        raise PermissionDenied(_("Only officials buy services."))
    if request.method == "POST":
        form = ProjectForm(request.POST)
        standards = StandardFormSet(request.POST, prefix="standards")
        criteria = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and standards.is_valid() and criteria.is_valid():
            arguments = form.service_arguments() | {
                "service_standards": standards.rows(),
                "criteria": criteria.rows(),
            }
            if project is None:
                saved = common.run_service(
                    request,
                    services.create_project,
                    form=form,
                    success=_("The plan was saved as a draft."),
                    **arguments,
                )
            else:
                saved = common.run_service(
                    request,
                    services.update_draft,
                    form=form,
                    success=_("The draft was saved."),
                    project=project,
                    **arguments,
                )
            if saved is not None:
                return common.to_project(saved.pk)
        status = 400
    else:
        if project is None:
            form = ProjectForm(initial={"tender_end": default_deadline(30)})
            standards = StandardFormSet(prefix="standards", initial=[{}])
            criteria = CriterionFormSet(prefix="criteria", initial=DEFAULT_CRITERIA)
        else:
            form = ProjectForm(initial=ProjectForm.initial_for(project))
            standards = StandardFormSet(
                prefix="standards",
                initial=list(
                    project.service_standards.values(
                        "indicator", "target", "unit", "verification", "direction", "sample_size"
                    )
                ),
            )
            criteria = CriterionFormSet(
                prefix="criteria", initial=list(project.criteria.values("name", "kind", "weight"))
            )
        status = 200
    return render(
        request,
        "procurement/project_form.html",
        {"form": form, "standards": standards, "criteria": criteria, "project": project},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def project_create(request):
    return _project_form_page(request, None)


@require_http_methods(["GET", "POST"])
@login_required
def project_edit(request, pk: int):
    project = common.project_or_404(request, pk)
    if not perms.is_official_for(request.user, project.region_code):
        raise PermissionDenied(
            _("Only an official with jurisdiction over this project may do this.")
        )
    if project.status != Project.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return common.to_project(project.pk)
    return _project_form_page(request, project)


@require_POST
@login_required
def project_action(request, pk: int, action: str):
    """The project's actions that take at most a short form (procurement.actions.PROJECT)."""
    project = common.project_or_404(request, pk)
    success = {
        "publish": _("The tender notice is published."),
        "open": _("The bids are open."),
        "panel": _("The expert panel was drawn."),
        "award": _("The award is published; the stand-still period has started."),
        "cancel": _("The project was cancelled."),
        "retender": _("A new round was drafted."),
        "terminate": _("The contract was terminated."),
    }[action]
    if action in ("publish", "open"):
        service = services.publish_project if action == "publish" else services.open_bids
        common.run_service(request, service, success=success, project=project)
        return common.to_project(project.pk)
    form_class = {
        "panel": PanelForm,
        "award": AwardForm,
        "cancel": ReasonForm,
        "retender": RetenderForm,
        "terminate": TerminateForm,
    }[action]
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error_text(form))
        return common.to_project(project.pk, "actions")
    d = form.cleaned_data
    if action == "panel":
        common.run_service(
            request, services.draw_panel, success=success, project=project, size=d["size"]
        )
    elif action == "award":
        # An id that is no bid of this project still goes to the service, which refuses it
        # after the permission check (as the API does): a stand-in of no project.
        chosen = Bid.objects.filter(project=project, pk=d["bid"]).first() or Bid(project_id=0)
        common.run_service(
            request,
            services.award,
            success=success,
            project=project,
            bid=chosen,
            reason=d["reason"],
        )
    elif action == "cancel":
        common.run_service(
            request, services.cancel_project, success=success, project=project, reason=d["reason"]
        )
    elif action == "retender":
        new = common.run_service(
            request,
            services.retender,
            success=success,
            project=project,
            tender_end=d["tender_end"],
        )
        if new is not None:
            return common.to_project(new.pk)
    else:
        common.run_service(
            request,
            services.terminate,
            success=success,
            project=project,
            reason=d["reason"],
            clawback_amount=d["clawback_amount"],
            due_on=d["due_on"],
            ground=d["ground"] or TerminationGround.OTHER,
        )
    return common.to_project(project.pk)


@require_http_methods(["GET", "POST"])
@login_required
def contract(request, pk: int):
    """Sign the contract with the awarded supplier: milestones whose payments sum to 100 %."""
    project = common.project_or_404(request, pk)
    if not perms.is_official_for(request.user, project.region_code):
        raise PermissionDenied(
            _("Only an official with jurisdiction over this project may do this.")
        )
    if request.method == "POST":
        rows = MilestoneFormSet(request.POST, prefix="milestones")
        if rows.is_valid():
            signed = common.run_service(
                request,
                services.create_contract,
                success=_("The contract is signed."),
                project=project,
                milestones=rows.rows(),
            )
            if signed is not None:
                return common.to_project(project.pk, "contract")
        status = 400
    else:
        first = default_deadline(30)
        rows = MilestoneFormSet(
            prefix="milestones",
            initial=[
                {"title": _("Mid-term delivery"), "due_at": first, "payment_percent": 40},
                {
                    "title": _("Final delivery"),
                    "due_at": first + timezone.timedelta(days=60),
                    "payment_percent": 60,
                },
            ],
        )
        status = 200
    award = project.active_awards[0] if project.active_awards else None
    return render(
        request,
        "procurement/contract_form.html",
        {"project": project, "rows": rows, "award": award},
        status=status,
    )


@require_POST
@login_required
def resolve(request, pk: int):
    challenge = get_object_or_404(Challenge.objects.select_related("project"), pk=pk)
    project = common.project_or_404(request, challenge.project_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        common.run_service(
            request,
            services.resolve_challenge,
            success=_("The challenge was answered."),
            challenge=challenge,
            decision=form.cleaned_data["decision"],
            response=form.cleaned_data["response"],
        )
    else:
        messages.error(request, _form_error_text(form))
    return common.to_project(project.pk, "challenges")


@require_POST
@login_required
def recover(request, pk: int):
    clawback = get_object_or_404(Clawback.objects.select_related("contract"), pk=pk)
    project = common.project_or_404(request, clawback.contract.project_id)
    form = RecoveryForm(request.POST)
    if form.is_valid():
        common.run_service(
            request,
            services.record_recovery,
            success=_("The recovery was recorded."),
            clawback=clawback,
            amount=form.cleaned_data["amount"],
            recovered_on=form.cleaned_data["recovered_on"],
            note=form.cleaned_data["note"],
        )
    else:
        messages.error(request, _form_error_text(form))
    return common.to_project(project.pk, "contract")


@require_POST
@login_required
def write_off(request, pk: int):
    """Write off what cannot be recovered of a clawback, with the reason."""
    clawback = get_object_or_404(Clawback.objects.select_related("contract"), pk=pk)
    project = common.project_or_404(request, clawback.contract.project_id)
    form = WriteOffForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        common.run_service(
            request,
            services.write_off_clawback,
            success=_("The write-off was recorded."),
            clawback=clawback,
            reason=d["reason"],
            amount=d["amount"],
            written_off_on=d["written_off_on"],
        )
    else:
        messages.error(request, _form_error_text(form))
    return common.to_project(project.pk, "contract")


@require_POST
@login_required
def invite(request, pk: int):
    """Invite registered, verified suppliers to a method that takes invitations."""
    project = common.project_or_404(request, pk)
    form = InviteForm(request.POST)
    if form.is_valid():
        common.run_service(
            request,
            services.invite_suppliers,
            success=_("The suppliers were invited."),
            project=project,
            organizations=list(form.cleaned_data["organizations"]),
        )
    else:
        messages.error(request, _form_error_text(form))
    return common.to_project(project.pk, "invitations")


@require_POST
@login_required
def review(request, pk: int):
    """Review an emergency purchase after the fact (Art. 85)."""
    project = common.project_or_404(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        common.run_service(
            request,
            services.review_emergency_purchase,
            success=_("The review was recorded."),
            project=project,
            notes=form.cleaned_data["notes"],
        )
    else:
        messages.error(request, _form_error_text(form))
    return common.to_project(project.pk, "review")


@require_POST
@login_required
def milestone_action(request, pk: int, action: str):
    """Assign the evaluator, sample recipients, inspect, accept or pay a milestone
    (procurement.actions.MILESTONE)."""
    milestone = common.milestone_or_404(request, pk)
    if action == "pay":
        common.run_service(
            request,
            services.pay_milestone,
            success=_("The payment was recorded."),
            milestone=milestone,
        )
        return common.to_milestone(milestone.pk)
    if action == "sample":
        common.run_service(
            request,
            services.sample_recipients,
            success=_("The sampled recipients were sent their links by SMS."),
            milestone=milestone,
        )
        return common.to_milestone(milestone.pk)
    if action == "assign-evaluator":
        form = EvaluatorForm(request.POST)
        if form.is_valid():
            done = common.run_service(
                request,
                services.assign_evaluator,
                form=form,
                success=_("The evaluator was assigned."),
                milestone=milestone,
                organization=form.cleaned_data["organization"],
            )
            if done is not None:
                return common.to_milestone(milestone.pk)
        return milestone_page(request, milestone.pk, status=400, evaluator_form=form)
    indicators = list(milestone.indicators.all())
    if action == "inspect":
        form = InspectForm(request.POST, request.FILES, indicators=indicators)
        if form.is_valid():
            d = form.cleaned_data
            done = common.run_service(
                request,
                services.inspect_milestone,
                form=form,
                success=_("The inspection was recorded."),
                milestone=milestone,
                notes=d["notes"],
                measured=form.indicator_values(),
                findings=d["findings"],
                third_party_score=d["third_party_score"],
                photos=d["photos"],
            )
            if done is not None:
                return common.to_milestone(milestone.pk)
        return milestone_page(request, milestone.pk, status=400, inspect_form=form)
    form = AcceptForm(request.POST)
    if form.is_valid():
        done = common.run_service(
            request,
            services.accept_milestone,
            form=form,
            success=_("The acceptance result was recorded."),
            milestone=milestone,
            recipients=form.recipient_names(),
            notes=form.cleaned_data["notes"],
        )
        if done is not None:
            return common.to_milestone(milestone.pk)
    return milestone_page(request, milestone.pk, status=400, accept_form=form)
