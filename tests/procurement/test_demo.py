"""The demo seed builds the four promised projects and is idempotent."""

import pytest
from django.core.management import call_command

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
