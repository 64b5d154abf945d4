"""Acceptance that sticks (issue 19): an inspection by the buyer or its assigned third-party
evaluator measures every indicator in its direction; the verification methods decide the evidence
acceptance needs; sampled recipients confirm through a one-time SMS link."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alerts.models import Alert, Delivery
from procurement import acceptance, services
from procurement.models import (
    Award,
    Contract,
    Direction,
    Milestone,
    RecipientConfirmation,
    ServiceStandard,
    meets,
)
from tests.procurement import delivery
from tests.procurement.factories import JPEG, BidFactory, ProjectFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def site(agency, ngo):
    """An implementing contract of the team ``ngo`` with one milestone measured by four
    indicators, one per verification method."""
    project = ProjectFactory(
        buyer=agency, status="implementing", published_at=timezone.now(), standards=False
    )
    s = {
        "count": ServiceStandard.objects.create(
            project=project,
            indicator="服务人次",
            target=100,
            unit="人次",
            verification="beneficiary_sampling",
            sample_size=3,
        ),
        "response": ServiceStandard.objects.create(
            project=project,
            indicator="响应时间",
            target=2,
            unit="小时",
            verification="site_inspection",
            direction=Direction.AT_MOST,
        ),
        "sessions": ServiceStandard.objects.create(
            project=project,
            indicator="培训场次",
            target=4,
            unit="场",
            verification="document",
            direction=Direction.EXACTLY,
        ),
        "satisfaction": ServiceStandard.objects.create(
            project=project, indicator="满意度", target=90, unit="%", verification="third_party"
        ),
    }
    bid = BidFactory(project=project, organization=ngo)
    award = Award.objects.create(
        project=project, bid=bid, amount=bid.price, standstill_ends_at=timezone.now()
    )
    contract = Contract.objects.create(
        project=project, award=award, supplier=ngo, value=award.amount
    )
    milestone = Milestone.objects.create(
        contract=contract,
        title="第一阶段",
        due_at=timezone.now() + dt.timedelta(days=30),
        payment_percent=Decimal("100"),
    )
    milestone.indicators.set(s.values())
    return milestone, s


def targets(s, **over) -> dict:
    values = {k: str(v.target) for k, v in s.items()} | over
    return {str(s[k].pk): v for k, v in values.items()}


def report(api, ngo_admin, milestone, s, files=(), people=None, values=None):
    body = {
        "summary": "完成",
        "values": values or targets(s),
        "recipients": delivery.recipients(5) if people is None else people,
    }
    if files:
        body = {**body, "values": json.dumps(body["values"]), "evidence": list(files)}
        body["recipients"] = json.dumps(body["recipients"])
        r = api(ngo_admin).post(
            f"/api/v1/milestones/{milestone.pk}/report/", body, format="multipart"
        )
    else:
        r = api(ngo_admin).post(f"/api/v1/milestones/{milestone.pk}/report/", body, format="json")
    assert r.status_code == 201, r.content
    return r.json()


def pdf():
    return SimpleUploadedFile("records.pdf", PDF, content_type="application/pdf")


def photo(content=JPEG):
    return SimpleUploadedFile("site.jpg", content, content_type="image/jpeg")


def test_directions_compare_as_written():
    assert meets(Direction.AT_MOST, Decimal("1.5"), Decimal("2"))  # response within 2 hours
    assert not meets(Direction.AT_MOST, Decimal("3"), Decimal("2"))
    assert meets(Direction.EXACTLY, Decimal("4"), Decimal("4"))
    assert not meets(Direction.EXACTLY, Decimal("5"), Decimal("4"))
    assert meets(Direction.AT_LEAST, Decimal("5"), Decimal("4"))


def test_the_api_takes_direction_and_sample_size_of_an_indicator(api, official):
    from tests.procurement.flow import project_payload

    payload = project_payload()
    payload["service_standards"][0] |= {"sample_size": 5}
    payload["service_standards"].append(
        {
            "indicator": "响应时间",
            "target": "2",
            "unit": "小时",
            "verification": "site_inspection",
            "direction": "at_most",
        }
    )
    r = api(official).post("/api/v1/procurements/", payload, format="json")
    assert r.status_code == 201, r.content
    rows = {row["indicator"]: row for row in r.json()["service_standards"]}
    assert rows["服务人次"]["sample_size"] == 5 and rows["服务人次"]["direction"] == "at_least"
    assert rows["响应时间"]["direction"] == "at_most"
    payload["service_standards"][1]["direction"] = "roughly"
    assert api(official).post("/api/v1/procurements/", payload, format="json").status_code == 400


def test_reported_straight_to_accepted_is_impossible(api, official, ngo_admin, site):
    milestone, s = site
    report(api, ngo_admin, milestone, s)
    r = api(official).post(f"/api/v1/milestones/{milestone.pk}/accept/", {}, format="json")
    assert r.status_code == 409 and "检查" in r.json()["detail"]
    with pytest.raises(Exception) as refused:
        services.accept_milestone(milestone=milestone, by=official)
    assert "检查" in str(refused.value)
    assert Milestone.objects.get(pk=milestone.pk).status == "reported"
    assert (
        "accept" not in api(official).get(f"/api/v1/milestones/{milestone.pk}/").json()["actions"]
    )


def test_acceptance_waits_for_the_evidence_each_verification_method_requires(
    api, official, ngo_admin, site
):
    milestone, s = site
    org, evaluator_user = delivery.evaluator()
    report(api, ngo_admin, milestone, s)
    delivery.inspect(api, official, milestone, targets(s))
    problems = acceptance.acceptance_problems(milestone)
    assert len(problems) == 4  # no PDF, no site photos, no evaluator, no sample
    r = api(official).post(f"/api/v1/milestones/{milestone.pk}/accept/", {}, format="json")
    assert r.status_code == 409 and "PDF" in r.json()["detail"]

    # a new report with the training records (a PDF): a new report needs a new inspection
    report(api, ngo_admin, milestone, s, files=[pdf(), photo()])
    assert len(acceptance.acceptance_problems(milestone)) == 1  # not inspected
    delivery.assign(api, official, milestone, org)
    sampled = delivery.sample_and_answer(api, official, milestone)
    assert len(sampled) == 3  # the indicator's sample size, of the 5 served
    r = api(official).post(
        f"/api/v1/milestones/{milestone.pk}/inspect/",
        {"notes": "现场", "measured": json.dumps(targets(s)), "photos": [photo()]},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    problems = acceptance.acceptance_problems(milestone)
    assert len(problems) == 1 and "满意度" in problems[0]  # the third party has not inspected
    assert api(official).post(f"/api/v1/milestones/{milestone.pk}/accept/").status_code == 409

    delivery.inspect(api, evaluator_user, milestone, targets(s, response="1.5"))
    assert acceptance.acceptance_problems(milestone) == []
    data = delivery.accept(api, official, milestone)
    assert data["status"] == "accepted"
    results = {r["indicator"]: r for r in data["acceptance"]["results"]}
    assert Decimal(results["响应时间"]["achieved"]) == Decimal("1.5") and results["响应时间"]["met"]
    assert results["服务人次"]["confirmed_share"] == 1.0
    assert data["acceptance"]["recipients_count"] == 3
    assert data["inspections"][-1]["organization"] == org.pk


def test_a_measurement_off_target_in_its_direction_is_not_accepted(api, official, ngo_admin, site):
    milestone, s = site
    delivery.assign(api, official, milestone, delivery.evaluator()[0])
    evaluator_user = Milestone.objects.get(pk=milestone.pk).evaluator.memberships.get().user
    report(api, ngo_admin, milestone, s, files=[pdf()])
    delivery.sample_and_answer(api, official, milestone)
    body = {"notes": "现场", "measured": targets(s, response="3", sessions="5")}
    r = api(evaluator_user).post(f"/api/v1/milestones/{milestone.pk}/inspect/", body, format="json")
    results = {x["indicator"]: x for x in r.json()["inspections"][-1]["results"]}
    assert results["响应时间"]["met"] is False  # 3 hours is not "at most 2"
    assert results["培训场次"]["met"] is False  # 5 is not "exactly 4"
    assert "reported_differs" in results["响应时间"]["gaps"]  # reported 2, measured 3


def test_denials_by_sampled_recipients_fail_the_indicator_and_are_flagged(
    api, official, ngo_admin, site
):
    milestone, s = site
    org, evaluator_user = delivery.evaluator()
    delivery.assign(api, official, milestone, org)
    report(api, ngo_admin, milestone, s, files=[pdf()])
    delivery.sample_and_answer(api, official, milestone, ["confirmed", "denied", "denied"])
    data = delivery.inspect(api, evaluator_user, milestone, targets(s))
    row = next(r for r in data["inspections"][-1]["results"] if r["indicator"] == "服务人次")
    assert row["met"] is False and row["confirmed_share"] == pytest.approx(0.3333, abs=1e-3)
    assert set(row["gaps"]) == {"few_confirmations", "denied"}
    assert row["supported"] == "33"  # 100 reported x 1/3 confirmed
    assert data["inspections"][-1]["confirmations"]["denied"] == 2


def test_the_sample_waits_for_answers_and_an_inspection_after_them(api, official, ngo_admin, site):
    milestone, s = site
    org, evaluator_user = delivery.evaluator()
    delivery.assign(api, official, milestone, org)
    report(api, ngo_admin, milestone, s, files=[pdf()])
    r = api(official).post(f"/api/v1/milestones/{milestone.pk}/sample/")
    assert r.status_code == 201
    # a second sample while links are open is refused
    assert api(official).post(f"/api/v1/milestones/{milestone.pk}/sample/").status_code == 409
    delivery.inspect(api, evaluator_user, milestone, targets(s))
    assert any("尚未回复" in p for p in acceptance.acceptance_problems(milestone))
    for row in RecipientConfirmation.objects.filter(milestone=milestone):
        services.answer_confirmation(token=row.token, confirmed=True)
    assert any("再记录一次检查" in p for p in acceptance.acceptance_problems(milestone))


def test_each_sampled_recipient_gets_an_sms_with_a_one_time_link(
    api, official, ngo_admin, site, settings
):
    milestone, s = site
    people = delivery.recipients(4) + [{"name": "无手机", "phone": ""}]
    report(api, ngo_admin, milestone, s, people=people)
    r = api(official).post(f"/api/v1/milestones/{milestone.pk}/sample/")
    assert r.status_code == 201, r.content
    rows = list(RecipientConfirmation.objects.filter(milestone=milestone))
    assert len(rows) == 3 and all(row.phone for row in rows)
    assert {row["phone"][3:7] for row in r.json()} == {"****"}  # masked in the answer
    alerts = Alert.objects.filter(template="procurement_confirm")
    assert alerts.count() == 3
    for row in rows:
        alert = alerts.get(template_params__url__endswith=f"/c/{row.token}/")
        assert milestone.contract.supplier.name in alert.body
        assert Delivery.objects.filter(alert=alert, channel="sms", address=row.phone).exists()
    assert all(
        row.expires_at - timezone.now()
        > dt.timedelta(hours=settings.TONGZHOU_PROCUREMENT_CONFIRMATION_HOURS - 1)
        for row in rows
    )


def test_a_link_answers_once_and_not_after_it_expires(api, official, ngo_admin, site, client):
    milestone, s = site
    report(api, ngo_admin, milestone, s)
    services.sample_recipients(milestone=milestone, by=official)
    first, second, third = RecipientConfirmation.objects.filter(milestone=milestone)
    url = f"/api/v1/recipient-confirmations/{first.token}/"
    assert api().get(url).json()["status"] == "pending"
    assert api().post(url, {"answer": "confirmed"}, format="json").status_code == 200
    assert api().post(url, {"answer": "denied"}, format="json").status_code == 409
    assert api().post(url, {"answer": "maybe"}, format="json").status_code in (400, 409)
    first.refresh_from_db()
    assert first.status == "confirmed" and first.answered_at
    bad = "/api/v1/recipient-confirmations/not-a-token/"
    assert api().post(bad, {"answer": "confirmed"}, format="json").status_code == 404
    assert client.get("/c/not-a-token/").status_code == 404
    with time_machine.travel(second.expires_at + dt.timedelta(minutes=1)):
        r = api().post(
            f"/api/v1/recipient-confirmations/{second.token}/",
            {"answer": "confirmed"},
            format="json",
        )
        assert r.status_code == 409
        page = client.get(f"/c/{second.token}/").content.decode()
        assert 'data-testid="expired"' in page
    page = client.post(f"/c/{third.token}/", {"answer": "denied"})
    assert page.status_code == 200 and 'data-testid="answered"' in page.content.decode()
    assert RecipientConfirmation.objects.get(pk=third.pk).status == "denied"


def test_recipients_need_names_and_real_mobile_numbers(api, ngo_admin, site):
    milestone, s = site
    body = {"summary": "完成", "values": {}, "recipients": [{"name": "甲", "phone": "12345"}]}
    url = f"/api/v1/milestones/{milestone.pk}/report/"
    r = api(ngo_admin).post(url, body, format="json")
    assert r.status_code == 400 and "recipients" in r.json()
    body["recipients"] = [{"name": "甲", "phone": "13908350001", "id_card": "x"}]
    assert api(ngo_admin).post(url, body, format="json").status_code == 400
    assert not milestone.reports.exists()


def test_who_may_inspect_and_assign(api, official, ngo_admin, other_ngo_admin, site):
    milestone, s = site
    report(api, ngo_admin, milestone, s)
    org, evaluator_user = delivery.evaluator()
    url = f"/api/v1/milestones/{milestone.pk}/"
    # an evaluator not assigned to this milestone, the supplier, another team: refused
    for user in (evaluator_user, ngo_admin, other_ngo_admin):
        delivery.inspect(api, user, milestone, targets(s), expect=403)
    # only a verified evaluator organization may be assigned, never by the evaluator itself
    other_team = delivery.rf.OrganizationFactory()
    r = api(official).post(f"{url}assign-evaluator/", {"organization": other_team.pk})
    assert r.status_code == 400
    unverified = delivery.rf.OrganizationFactory(kind="evaluator", status="pending")
    r = api(official).post(f"{url}assign-evaluator/", {"organization": unverified.pk})
    assert r.status_code == 400
    r = api(evaluator_user).post(f"{url}assign-evaluator/", {"organization": org.pk})
    assert r.status_code == 403
    delivery.assign(api, official, milestone, org)
    delivery.inspect(api, evaluator_user, milestone, targets(s))
    # the evaluator still cannot accept: that is the buyer's decision
    assert api(evaluator_user).post(f"{url}accept/", {}, format="json").status_code == 403
    # an inspection must measure every indicator
    r = api(official).post(
        f"{url}inspect/", {"notes": "x", "measured": {str(s["count"].pk): "5"}}, format="json"
    )
    assert r.status_code == 400 and "measured" in r.json()


@pytest.mark.parametrize("rows", [5, 50])
def test_the_sampled_recipients_list_has_a_fixed_cost_and_masks_phones(
    api, official, ngo_admin, site, rows, django_assert_max_num_queries
):
    milestone, s = site
    report(api, ngo_admin, milestone, s)
    for i in range(rows):
        RecipientConfirmation.objects.create(
            milestone=milestone,
            report=milestone.reports.get(),
            name=f"居民{i}",
            phone=f"139{i:08d}",
            token=f"t{i}",
            expires_at=timezone.now() + dt.timedelta(days=1),
        )
    url = f"/api/v1/milestones/{milestone.pk}/confirmations/"
    client = api(official)
    with django_assert_max_num_queries(12):
        r = client.get(url)
    assert r.status_code == 200 and r.json()["count"] == rows
    assert all("****" in row["phone"] for row in r.json()["results"])
    assert api(ngo_admin).get(url).status_code == 404  # the supplier never sees who was asked


def test_inspections_appear_in_the_contract_implementation_of_the_release(
    api, official, ngo_admin, site
):
    from procurement.models import Release
    from tests.procurement.conftest import assert_valid_ocds

    milestone, s = site
    org, evaluator_user = delivery.evaluator()
    delivery.assign(api, official, milestone, org)
    report(api, ngo_admin, milestone, s, files=[pdf()])
    delivery.sample_and_answer(api, official, milestone, ["confirmed", "confirmed", "denied"])
    delivery.inspect(api, evaluator_user, milestone, targets(s, response="3"))
    release = Release.objects.filter(project=milestone.contract.project).latest("date").data
    implementation = release["contracts"][0]["implementation"]
    (step,) = implementation["milestones"]
    assert step["type"] == "assessment" and step["status"] == "notMet"
    assert "响应时间：实测 3" in step["description"] and "≤" in step["description"]
    assert "否认 1 人" in step["description"] and "安澜评估中心" in step["description"]
    (document,) = implementation["documents"]
    assert document["documentType"] == "physicalProgressReport"
    assert "居民1" not in str(release) and "1390835" not in str(release)  # no names, no phones
    assert_valid_ocds(
        {
            "uri": "https://example.org/ocds",
            "version": "1.1",
            "publishedDate": release["date"],
            "publisher": {"name": "同舟"},
            "releases": [release],
        }
    )


@pytest.mark.parametrize("rows", [5, 50])
def test_the_evaluator_home_lists_its_milestones_at_a_fixed_cost(
    agency, ngo, rows, django_assert_max_num_queries
):
    from procurement.models import ProgressReport
    from procurement.queries import work_queue

    org, evaluator_user = delivery.evaluator()
    project = ProjectFactory(buyer=agency, status="implementing", published_at=timezone.now())
    bid = BidFactory(project=project, organization=ngo)
    award = Award.objects.create(
        project=project, bid=bid, amount=bid.price, standstill_ends_at=timezone.now()
    )
    contract = Contract.objects.create(
        project=project, award=award, supplier=ngo, value=award.amount
    )
    for i in range(rows):
        m = Milestone.objects.create(
            contract=contract,
            title=f"阶段{i}",
            due_at=timezone.now() + dt.timedelta(days=30),
            payment_percent=Decimal("1"),
            status="reported",
            evaluator=org,
        )
        ProgressReport.objects.create(milestone=m, summary="完成")
    evaluator_user = type(evaluator_user).objects.get(pk=evaluator_user.pk)
    # measured: 8 for 5 and 50 (memberships, the organization's tender items with their
    # debarment check, then 2 of its own)
    with django_assert_max_num_queries(8):
        items = [i for i in work_queue(evaluator_user) if i["role"] == "evaluator"]
    (item,) = items
    assert item["count"] == rows and item["hint"] == "阶段0"
    assert item["url"].startswith("/milestones/")
