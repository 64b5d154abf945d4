"""OCDS 1.1: a valid release package for every state, the bulk endpoint, and libcoveocds.

(Besides these, tests/procurement/conftest.py validates the package of every project that any
test in this folder published.)"""

import datetime as dt
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.display import display_name
from procurement.models import Release
from tests.procurement.conftest import assert_valid_ocds
from tests.procurement.flow import Flow

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(settings.TONGZHOU_STANDARDS_DIR) / "ocds-1.1.5"


def standard_zip(folder: Path) -> Path:
    """The vendored schema folder zipped the way libcoveocds reads a release of the standard.

    Given ``--standard-zip``, libcoveocds takes the first entry of the zip as the root and reads
    ``<root>schema/...`` (the layout of GitHub's archive of the tag); without it, it would download
    that archive. Built here from standards/, so nothing is fetched and nothing is stored twice.
    """
    path = folder / "ocds-1__1__5-schema.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("standard-1__1__5/", "")
        archive.writestr("standard-1__1__5/schema/", "")
        for file in sorted(SCHEMA_DIR.rglob("*")):
            if file.is_file():
                name = file.relative_to(SCHEMA_DIR).as_posix()
                archive.write(file, f"standard-1__1__5/schema/{name}")
    return path


def package(api, pk) -> dict:
    r = api().get(f"/api/v1/procurements/{pk}/ocds/")
    assert r.status_code == 200
    data = r.json()
    assert_valid_ocds(data)
    return data


def test_a_draft_has_no_public_package(api, official):
    flow = Flow(api, official)
    pk = flow.create()
    assert api().get(f"/api/v1/procurements/{pk}/ocds/").status_code == 404


def test_packages_are_valid_in_every_published_state(api, official, settings):
    settings.TONGZHOU_OCID_PREFIX = "ocds-abc123"
    flow = Flow(api, official)
    pk = flow.create()
    flow.publish()
    data = package(api, pk)
    release = data["releases"][0]
    assert release["ocid"] == f"ocds-abc123-{pk}"
    assert release["tag"] == ["tender"]
    assert release["tender"]["status"] == "active"
    assert release["tender"]["procurementMethodDetails"] == "公开招标"
    assert "专业" in release["tender"]["eligibilityCriteria"]
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        flow.draw()
        flow.score_all()
        flow.award()
        data = package(api, pk)
        award = data["releases"][-1]["awards"][0]
        assert award["value"] == {"amount": 100000.0, "currency": "CNY"}
        assert all(display_name(e) in award["description"] for e in flow.experts)
        assert not any(e.username in award["description"] for e in flow.experts)
        assert data["releases"][-1]["tender"]["numberOfTenderers"] == 3
        end = flow.project.awards.get().standstill_ends_at
    import time_machine

    with time_machine.travel(end + dt.timedelta(minutes=1), tick=True):
        flow.contract()
        data = package(api, pk)
        assert data["releases"][-1]["tag"] == ["contract"]
        assert len(data["releases"][-1]["contracts"][0]["milestones"]) == 2
        flow.post("terminate", {"reason": "严重违约", "clawback_amount": "0"})
    data = package(api, pk)
    assert data["releases"][-1]["tag"] == ["contractTermination"]
    assert data["releases"][-1]["contracts"][0]["status"] == "terminated"
    assert len({r["id"] for r in data["releases"]}) == len(data["releases"])


@pytest.mark.parametrize("method", ["single_source", "competitive_consultation", "inquiry"])
def test_limited_methods_map_to_limited(api, official, method):
    flow = Flow(api, official)
    from tests.procurement.factories import bidder

    count = 1 if method in ("single_source", "inquiry") else 3
    flow.create(
        method=method,
        invitees=[bidder()[0].pk for _ in range(count)],
        budget_amount="80000.00",  # below the threshold: no legal ground needed
        tender_end=(timezone.now() + dt.timedelta(days=30)).isoformat(),
    )
    flow.publish()
    release = package(api, flow.pk)["releases"][0]
    assert release["tender"]["procurementMethod"] == "limited"


def test_failed_and_cancelled_tenders_publish_valid_packages(api, official):
    failed = Flow(api, official)
    failed.create()
    failed.publish()
    with failed.after_deadline():
        from procurement import tasks

        tasks.close_due_tenders()
    assert package(api, failed.pk)["releases"][-1]["tender"]["status"] == "unsuccessful"
    cancelled = Flow(api, official)
    cancelled.create()
    cancelled.publish()
    cancelled.post("cancel", {"reason": "取消"})
    assert package(api, cancelled.pk)["releases"][-1]["tender"]["status"] == "cancelled"


def test_the_bulk_endpoint_lists_releases_since_a_date(api, official):
    first = Flow(api, official)
    first.create()
    first.publish()
    Release.objects.update(date=timezone.now() - dt.timedelta(days=10))
    second = Flow(api, official)
    second.create()
    second.publish()
    since = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    r = api().get("/api/v1/procurements/releases/", {"since": since})
    assert r.status_code == 200
    assert_valid_ocds(r.json())
    assert [rel["ocid"].rsplit("-", 1)[1] for rel in r.json()["releases"]] == [str(second.pk)]
    assert len(api().get("/api/v1/procurements/releases/").json()["releases"]) == 2
    assert api().get("/api/v1/procurements/releases/", {"since": "yesterday"}).status_code == 400


def test_libcoveocds_accepts_a_package(api, official, tmp_path):
    flow = Flow(api, official)
    flow.create()
    flow.publish()
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package(api, flow.pk), ensure_ascii=False))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "libcoveocds",
            "--standard-zip",
            str(standard_zip(tmp_path)),
            "-o",
            str(tmp_path / "out"),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert report.get("validation_errors") == [], report.get("validation_errors")
    assert report["version_used"] == "1.1"
    # Codes checked against the vendored codelists (read from the zip, not downloaded).
    assert report.get("additional_closed_codelist_values") == {}, report
    assert report.get("additional_open_codelist_values") == {}, report
