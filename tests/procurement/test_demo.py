"""The demo seed builds the four promised projects and is idempotent."""

import pytest
from django.core.management import call_command

from procurement.debarment import debarment
from procurement.demo import TITLES
from procurement.models import Clawback, Project

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_four_projects_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    status = dict(Project.objects.filter(title__in=TITLES.values()).values_list("title", "status"))
    assert status == {
        TITLES["open"]: "tendering",
        TITLES["evaluating"]: "evaluating",
        TITLES["contracted"]: "implementing",
        TITLES["terminated"]: "terminated",
    }
    assert Clawback.objects.get().status == "open"
    contracted = Project.objects.get(title=TITLES["contracted"])
    assert contracted.contract.milestones.count() == 3


def test_the_demo_small_purchase_is_a_consultation_and_the_falsifier_is_debarred(settings):
    """Issue 19: the ¥80k project takes the small-value route; 芦山县应急救援队, terminated for
    falsified records with its ¥36,000 clawback open, may not bid."""
    settings.DEBUG = True
    call_command("seed_demo")
    small = Project.objects.get(title=TITLES["open"])
    assert small.method == "competitive_consultation" and small.invitees.count() == 3
    clawback = Clawback.objects.get()
    supplier = clawback.contract.supplier
    assert supplier.name == "芦山县应急救援队" and clawback.amount_due == 36000
    assert clawback.contract.termination_ground == "falsification"
    assert debarment(supplier).debarred
    assert not small.invitees.filter(pk=supplier.pk).exists()
