"""Bench data, generated at a scale factor, straight into the bench database.

Run as ``python -m bench.seed --scale N`` with DATABASE_URL pointing at the bench database.
Rows are bulk-inserted (the bench measures reads; writes are measured by their own benchmarks
through the service layer).
"""

import argparse
import json
import os
import random

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.utils import timezone

    from coordination.models import Incident
    from core.roles import Role
    from registry.models import Capability, Membership, Organization
    from registry.uscc import make

    rng = random.Random(42)
    counties = ["511826", "511802", "511803", "510104", "440103", "420102", "620102", "340102"]
    specialties = ["building_collapse", "mountain_rescue", "water_rescue", "emergency_medical"]
    n_orgs = 500 * args.scale
    now = timezone.now()
    today = timezone.localdate()
    orgs = [
        Organization(
            name=f"基准测试救援队{i}",
            kind="volunteer_team",
            uscc=make("52", "511826", f"B{i:07d}"),
            region_code=rng.choice(counties),
            contact_phone=f"139{i:08d}",
            description="bench",
            status="verified",
            verified_at=now,
        )
        for i in range(n_orgs)
    ]
    Organization.objects.bulk_create(orgs, batch_size=1000)
    orgs = list(Organization.objects.filter(description="bench"))
    Capability.objects.bulk_create(
        [
            Capability(
                organization=o,
                specialty=rng.choice(specialties),
                declared_grade=2,
                assessed_grade=rng.choice([1, 2, 3]),
                assessed_on=today,
                valid_until=today.replace(year=today.year + 3),
            )
            for o in orgs
        ],
        batch_size=1000,
    )
    agency = Organization.objects.create(
        name="基准测试应急管理局",
        kind="agency",
        uscc=make("11", "511800", "BA000001"),
        region_code="511800",
        status="verified",
        verified_at=now,
    )
    from django.contrib.auth import get_user_model

    official, _ = get_user_model().objects.get_or_create(username="bench_official")
    Membership.objects.get_or_create(user=official, organization=agency, role=Role.OFFICIAL)
    incident = Incident.objects.create(
        title="基准测试地震",
        kind="natural_disaster",
        subtype="earthquake",
        grade=2,
        region_code="511826",
        started_at=now,
        lead_agency=agency,
        status="responding",
    )
    print(json.dumps({"incident": incident.pk, "organizations": len(orgs)}))


if __name__ == "__main__":
    main()
