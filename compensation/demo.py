"""Demo data of loss compensation: accident cover for two people of 芦山县应急救援队, and two of
its claims from the earthquake — one filed (lost equipment), one approved by the bureau (an
injured volunteer), ready to be paid. Built through the services; idempotent: nothing is added
once the team has a claim."""

import io
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from compensation import services
from compensation.models import Claim
from coordination.models import Deployment
from registry import services as registry_services
from registry.models import Organization


def _photo(color) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (160, 120), color).save(out, "JPEG")
    return SimpleUploadedFile("photo.jpg", out.getvalue(), content_type="image/jpeg")


def seed(stdout) -> None:
    users = get_user_model().objects
    team = Organization.objects.filter(name="芦山县应急救援队").first()
    leader, bureau = users.filter(username="ngo").first(), users.filter(username="bureau").first()
    if not (team and leader and bureau) or Claim.objects.filter(organization=team).exists():
        return
    filing = (
        Deployment.objects.filter(organization=team, status__in=Deployment.OCCUPYING)
        .order_by("pk")
        .first()
    )
    people = list(team.people.order_by("pk")[:2])
    today = timezone.localdate()
    for person in people:
        registry_services.add_policy(
            by=leader,
            person=person,
            insurer="中国人寿保险股份有限公司",
            policy_number=f"GL-2026-{person.pk:05d}",
            accident_amount=Decimal("500000"),
            medical_amount=Decimal("50000"),
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=335),
        )
    if filing is None:
        return
    when = timezone.now() - timedelta(hours=6)
    services.file_claim(
        by=leader,
        organization=team,
        deployment=filing,
        kind=Claim.Kind.EQUIPMENT,
        description="龙门乡废墟搜救中液压破拆工具组被余震落石砸毁，无法修复。",
        occurred_at=when,
        amount_claimed=Decimal("38000"),
        evidence=[_photo((150, 150, 150))],
    )
    if people:
        injured = services.file_claim(
            by=leader,
            organization=team,
            deployment=filing,
            kind=Claim.Kind.INJURY,
            person=people[0],
            description="搜救时左臂被钢筋划伤，缝合十二针，休养两周。",
            occurred_at=when,
            amount_claimed=Decimal("6800"),
            insurer_claim_reference="CL-2026-0901",
            evidence=[_photo((200, 90, 60))],
        )
        services.review_claim(claim=injured, by=bureau)
        services.approve_claim(
            claim=injured,
            by=bureau,
            amount=Decimal("5200"),
            reason="按医疗票据核定，误工补助另计。",
        )
    stdout.write(f"compensation: {Claim.objects.count()} claims\n")
