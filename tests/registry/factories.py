"""Factories for users, organizations, memberships and capabilities; every app's tests use them."""

import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.roles import Role
from registry.models import Capability, Membership, Organization, Person
from registry.uscc import make

_serial = itertools.count(1)

KIND_PREFIX = {
    "social_group": "51",
    "social_service": "52",
    "foundation": "53",
    "volunteer_team": "52",
    "enterprise": "91",
    "agency": "11",
    "public_institution": "12",
    "evaluator": "52",
}


def valid_uscc(kind: str = "social_service", region: str = "511826") -> str:
    """A fresh, valid, unique code for ``kind`` (GB 32100 and GB 11714 digits computed)."""
    return make(KIND_PREFIX[kind], region, f"T{next(_serial):07d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    """A verified volunteer team in 芦山县 unless told otherwise."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试救援队{n}")
    name_en = factory.Sequence(lambda n: f"Test Rescue Team {n}")
    kind = "volunteer_team"
    region_code = "511826"
    uscc = factory.LazyAttribute(lambda o: valid_uscc(o.kind, o.region_code))
    address = "四川省雅安市芦山县"
    contact_name = "联系人"
    contact_phone = factory.Sequence(lambda n: f"139{n:08d}")
    contact_email = factory.Sequence(lambda n: f"org{n}@example.org")
    status = Organization.Status.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)


class AgencyFactory(OrganizationFactory):
    """A verified emergency-management agency of a region (雅安市 by default)."""

    name = factory.Sequence(lambda n: f"应急管理局{n}")
    kind = "agency"
    region_code = "511800"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER


class CapabilityFactory(factory.django.DjangoModelFactory):
    """A capability with a current assessed grade equal to the declared one."""

    class Meta:
        model = Capability

    organization = factory.SubFactory(OrganizationFactory)
    specialty = "building_collapse"
    declared_grade = 2
    assessed_grade = factory.LazyAttribute(lambda c: c.declared_grade)
    assessed_score = 80
    assessed_on = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyFunction(
        lambda: timezone.localdate() + timezone.timedelta(days=3 * 365)
    )


def official(region_code: str = "511800", username: str | None = None):
    """A user who is an official of a verified agency of ``region_code``."""
    agency = AgencyFactory(region_code=region_code)
    user = UserFactory(**({"username": username} if username else {}))
    MembershipFactory(user=user, organization=agency, role=Role.OFFICIAL)
    return user


def org_user(organization=None, role: str = Role.ADMIN, **org_fields):
    """A user with ``role`` in ``organization`` (a new verified team by default)."""
    organization = organization or OrganizationFactory(**org_fields)
    user = UserFactory()
    MembershipFactory(user=user, organization=organization, role=role)
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    """A social worker in the talent pool of a (new verified) organization."""

    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"社工{n}")
    skills = ["心理援助", "安置点管理"]
    skills_index = ",心理援助,安置点管理,"
    social_worker_level = "intermediate"
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    region_code = factory.LazyAttribute(lambda p: p.organization.region_code)
