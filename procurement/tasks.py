"""Thin Celery tasks: find what is due, call the service for each."""

from celery import shared_task
from django.utils import timezone

from procurement import services
from procurement.models import Milestone, Project


@shared_task
def close_due_tenders() -> int:
    """Beat job: close every tender whose deadline has passed."""
    due = Project.objects.filter(
        status=Project.Status.TENDERING,
        tender_closed_at__isnull=True,
        tender_end__lte=timezone.now(),
    ).values_list("pk", flat=True)
    for pk in list(due):
        services.close_tender(project=Project(pk=pk))
    return len(due)


@shared_task
def alert_overdue_milestones() -> int:
    """Beat job: alert supplier and buyer once about each overdue milestone."""
    due = Milestone.objects.filter(
        overdue_alerted_at__isnull=True,
        due_at__lt=timezone.now(),
        status__in=[Milestone.Status.PENDING, Milestone.Status.REJECTED],
        contract__project__status=Project.Status.IMPLEMENTING,
    ).values_list("pk", flat=True)
    return sum(services.alert_overdue(milestone=Milestone(pk=pk)) for pk in list(due))


@shared_task
def flag_overdue_clawbacks() -> int:
    """Beat job (daily): flag each open clawback past its due date once, alerting the buyer."""
    from procurement.models import Clawback

    due = Clawback.objects.filter(
        status=Clawback.Status.OPEN,
        overdue_flagged_at__isnull=True,
        due_on__lt=timezone.localdate(),
    ).values_list("pk", flat=True)
    return sum(services.flag_overdue_clawback(clawback=Clawback(pk=pk)) for pk in list(due))
