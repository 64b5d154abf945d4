"""How the procurement pages call services and name things (shared by every role's views)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core import words
from core.forms import REFUSED_TAG
from core.states import Conflict, InvalidTransition, actions_of
from procurement import queries
from procurement.models import Award, Bid, Challenge, Clawback, Contract, Milestone, Project

# Button labels of the actions of procurement.actions (what a page offers, never decides).
ACTION_LABELS = {
    "publish": gettext_lazy("Publish the notice"),
    "open": gettext_lazy("Open the bids"),
    "panel": gettext_lazy("Draw the expert panel"),
    "award": pgettext_lazy("procurement action", "Award"),
    "contract": gettext_lazy("Sign the contract"),
    "terminate": gettext_lazy("Terminate the contract"),
    "cancel": gettext_lazy("Cancel the project"),
    "retender": gettext_lazy("Re-tender"),
    "report": gettext_lazy("Report progress"),
    "assign_evaluator": gettext_lazy("Assign a third-party evaluator"),
    "sample": gettext_lazy("Ask a sample of recipients to confirm"),
    "inspect": gettext_lazy("Inspect"),
    "accept": gettext_lazy("Record the acceptance"),
    "pay": gettext_lazy("Record the payment"),
}

# The life cycle as people read it: plan -> tender -> evaluation -> award -> contract ->
# milestones -> closed; the off-path ends are shown as stopped.
PROJECT_STEPS = [
    "draft",
    "tendering",
    "evaluating",
    "awarded",
    "implementing",
    "accepted",
    "closed",
]
PROJECT_STEP_LABELS = {
    "draft": pgettext_lazy("procurement step", "Plan"),
    "tendering": pgettext_lazy("procurement step", "Tender"),
    "evaluating": pgettext_lazy("procurement step", "Evaluation"),
    "awarded": pgettext_lazy("procurement step", "Award"),
    "implementing": pgettext_lazy("procurement step", "Contract"),
    "accepted": pgettext_lazy("procurement step", "Milestones accepted"),
    "closed": pgettext_lazy("procurement step", "Closed"),
    "failed": gettext_lazy("Failed (no valid bids)"),
    "cancelled": gettext_lazy("Cancelled"),
    "terminated": gettext_lazy("Terminated"),
}
MILESTONE_STEPS = ["pending", "reported", "inspected", "accepted", "paid"]


def _status_words() -> dict[str, str]:
    words_for: dict[str, str] = {}
    for model in (Bid, Challenge, Clawback, Contract, Award, Milestone, Project):
        words_for.update({value: str(label) for value, label in model.Status.choices})
    return words_for


def error_text(error: Exception) -> str:
    """A refusal as a sentence. ``core.states.check_transition`` names the states by their codes
    (“draft”); a page names them in words (“草稿”)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, InvalidTransition | Conflict):
        text = str(error)
        for value, label in _status_words().items():
            text = text.replace(f"“{value}”", f"“{label}”")
        return text
    return str(error) or _("You may not do this.")


def reasons_to_show(
    user: Any, obj: Any, outcomes: dict[str, Exception | None] | None = None
) -> dict[str, str]:
    """Why an action of this person's role is not possible now, for the actions the object's
    state allows: the guard's answer (the deadline has not passed, the stand-still runs). Not
    the actions of other roles (a supplier is not told it may not inspect), nor of other states
    (a draft is not told why it cannot be paid). ``outcomes`` (``core.states.outcomes``, the
    pass that chose the page's buttons) spares running the guards again."""
    declared = actions_of(obj)
    if declared is None or not getattr(user, "is_authenticated", False):
        return {}
    status = obj.status
    shown = {}
    for name, action in declared.by_name.items():
        if action.sources is not None:
            possible = status in action.sources
        else:
            possible = action.target is None or action.target in type(obj).TRANSITIONS.get(
                status, ()
            )
        if not possible:
            continue
        if outcomes is not None:
            error = outcomes[name]
        else:
            try:
                action.check(user, obj)
            except (PermissionDenied, InvalidTransition, ValidationError) as raised:
                error = raised
            else:
                error = None
        if error is None or isinstance(error, PermissionDenied):
            continue
        shown[name] = error_text(error)
    return shown


def run_service(request, service, *, success: str, form=None, **kwargs) -> Any:
    """Call one service as the signed-in person. A refusal becomes a message (tagged
    ``REFUSED_TAG`` for a permission refusal) or, when a form is given and the service names
    one of its fields, an error on that field; the caller re-renders or redirects. Returns the
    service's result, or None when it refused."""
    try:
        result = service(by=request.user, **kwargs)
    except ValidationError as error:
        if form is not None and hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.error(request, error_text(error))
        return None
    except (InvalidTransition, Conflict) as error:
        messages.error(request, error_text(error))
        return None
    except PermissionDenied as error:
        messages.error(request, error_text(error), extra_tags=REFUSED_TAG)
        return None
    messages.success(request, success)
    return result


def to_project(pk: int, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("procurement:project_detail", args=[pk])
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def to_milestone(pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("procurement:milestone_detail", args=[pk]))


def project_or_404(request, pk: int) -> Project:
    """A project this person may see (a draft only in the official's jurisdiction)."""
    return get_object_or_404(queries.visible_projects(request.user), pk=pk)


def milestone_or_404(request, pk: int) -> Milestone:
    visible = queries.visible_projects(request.user).values("pk")
    return get_object_or_404(
        Milestone.objects.select_related(
            "contract__project__buyer", "contract__supplier", "evaluator"
        ).prefetch_related("indicators"),
        pk=pk,
        contract__project__in=visible,
    )


def project_steps(project: Project) -> list[dict]:
    hints = {}
    if project.published_at:
        hints["tendering"] = words.datetime_text(project.tender_end)
    return words.steps(
        PROJECT_STEPS,
        project.status,
        PROJECT_STEP_LABELS,
        stopped={"failed", "cancelled", "terminated"},
        hints=hints,
    )


def milestone_steps(milestone: Milestone) -> list[dict]:
    labels = dict(Milestone.Status.choices)
    if milestone.status == Milestone.Status.REJECTED:
        # Not accepted: reported again next; shown after what was reached.
        steps = words.steps(MILESTONE_STEPS, "reported", labels)
        steps[1]["state"] = "done"
        steps.insert(2, {"key": "rejected", "label": labels["rejected"], "state": "stopped"})
        return steps
    return words.steps(MILESTONE_STEPS, milestone.status, labels)
