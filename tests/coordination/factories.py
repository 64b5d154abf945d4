"""Factories of the coordination app; procurement and donations tests use IncidentFactory."""

import factory
from django.utils import timezone

from coordination.models import Deployment, Incident, Need, Task, TaskReport
from tests.registry.factories import AgencyFactory, CapabilityFactory, OrganizationFactory


class IncidentFactory(factory.django.DjangoModelFactory):
    """A grade II earthquake in 芦山县, responding, led by an agency of 雅安市."""

    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"芦山地震{n}")
    kind = "natural_disaster"
    subtype = "earthquake"
    grade = 2
    response_level = 2
    region_code = "511826"
    latitude = "30.284000"
    longitude = "102.956000"
    started_at = factory.LazyFunction(timezone.now)
    lead_agency = factory.SubFactory(AgencyFactory)
    status = Incident.Status.RESPONDING


# --- Added by the coordination issue (IncidentFactory above is unchanged) ---------------------


class NeedFactory(factory.django.DjangoModelFactory):
    """A confirmed need for tents in 芦山县."""

    class Meta:
        model = Need

    incident = factory.SubFactory(IncidentFactory)
    category = "shelter"
    description = "帐篷"
    quantity = 100
    unit = "顶"
    region_code = "511826"
    urgency = "high"
    confirmed_at = factory.LazyFunction(timezone.now)


class DeploymentFactory(factory.django.DjangoModelFactory):
    """An approved filing of a verified team into 芦山县."""

    class Meta:
        model = Deployment

    incident = factory.SubFactory(IncidentFactory)
    organization = factory.SubFactory(OrganizationFactory)
    headcount = 10
    specialties = factory.LazyFunction(lambda: ["building_collapse"])
    area_region_code = "511826"
    arrival_at = factory.LazyFunction(timezone.now)
    leader_name = "张三"
    leader_phone = "13900000000"
    status = Deployment.Status.APPROVED


class TaskFactory(factory.django.DjangoModelFactory):
    """An open building-collapse task, grade 2 or better, in 芦山县."""

    class Meta:
        model = Task

    incident = factory.SubFactory(IncidentFactory)
    title = factory.Sequence(lambda n: f"搜救任务{n}")
    specialty = "building_collapse"
    min_grade = 2
    region_code = "511826"
    status = Task.Status.OPEN


class TaskReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskReport

    task = factory.SubFactory(TaskFactory)
    summary = "完成搜救"
    people_served = 5
    quantity_delivered = 0


def ready_organization(incident, organization=None, *, grade: int = 2, **org_fields):
    """A verified team with a current building-collapse grade and an approved filing for
    ``incident``: everything it takes to be assigned or to claim a task."""
    organization = organization or OrganizationFactory(**org_fields)
    CapabilityFactory(
        organization=organization, specialty="building_collapse", declared_grade=grade
    )
    DeploymentFactory(incident=incident, organization=organization)
    return organization
