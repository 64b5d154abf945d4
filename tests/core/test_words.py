"""Words, not codes: the audit trail in sentences, translated password errors, the region index
and the region field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from core import audit, audit_words, region_data
from core.formfields import RegionField, RegionPicker
from tests.coordination.factories import DeploymentFactory, IncidentFactory, TaskFactory
from tests.readable import assert_readable_html
from tests.registry import factories as f

pytestmark = pytest.mark.django_db


def _sentences(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_approved_filing_reads_as_the_issue_says(client, official, ngo):
    deployment = DeploymentFactory(organization=ngo, status="filed")
    audit.record_on(
        deployment,
        actor=official,
        action="deployment.approved",
        from_status="filed",
        to_status="approved",
    )
    html = _sentences(client, official, "/audit/")
    assert f"雅安市应急管理局 同意了 {ngo.name} 的报备" in html
    assert "deployment.approved" not in html and "filed → approved" not in html
    assert_readable_html(html)


def test_a_verification_reads_by_its_outcome(client, official, ngo):
    for outcome in ("rejected", "verified"):
        audit.record(
            actor=official,
            action="registry.verify",
            target=ngo,
            region_code=ngo.region_code,
            to_status=outcome,
        )
    html = _sentences(client, official, "/audit/")
    assert f"雅安市应急管理局 驳回了 {ngo.name} 的注册" in html
    assert f"雅安市应急管理局 认证通过了 {ngo.name}" in html


def test_an_action_missing_from_the_table_still_reads_as_a_sentence(client, official):
    task = TaskFactory(title="宝盛乡搜救")
    audit.record(
        actor=official,
        action="task.teleported",
        target=task,
        region_code="511826",
        from_status="accepted",
        to_status="in_progress",
    )
    audit.record(actor=official, action="task.renamed", target=task, region_code="511826")
    html = _sentences(client, official, f"/tasks/{task.pk}/")
    assert "雅安市应急管理局 将 宝盛乡搜救 从“已接受”改为“进行中”" in html
    assert "雅安市应急管理局 修改了 宝盛乡搜救" in html
    assert "task.teleported" not in html and "task.renamed" not in html


def test_the_platform_acts_when_nobody_did_and_english_reads_english(official):
    task = TaskFactory(title="宝盛乡搜救")
    event = audit.record(actor=None, action="task.claim_expired", target=task)
    [described] = audit_words.describe([event], task)
    assert described.sentence == "任务 宝盛乡搜救 的认领已超时失效"
    event = audit.record(actor=official, action="task.started", target=task)
    with translation.override("en"):
        [described] = audit_words.describe([event])
    assert described.sentence == "雅安市应急管理局 started work on the task 宝盛乡搜救"


def test_every_sentence_is_translated_and_names_actor_or_target():
    for action, template in audit_words.SENTENCES.items():
        with translation.override("en"):
            english = str(template)
        with translation.override("zh-hans"):
            chinese = str(template)
        assert chinese != english, f"{action} is not translated"
        assert "%(target)s" in chinese or "%(actor)s" in chinese, action


@pytest.mark.parametrize("n", [3, 30])
def test_the_audit_page_costs_fixed_queries_whatever_the_objects(
    client, official, django_assert_max_num_queries, n
):
    incident = IncidentFactory()
    for i in range(n):
        task = TaskFactory(incident=incident, title=f"任务{i}")
        audit.record_on(task, actor=official, action="task.created", to_status="open")
        team = f.OrganizationFactory(name=f"队伍{i}", region_code="511826")
        deployment = DeploymentFactory(incident=incident, organization=team)
        audit.record_on(deployment, actor=official, action="deployment.approved")
        audit.record(
            actor=official, action="registry.update_profile", target=team, region_code="511826"
        )
    client.force_login(official)
    with django_assert_max_num_queries(14):
        html = client.get("/audit/").content.decode()
    last = n - 1  # newest first
    assert f"创建了任务 任务{last}" in html
    assert f"同意了 队伍{last} 的报备" in html and f"更新了 队伍{last} 的资料" in html


def test_password_errors_read_in_chinese(client, ngo_admin):
    page = client.post("/accounts/login/", {"username": ngo_admin.username, "password": "x"})
    assert "请输入一个正确的用户名和密码" in page.content.decode()
    client.force_login(ngo_admin)
    page = client.post(
        "/accounts/password/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "12345",
            "new_password2": "12345",
        },
    ).content.decode()
    assert "密码太短，至少需要 10 个字符。" in page
    assert "This password is too short" not in page
    assert "你的密码必须包含至少 10 个字符" in client.get("/accounts/password/").content.decode()


def test_the_region_index_is_current_with_the_region_data():
    index = json.loads((Path(settings.BASE_DIR) / "static/geo/regions.json").read_text())
    rows = {r[0]: r for r in index["regions"]}
    assert [(code, name, parent or "") for code, name, _lvl, parent in region_data.rows()] == [
        (r[0], r[1], r[2]) for r in index["regions"]
    ]
    assert rows["511800"][1:] == ["雅安市", "510000", "yas"]
    assert rows["511826"][3] == "lsx"


def test_the_region_field_takes_a_code_and_names_an_unknown_one():
    field = RegionField()
    assert field.clean("５１１８２６") == "511826"  # full-width digits from an input method
    with pytest.raises(Exception, match="999999"):
        field.clean("999999")
    several = RegionField(multiple=True, required=False)
    assert several.clean("511826, 511827 ") == ["511826", "511827"]
    assert several.clean("") == []
    with pytest.raises(Exception, match="12345"):
        several.clean("511826 12345")


def test_the_region_picker_works_without_javascript_and_shows_the_name():
    html = RegionPicker().render("region_code", "511826")
    assert 'name="region_code"' in html and 'value="511826"' in html
    assert "四川省 雅安市 芦山县" in html
    assert "js/region-picker.js" in html and "geo/regions.json" in html
    several = RegionPicker(multiple=True).render("regions", ["511826", "511827"])
    assert 'value="511826 511827"' in several and "四川省 雅安市 宝兴县" in several


def test_capability_personnel_reads_as_words(client, ngo):
    f.CapabilityFactory(organization=ngo, personnel={"management": 3, "safety_officer": 1})
    html = client.get(f"/organizations/{ngo.pk}/").content.decode()
    assert "管理 3 人" in html and "安全员 1 人" in html
    assert "management" not in html.split("<main", 1)[1]


def test_a_region_distance_reads_as_words_never_a_bare_number():
    from core import words

    assert [words.closeness(n) for n in (0, 1, 2, 3)] == ["同一区县", "同一市州", "同省", "外省"]
    assert words.closeness(None) == "—"
    assert words.distance(0) == "0 米" and words.distance(3200) == "3.2 公里"
