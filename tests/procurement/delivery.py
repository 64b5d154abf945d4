"""Deliver a milestone the way acceptance requires, through the API: the supplier reports with
the recipients served, the buyer assigns an evaluator and asks a sample, the sampled recipients
answer on their links, the evaluator inspects measuring every indicator, the official accepts."""

from procurement.models import Milestone, RecipientConfirmation
from registry.models import Organization
from tests.registry import factories as rf

PHONES = [f"1390835{n:04d}" for n in range(1, 9)]


def recipients(n: int = 8) -> list[dict]:
    return [{"name": f"居民{i + 1}", "phone": PHONES[i]} for i in range(n)]


def evaluator(**org_fields) -> tuple[Organization, object]:
    """A verified third-party evaluator organization and its admin."""
    org = rf.OrganizationFactory(kind="evaluator", name="安澜评估中心", **org_fields)
    return org, rf.org_user(org)


def report(api, supplier, milestone: Milestone, *, values=None, people=None, expect=201):
    values = (
        values
        if values is not None
        else {str(s.pk): str(s.target) for s in milestone.indicators.all()}
    )
    r = api(supplier).post(
        f"/api/v1/milestones/{milestone.pk}/report/",
        {
            "summary": "完成",
            "values": values,
            "recipients": recipients() if people is None else people,
        },
        format="json",
    )
    assert r.status_code == expect, r.content
    return r.json()


def assign(api, official, milestone: Milestone, org) -> None:
    r = api(official).post(
        f"/api/v1/milestones/{milestone.pk}/assign-evaluator/",
        {"organization": org.pk},
        format="json",
    )
    assert r.status_code == 200, r.content


def sample_and_answer(api, official, milestone: Milestone, answers=None) -> list[dict]:
    r = api(official).post(f"/api/v1/milestones/{milestone.pk}/sample/")
    assert r.status_code == 201, r.content
    rows = RecipientConfirmation.objects.filter(milestone=milestone).order_by("id")
    answers = answers or ["confirmed"] * rows.count()
    for row, answer in zip(rows, answers, strict=False):
        a = api().post(
            f"/api/v1/recipient-confirmations/{row.token}/", {"answer": answer}, format="json"
        )
        assert a.status_code == 200, a.content
    return r.json()


def inspect(api, inspector, milestone: Milestone, measured=None, expect=200, **extra):
    measured = (
        measured
        if measured is not None
        else {str(s.pk): str(s.target) for s in milestone.indicators.all()}
    )
    r = api(inspector).post(
        f"/api/v1/milestones/{milestone.pk}/inspect/",
        {"notes": "现场核查", "measured": measured, **extra},
        format="json",
    )
    assert r.status_code == expect, r.content
    return r.json()


def deliver(api, official, supplier, milestone: Milestone, *, measured=None, values=None):
    """Everything up to the acceptance (not included); returns the evaluator's user."""
    org, evaluator_user = evaluator()
    assign(api, official, milestone, org)
    report(api, supplier, milestone, values=values)
    sample_and_answer(api, official, milestone)
    inspect(api, evaluator_user, milestone, measured)
    return evaluator_user


def accept(api, official, milestone: Milestone, expect=200, **body):
    r = api(official).post(f"/api/v1/milestones/{milestone.pk}/accept/", body or {}, format="json")
    assert r.status_code == expect, r.content
    return r.json()


def inspect_with_services(milestone: Milestone, official, value=lambda s: s.target):
    """For a milestone already ``reported`` by a fixture (no report row yet): the report with
    recipients, the evaluator assigned, the sample answered and the evaluator's inspection, all
    through the services. ``value(indicator)`` is what is measured."""
    from procurement import services
    from procurement.models import ProgressReport

    org, evaluator_user = evaluator()
    services.assign_evaluator(milestone=milestone, by=official, organization=org)
    ProgressReport.objects.create(milestone=milestone, summary="完成", recipients=recipients(3))
    for row in services.sample_recipients(milestone=milestone, by=official):
        services.answer_confirmation(token=row.token, confirmed=True)
    services.inspect_milestone(
        milestone=milestone,
        by=evaluator_user,
        notes="现场核查",
        measured={str(s.pk): str(value(s)) for s in milestone.indicators.all()},
    )
    return evaluator_user
