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
    tasks, projects = _lists(rng, incident, agency, official, orgs, counties, specialties, now)
    print(
        json.dumps(
            {
                "incident": incident.pk,
                "organizations": len(orgs),
                "tasks": tasks,
                "projects": projects,
            }
        )
    )


def _lists(rng, incident, agency, official, orgs, counties, specialties, now) -> tuple[int, int]:
    """Rows for the two other public lists the bench reads: the incident's 3W (60 tasks held
    by organizations, with reports of people reached) and the procurement list (60 published
    projects, each with its service standards and scoring criteria), so that each answers a
    full page, not an empty list."""
    from datetime import timedelta
    from decimal import Decimal

    from coordination.models import Task, TaskReport
    from procurement import models as pm

    held = [Task.Status.ASSIGNED, Task.Status.IN_PROGRESS, Task.Status.COMPLETED]
    tasks = Task.objects.bulk_create(
        [
            Task(
                incident=incident,
                title=f"基准测试任务{i}：搜救与转移安置",
                specialty=rng.choice(specialties),
                region_code=rng.choice(counties),
                status=rng.choice(held),
                organization=rng.choice(orgs),
                assigned_at=now,
                created_by=official,
            )
            for i in range(60)
        ]
    )
    TaskReport.objects.bulk_create(
        [
            TaskReport(task=t, summary="进展", people_served=rng.randint(1, 400), filed_by=official)
            for t in tasks
            for _ in range(2)
        ]
    )
    projects = pm.Project.objects.bulk_create(
        [
            pm.Project(
                buyer=agency,
                title=f"基准测试购买服务项目{i}",
                category=rng.choice(pm.Category.values),
                method=pm.Method.OPEN_TENDER,
                budget_amount=Decimal(rng.randint(50, 900) * 1000),
                region_code="511800",
                incident=incident if i % 2 else None,
                description="bench",
                eligibility_specialty=rng.choice(specialties),
                eligibility_min_grade=2,
                tender_end=now + timedelta(days=20),
                status=pm.Project.Status.TENDERING,
                published_at=now - timedelta(minutes=i),
                created_by=official,
            )
            for i in range(60)
        ]
    )
    pm.ServiceStandard.objects.bulk_create(
        [
            pm.ServiceStandard(
                project=p,
                indicator=f"指标{k}",
                target=Decimal("95.00"),
                unit="%",
                verification=pm.Verification.SITE_INSPECTION,
            )
            for p in projects
            for k in range(2)
        ]
    )
    weights = [(pm.CriterionKind.PRICE, 30), (pm.CriterionKind.TECHNICAL, 50)]
    weights.append((pm.CriterionKind.EXPERIENCE, 20))
    pm.Criterion.objects.bulk_create(
        [
            pm.Criterion(project=p, name=str(kind.label), kind=kind, weight=weight)
            for p in projects
            for kind, weight in weights
        ]
    )
    return len(tasks), len(projects)


if __name__ == "__main__":
    main()
