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


def scene(seed: int, size=(320, 240)):
    """A real picture (a background and a dozen coloured ellipses), different for each seed."""
    import random

    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    image = Image.new("RGB", size, tuple(rnd.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        w, h = rnd.randrange(20, size[0] // 2), rnd.randrange(20, size[1] // 2)
        draw.ellipse([x, y, x + w, y + h], fill=tuple(rnd.randrange(256) for _ in range(3)))
    return image


def jpeg(image, quality: int = 90, exif=None) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


JPEG = jpeg(scene(1))
JPEG2 = jpeg(scene(2))
