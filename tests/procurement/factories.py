"""Factories and builders for procurement tests."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from core.roles import Role
from procurement.models import Bid, Criterion, Project, ServiceStandard
from tests.registry import factories as rf


class ProjectFactory(factory.django.DjangoModelFactory):
    """A draft open tender of 雅安市应急管理局 in 芦山县, closing in 30 days."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    buyer = factory.SubFactory(rf.AgencyFactory)
    title = factory.Sequence(lambda n: f"灾后心理援助服务{n}")
    category = "recovery_reconstruction"
    method = "open_tender"
    budget_amount = Decimal("150000.00")
    region_code = "511826"
    description = "为安置点居民提供心理援助。"
    eligibility_specialty = "building_collapse"
    eligibility_min_grade = 2
    tender_end = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))

    @factory.post_generation
    def standards(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            ServiceStandard.objects.create(
                project=obj,
                indicator="服务人次",
                target=500,
                unit="人次",
                verification="beneficiary_sampling",
            )
            ServiceStandard.objects.create(
                project=obj, indicator="满意度", target=90, unit="%", verification="third_party"
            )
            Criterion.objects.create(project=obj, name="技术方案", kind="technical", weight=40)
            Criterion.objects.create(project=obj, name="服务质量", kind="quality", weight=30)
            Criterion.objects.create(project=obj, name="价格", kind="price", weight=30)


class BidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bid

    project = factory.SubFactory(ProjectFactory)
    organization = factory.SubFactory(rf.OrganizationFactory)
    price = Decimal("100000.00")
    proposal = "SECRET-PROPOSAL 每周驻点服务"
    team_size = 8


def bidder(specialty: str = "building_collapse", grade: int = 2, **org_fields):
    """A verified organization with a current assessed grade, and its admin user."""
    org = rf.OrganizationFactory(**org_fields)
    rf.CapabilityFactory(organization=org, specialty=specialty, declared_grade=grade)
    return org, rf.org_user(org, Role.ADMIN)


def expert_user(username: str | None = None):
    pool = rf.AgencyFactory(region_code="510000")
    user = rf.UserFactory(**({"username": username} if username else {}))
    user.first_name = f"专家{user.pk}"  # shown by name and role, never by username
    user.save(update_fields=["first_name"])
    rf.MembershipFactory(user=user, organization=pool, role=Role.EXPERT)
    return user


JPEG = b"\xff\xd8\xff\xe0" + b"photo-one" * 20
JPEG2 = b"\xff\xd8\xff\xe0" + b"photo-two" * 20
