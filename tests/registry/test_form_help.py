"""Forms that help: the credit-code field, every error after one submit, the region picker on
every form that takes a region, specialties and personnel as labelled choices, documents from
phones."""

from __future__ import annotations

import re

import pytest

from registry.models import Capability, Organization
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def _errors(html: str) -> dict[str, list[str]]:
    """{field name: messages} of a rendered Django form (as_div)."""
    found: dict[str, list[str]] = {}
    for field, body in re.findall(
        r'<ul class="errorlist" id="id_(\w+)_error">(.*?)</ul>', html, re.S
    ):
        found[field] = re.findall(r"<li>(.*?)</li>", body, re.S)
    return found


def test_the_credit_code_field_helps_before_anything_is_sent(client):
    html = client.get("/register/").content.decode()
    field = re.search(r"<input[^>]*name=\"uscc\"[^>]*>", html).group(0)
    assert 'maxlength="18"' in field and 'autocapitalize="characters"' in field
    assert "data-uscc" in field
    assert "18 位代码" in html and "不含 I、O、S、V、Z" in html  # the format hint
    assert "js/uscc.js" in html
    # the live check speaks the server's words (registry.uscc.MESSAGES)
    assert 'data-msg-check_digit="最后一位' in html or "data-msg-check_digit=" in html
    assert_readable_html(html)


def test_a_lower_case_code_with_spaces_is_accepted(client):
    code = f.valid_uscc("social_service", "511802")
    data = _registration(uscc=f" {code[:9].lower()} {code[9:]} ", kind="social_service")
    response = client.post("/register/", data)
    assert response.status_code == 302, _errors(response.content.decode())
    assert Organization.objects.filter(uscc=code).exists()


def _registration(**overrides) -> dict:
    data = {
        "username": "newteam",
        "password": "a-Long-pass-2024",
        "email": "team@example.org",
        "name": "雅安市雨城区志愿者协会",
        "kind": "social_group",
        "uscc": f.valid_uscc("social_group", "511802"),
        "region_code": "511802",
    }
    return {**data, **overrides}


def test_one_submit_shows_every_error_of_the_registration(client):
    f.UserFactory(username="taken")
    code = f.valid_uscc("social_group", "511802")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    data = _registration(
        username="taken",
        password="12345",
        email="not-an-email",
        uscc=wrong,
        region_code="999999",
        name="",
    )
    html = client.post("/register/", data).content.decode()
    errors = _errors(html)
    assert set(errors) >= {"username", "password", "email", "uscc", "region_code", "name"}
    assert "密码太短" in " ".join(errors["password"])
    # the check's name ("check_digit") is for the API, not for people
    assert errors["uscc"] == ["最后一位未通过 GB 32100 校验。"]
    assert "999999" in errors["region_code"][0]
    assert "请修改下面标出的 6 个字段" in html
    assert not Organization.objects.exists()


def test_the_kind_and_the_code_prefix_are_checked_together(client):
    data = _registration(kind="foundation")  # a social group's code (51...)
    errors = _errors(client.post("/register/", data).content.decode())
    assert list(errors) == ["uscc"] and "53" in errors["uscc"][0]


def test_a_code_already_registered_points_to_its_record(client):
    existing = f.OrganizationFactory(kind="social_group", name="已注册协会")
    errors = _errors(client.post("/register/", _registration(uscc=existing.uscc)).content.decode())
    assert "已注册协会" in errors["uscc"][0]


def test_the_profile_shows_every_error_at_once_and_takes_service_regions_by_picker(
    client, ngo, ngo_admin
):
    client.force_login(ngo_admin)
    url = f"/organizations/{ngo.pk}/edit/"
    page = client.get(url).content.decode()
    assert "data-region-picker" in page and 'name="service_regions_text"' in page
    assert_readable_html(page)
    form = {
        "name": ngo.name,
        "contact_email": "bad",
        "website": "not a url at all",
        "founded_on": "1800-01-01",
        "service_regions_text": "511826 123456",
    }
    errors = _errors(client.post(url, form).content.decode())
    assert {"contact_email", "website", "founded_on", "service_regions_text"} <= set(errors)
    response = client.post(url, {"name": ngo.name, "service_regions_text": "511826，511827"})
    assert response.status_code == 302
    ngo.refresh_from_db()
    assert ngo.service_regions == ["511826", "511827"]
    detail = client.get(f"/organizations/{ngo.pk}/").content.decode()
    assert "四川省 雅安市 芦山县" in detail and "四川省 雅安市 宝兴县" in detail


def test_the_capability_form_offers_labelled_choices_and_a_box_per_function(client, ngo, ngo_admin):
    client.force_login(ngo_admin)
    url = f"/organizations/{ngo.pk}/capabilities/new/"
    page = client.get(url).content.decode()
    assert 'type="radio" name="specialty" value="mountain_rescue"' in page
    assert "山地搜救" in page
    for label in ("人数：管理", "人数：搜索", "人数：救援", "人数：安全员"):
        assert label in page
    assert_readable_html(page)
    bad = client.post(
        url,
        {
            "specialty": "mountain_rescue",
            "declared_grade": "9",
            "mobility_range": "local",
            "personnel_rescue": "-1",
            "equipment_text": "绳索=10\n缺数量",
        },
    ).content.decode()
    errors = _errors(bad)
    assert {"declared_grade", "personnel_rescue", "equipment_text"} <= set(errors)
    assert "第 2 行" in errors["equipment_text"][0]
    ok = client.post(
        url,
        {
            "specialty": "mountain_rescue",
            "declared_grade": "2",
            "mobility_range": "local",
            "personnel_rescue": "８",  # full-width, as an input method types it
            "personnel_management": "2",
            "equipment_text": "绳索＝10",
        },
    )
    assert ok.status_code == 302
    cap = Capability.objects.get(organization=ngo, specialty="mountain_rescue")
    assert cap.personnel == {"management": 2, "rescue": 8}
    assert cap.equipment == [{"name": "绳索", "quantity": 10}]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/register/", "region_code"),
        ("/organizations/?region=", "region"),
        ("/people/", "region_code"),  # adding a person
        ("/people/", "region"),  # the search filter
    ],
)
def test_every_registry_form_that_takes_a_region_uses_the_picker(client, ngo_admin, url, field):
    client.force_login(ngo_admin)
    html = client.get(url).content.decode()
    pickers = re.findall(r"<div class=\"region-picker\".*?</div>", html, re.S)
    assert any(f'name="{field}"' in picker for picker in pickers)


def test_alert_and_coordination_forms_take_regions_with_the_picker(client, official):
    client.force_login(official)
    html = client.get("/alerts/new/").content.decode()
    assert re.search(r'data-region-picker[^>]*data-multiple[\s\S]*?name="regions"', html)
    html = client.get("/procurements/new/").content.decode()
    pickers = re.findall(r"<div class=\"region-picker\".*?</div>", html, re.S)
    assert any('name="region_code"' in picker for picker in pickers)
    from coordination import forms as coordination_forms
    from core.formfields import RegionPicker

    for form, name in [
        (coordination_forms.IncidentForm, "region_code"),
        (coordination_forms.DeploymentForm, "area_region_code"),
        (coordination_forms.NeedForm, "region_code"),
        (coordination_forms.CapacityForm, "area_region_code"),
    ]:
        assert isinstance(form.base_fields[name].widget, RegionPicker), form


def test_documents_come_from_a_phone_camera_or_files(client, ngo, ngo_admin):
    client.force_login(ngo_admin)
    html = client.get(f"/organizations/{ngo.pk}/documents/").content.decode()
    field = re.search(r'<input type="file"[^>]*name="file"[^>]*>', html).group(0)
    assert "data-photo-input" in field and "application/pdf" in field
    assert "capture" not in field  # a certificate may be a PDF: no forced camera
    assert "js/photo-input.js" in html


def test_the_directory_filters_by_a_picked_region_and_old_links_still_work(client):
    f.OrganizationFactory(name="芦山队", region_code="511826")
    f.OrganizationFactory(name="深圳队", region_code="440300")
    html = client.get("/organizations/?region=511800").content.decode()
    assert "芦山队" in html and "深圳队" not in html
    assert "四川省 雅安市" in html  # the picked region is named beside the input
    html = client.get("/organizations/?province=440000").content.decode()
    assert "深圳队" in html and "芦山队" not in html
    bad = client.get("/organizations/?region=99999x")
    assert bad.status_code == 200


@pytest.mark.parametrize("n", [5, 60])
def test_the_verification_queue_costs_fixed_queries(
    client, official, django_assert_max_num_queries, n
):
    for _ in range(n):
        f.OrganizationFactory(status="pending", region_code="511826")
    client.force_login(official)
    with django_assert_max_num_queries(10):
        html = client.get("/verification/").content.decode()
    assert html.count("四川省 雅安市 芦山县") >= min(n, 50)
    assert_readable_html(html)
