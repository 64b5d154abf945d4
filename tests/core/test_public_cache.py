"""The warm path (core.public_cache, core.versions): anonymous public reads served by data version.

Writes here are real commits (``transaction=True``): versions are bumped in ``on_commit``,
which a test's wrapping transaction would never run.
"""

import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.middleware import csrf
from django.test import Client

from coordination.models import Task
from coordination.services import needs as need_services
from coordination.services import reports as report_services
from core import versions
from procurement.services import projects as project_services
from registry.services import organizations as org_services
from tests.coordination import factories as cf
from tests.donations import factories as df
from tests.procurement import factories as pf
from tests.registry import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _public_cache_on(settings):
    settings.TONGZHOU_PUBLIC_CACHE = True


def get(path, client=None, **headers):
    return (client or Client()).get(path, **{**JSON, **headers})


def warm(path, **headers):
    """Two anonymous reads: the first renders and stores, the second is served from the cache."""
    first = get(path, **headers)
    assert first.status_code == 200, first.content[:300]
    assert first["X-Tongzhou-Cache"] == "miss"
    second = get(path, **headers)
    assert second["X-Tongzhou-Cache"] == "hit"
    return second


def body(response) -> bytes:
    return response.content


# --- write then read: never stale -----------------------------------------------------------


def test_organization_list_api_and_page_show_a_profile_change_at_the_next_read(ngo, ngo_admin):
    api = warm("/api/v1/organizations/?page_size=50")
    page = warm("/organizations/", HTTP_ACCEPT="text/html")
    assert "芦山县应急救援队" in api.content.decode()
    org_services.update_profile(organization=ngo, by=ngo_admin, changes={"name": "宝兴县救援队"})
    api_after = get("/api/v1/organizations/?page_size=50")
    page_after = get("/organizations/", HTTP_ACCEPT="text/html")
    assert api_after["X-Tongzhou-Cache"] == "miss"
    assert "宝兴县救援队" in api_after.content.decode()
    assert "芦山县应急救援队" not in api_after.content.decode()
    assert "宝兴县救援队" in page_after.content.decode()
    assert page.content != page_after.content


def test_ledger_api_and_page_show_a_new_receipt_at_the_next_read():
    charity = df.foundation(name="壹基金测试")
    admin = df.writer(charity)
    df.receipt(charity, admin, "1000.00")
    warm("/api/v1/ledger/entries/?page_size=50")
    warm("/ledger/", HTTP_ACCEPT="text/html")
    df.receipt(charity, admin, "4321.09")
    api_after = get("/api/v1/ledger/entries/?page_size=50")
    page_after = get("/ledger/", HTTP_ACCEPT="text/html")
    assert api_after["X-Tongzhou-Cache"] == "miss"
    assert "4321.09" in api_after.content.decode()
    assert page_after["X-Tongzhou-Cache"] == "miss"
    assert "4,321.09" in page_after.content.decode() or "4321.09" in page_after.content.decode()


def test_incident_3w_and_page_show_a_report_and_a_need_at_the_next_read(official, ngo, ngo_admin):
    incident = cf.IncidentFactory()
    task = cf.TaskFactory(incident=incident, organization=ngo, status=Task.Status.IN_PROGRESS)
    three_w = f"/api/v1/incidents/{incident.pk}/3w/"
    page = f"/incidents/{incident.pk}/?tab=needs"
    before = warm(three_w).json()
    assert before[0]["reached"] == 0
    warm(page, HTTP_ACCEPT="text/html")
    report_services.report_task(task=task, by=ngo_admin, summary="搜救", people_served=37)
    assert get(three_w).json()[0]["reached"] == 37
    need_services.post_need(
        incident=incident,
        by=official,
        category="shelter",
        description="棉被九百床",
        quantity=900,
        unit="床",
        region_code="511826",
    )
    after = get(page, HTTP_ACCEPT="text/html")
    assert after["X-Tongzhou-Cache"] == "miss"
    assert "棉被九百床" in after.content.decode()


def test_compensation_figures_and_incident_page_show_a_new_claim_at_the_next_read(ngo, ngo_admin):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from compensation import services as compensation_services

    incident = cf.IncidentFactory()
    deployment = cf.DeploymentFactory(incident=incident, organization=ngo)
    stats = f"/api/v1/compensation-stats/?incident={incident.pk}"
    page = f"/incidents/{incident.pk}/"
    assert warm(stats).json() == []
    warm(page, HTTP_ACCEPT="text/html")
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "JPEG")
    compensation_services.file_claim(
        by=ngo_admin,
        deployment=deployment,
        kind="equipment",
        description="冲锋舟损毁",
        occurred_at=incident.started_at,
        amount_claimed=Decimal("3000"),
        evidence=[SimpleUploadedFile("a.jpg", photo.getvalue(), content_type="image/jpeg")],
    )
    assert get(stats).json()[0]["claimed"] == "3000.00"
    after = get(page, HTTP_ACCEPT="text/html")
    assert after["X-Tongzhou-Cache"] == "miss"
    assert 'data-testid="compensation-stats"' in after.content.decode()


def test_procurement_list_shows_a_published_tender_at_the_next_read(agency, official):
    project = pf.ProjectFactory(buyer=agency, title="安置点心理援助服务采购")
    assert (
        "安置点心理援助服务采购" not in warm("/api/v1/procurements/?page_size=50").content.decode()
    )
    warm("/procurements/", HTTP_ACCEPT="text/html")
    project_services.publish_project(project=project, by=official)
    assert "安置点心理援助服务采购" in get("/api/v1/procurements/?page_size=50").content.decode()
    page = get("/procurements/", HTTP_ACCEPT="text/html")
    assert page["X-Tongzhou-Cache"] == "miss"
    assert "安置点心理援助服务采购" in page.content.decode()


def test_notice_library_shows_a_published_notice_at_the_next_read(official):
    from liaison.services import publish_notice

    assert "芦山地震救援报备须知" not in warm("/api/v1/notices/").content.decode()
    warm("/notices/", HTTP_ACCEPT="text/html")
    publish_notice(by=official, title="芦山地震救援报备须知", body="进入灾区前须报备。")
    assert "芦山地震救援报备须知" in get("/api/v1/notices/").content.decode()
    page = get("/notices/", HTTP_ACCEPT="text/html")
    assert page["X-Tongzhou-Cache"] == "miss"
    assert "芦山地震救援报备须知" in page.content.decode()


# --- validators: ETag, Last-Modified, 304 -----------------------------------------------------


def test_if_none_match_gets_304_without_rendering_and_a_write_changes_the_etag(
    ngo, ngo_admin, django_assert_num_queries
):
    path = "/api/v1/organizations/"
    first = get(path)
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    with django_assert_num_queries(0):
        revalidated = get(path, HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    assert revalidated["ETag"] == etag
    org_services.update_profile(organization=ngo, by=ngo_admin, changes={"name": "新名救援队"})
    changed = get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "新名救援队" in changed.content.decode()


def test_304_is_answered_before_rendering_even_on_a_miss(
    ngo, monkeypatch, django_assert_num_queries
):
    path = "/api/v1/organizations/?page_size=20"
    etag = get(path)["ETag"]
    for scope in versions.ALL_SCOPES:  # versions gone (Redis restarted): the old ETag is stale
        cache.delete(versions._key(scope))
    assert get(path, HTTP_IF_NONE_MATCH=etag).status_code == 200
    etag = get(path)["ETag"]
    # no stored response at all: the ETag is computed from the versions before rendering
    from core import public_cache

    real_get_many = cache.get_many
    dropped = []

    def without_stored_responses(keys, *args, **kwargs):
        found = real_get_many(keys, *args, **kwargs)
        dropped.extend(k for k in list(found) if "tz:pc:" in k)
        return {k: v for k, v in found.items() if "tz:pc:" not in k}

    monkeypatch.setattr(public_cache.cache, "get_many", without_stored_responses)
    with django_assert_num_queries(0):
        not_modified = get(path, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert dropped  # there was a stored response, and it was not used
    assert not_modified["Cache-Control"].startswith("private")  # unknown: the safe side
    assert get(path)["X-Tongzhou-Cache"] == "miss"


def test_last_modified_and_if_modified_since(ngo, ngo_admin):
    org_services.update_profile(organization=ngo, by=ngo_admin, changes={"name": "某救援队"})
    path = "/api/v1/organizations/"
    # a version bumped in the current second has no Last-Modified yet (whole-second dates)
    from django.http import HttpResponse

    from core.public_cache import _validators

    just_now = HttpResponse()
    _validators(just_now, '"x"', time.time() + 0.5, private=False)
    assert "Last-Modified" not in just_now
    get(path)  # creates (and stamps) the route's other scopes, in this test's fresh cache
    time.sleep(1.05)
    response = get(path)
    modified = response["Last-Modified"]
    assert get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    org_services.update_profile(organization=ngo, by=ngo_admin, changes={"name": "另名救援队"})
    assert get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert get(path, HTTP_IF_MODIFIED_SINCE=modified, HTTP_IF_NONE_MATCH='"x"').status_code == 200


# --- who gets cached responses ----------------------------------------------------------------


def test_a_warm_hit_costs_no_sql_whatever_the_page_size(ngo, django_assert_num_queries):
    for n in range(12):
        f.OrganizationFactory(name=f"队伍{n}", region_code="511826")
    for size in (5, 50):
        warm(f"/api/v1/organizations/?page_size={size}")
        with django_assert_num_queries(0):
            assert get(f"/api/v1/organizations/?page_size={size}")["X-Tongzhou-Cache"] == "hit"
    warm("/ledger/", HTTP_ACCEPT="text/html")
    with django_assert_num_queries(0):
        assert get("/ledger/", HTTP_ACCEPT="text/html")["X-Tongzhou-Cache"] == "hit"


def test_logged_in_people_never_get_a_cached_response(ngo, ngo_admin):
    warm("/organizations/", HTTP_ACCEPT="text/html")
    client = Client()
    client.force_login(ngo_admin)
    for _ in range(2):
        response = client.get("/organizations/", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert "X-Tongzhou-Cache" not in response
        assert "ETag" not in response
        assert 'action="/accounts/logout/"' in response.content.decode()
    # an API token is a logged-in caller too
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=ngo_admin)
    api = get("/api/v1/organizations/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert "X-Tongzhou-Cache" not in api


def test_responses_that_set_a_cookie_are_not_stored():
    # ?lang= sets the language cookie: rendered every time, never stored
    for _ in range(2):
        response = get("/organizations/?lang=en", HTTP_ACCEPT="text/html")
        assert "django_language" in response.cookies
        assert "X-Tongzhou-Cache" not in response
    # a view that sets another cookie is not stored either (the middleware's own rule)
    from django.http import HttpResponse

    from core.public_cache import _storable

    plain = HttpResponse("x")
    assert _storable(None, plain)
    plain.set_cookie("sessionid", "abc")
    assert not _storable(None, plain)
    private = HttpResponse("x")
    private["Cache-Control"] = "private"
    assert not _storable(None, private)


def test_language_is_part_of_the_key():
    zh = warm("/organizations/", HTTP_ACCEPT="text/html")
    client = Client()
    client.cookies["django_language"] = "en"
    en = client.get("/organizations/", HTTP_ACCEPT="text/html")
    assert en["X-Tongzhou-Cache"] == "miss"
    assert en["Content-Language"] == "en"
    assert zh["Content-Language"] == "zh-hans"
    assert client.get("/organizations/", HTTP_ACCEPT="text/html")["Content-Language"] == "en"


def test_public_pages_carry_no_csrf_token_and_may_be_kept_by_shared_caches():
    """The language switcher is a link (``?lang=``), so an anonymous public page has no form
    and nothing per visitor: no token, no CSRF cookie, ``Cache-Control: public``."""
    warm("/organizations/", HTTP_ACCEPT="text/html")
    page = Client().get("/organizations/", HTTP_ACCEPT="text/html")
    assert page["X-Tongzhou-Cache"] == "hit"
    assert page["Cache-Control"].startswith("public")
    assert not _tokens(page.content) and "csrftoken" not in page.cookies
    assert 'href="/organizations/?lang=en"' in page.content.decode()


def test_a_stored_page_with_a_form_carries_each_visitors_own_csrf_token(rf):
    """A public page that has a form (none has today) is stored with placeholders and served
    with a token masked from the visitor's own CSRF secret, ``Cache-Control: private``."""
    from django.http import HttpResponse

    from core import public_cache

    form = '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{}"></form>'
    rendered = HttpResponse((form.format("a" * 64) * 2).encode())
    entry = public_cache._entry_from(rendered, "v1")
    assert entry["csrf"] and b"a" * 64 not in entry["body"]
    secret = csrf._get_new_csrf_string()
    visitor = rf.get("/organizations/")
    visitor.COOKIES["csrftoken"] = secret
    page = public_cache._serve(visitor, entry, '"e"', 0.0)
    assert page["Cache-Control"].startswith("private")
    tokens = _tokens(page.content)
    assert len(tokens) == 2 and all(csrf._does_token_match(t, secret) for t in tokens)
    assert "csrftoken" not in page.cookies
    # a visitor without one gets a new cookie with matching tokens
    page = public_cache._serve(rf.get("/organizations/"), entry, '"e"', 0.0)
    secret = page.cookies["csrftoken"].value
    assert all(csrf._does_token_match(t, secret) for t in _tokens(page.content))
    assert b"\x00" not in page.content


def _tokens(content: bytes) -> list[str]:
    import re

    return re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', content.decode())


# --- the degraded cache, missing versions, batches ----------------------------------------------


def test_a_degraded_cache_bypasses_the_response_cache(monkeypatch, ngo, ngo_admin):
    warm("/api/v1/organizations/")
    monkeypatch.setattr(versions, "is_degraded", lambda: True)
    response = get("/api/v1/organizations/")
    assert "X-Tongzhou-Cache" not in response
    assert "ETag" not in response
    # a write while degraded is remembered and bumped in the real cache when it is back
    before = versions.current("registry").values["registry"]
    org_services.update_profile(organization=ngo, by=ngo_admin, changes={"name": "断网时改名"})
    assert "registry" in versions._pending
    monkeypatch.setattr(versions, "is_degraded", lambda: False)
    assert versions.current("registry").values["registry"] > before
    assert not versions._pending
    assert "断网时改名" in get("/api/v1/organizations/").content.decode()


def test_a_missing_version_key_is_a_new_version_never_an_old_one():
    old = versions.current("registry").values["registry"]
    versions.bump("registry")
    bumped = versions.current("registry").values["registry"]
    assert bumped == old + 1
    cache.delete(versions._key("registry"))  # evicted, or Redis restarted
    renewed = versions.current("registry").values["registry"]
    assert renewed not in (old, bumped)
    assert renewed > bumped


def test_one_transaction_bumps_once_and_a_rollback_bumps_nothing(ngo):
    from django.db import transaction

    start = versions.current("registry", "coordination").values
    with transaction.atomic():
        for n in range(5):
            f.OrganizationFactory(name=f"批量{n}")
        cf.IncidentFactory()  # coordination, and its lead agency (registry)
    after = versions.current("registry", "coordination").values
    assert after["registry"] == start["registry"] + 1
    assert after["coordination"] == start["coordination"] + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        f.OrganizationFactory(name="回滚")
        raise RuntimeError
    assert versions.current("registry").values["registry"] == after["registry"]
    # a savepoint rolled back inside a committed transaction: the outer write still bumps
    with transaction.atomic():
        try:
            with transaction.atomic():
                f.OrganizationFactory(name="内层")
                raise RuntimeError
        except RuntimeError:
            pass
        f.OrganizationFactory(name="外层")
    assert versions.current("registry").values["registry"] == after["registry"] + 1


def test_audit_rows_do_not_bump(ngo, ngo_admin):
    from core import audit

    start = versions.current("core").values["core"]
    audit.record(actor=ngo_admin, action="test.nothing", target=ngo)
    assert versions.current("core").values["core"] == start


def test_transitions_by_conditional_update_bump(official, ngo, ngo_admin):
    """core.states.move with ``expect`` writes by QuerySet.update(): it bumps explicitly."""
    incident = cf.IncidentFactory()
    task = cf.TaskFactory(incident=incident, organization=ngo, status=Task.Status.ACCEPTED)
    start = versions.current("coordination").values["coordination"]
    from coordination.services import tasks as task_services

    task_services.start_task(task=task, by=ngo_admin)
    assert versions.current("coordination").values["coordination"] > start


def test_only_declared_routes_are_cached(ngo_admin):
    assert "X-Tongzhou-Cache" not in get("/healthz/live/")
    assert "X-Tongzhou-Cache" not in get("/api/v1/ledger/totals/")
    client = Client()
    assert "X-Tongzhou-Cache" not in client.post("/api/v1/organizations/", {})


def test_the_cache_can_be_switched_off(settings):
    settings.TONGZHOU_PUBLIC_CACHE = False
    for _ in range(2):
        response = get("/api/v1/organizations/")
        assert "X-Tongzhou-Cache" not in response


def test_values_are_amounts_not_floats_in_a_served_entry():
    charity = df.foundation()
    admin = df.writer(charity)
    df.receipt(charity, admin, "10.10")
    hit = warm("/api/v1/ledger/entries/")
    fresh_client = Client()
    fresh_client.cookies["sessionid"] = "not-a-session"  # bypasses the cache: a fresh render
    fresh = fresh_client.get("/api/v1/ledger/entries/", **JSON)
    assert "X-Tongzhou-Cache" not in fresh
    assert hit.content == fresh.content
    assert hit["Content-Type"] == fresh["Content-Type"]
    assert Decimal(hit.json()["results"][0]["amount"]) == Decimal("10.10")


def test_made_up_validators_do_not_turn_a_missing_page_into_a_304():
    missing = "/incidents/999999/"
    assert get(missing, HTTP_IF_NONE_MATCH="*", HTTP_ACCEPT="text/html").status_code == 404
    old_date = "Tue, 01 Dec 2020 00:00:00 GMT"
    assert get(missing, HTTP_IF_MODIFIED_SINCE=old_date).status_code == 404
    future = "Tue, 01 Dec 2099 00:00:00 GMT"
    assert get(missing, HTTP_IF_MODIFIED_SINCE=future).status_code == 404


def test_head_is_served_from_the_cache(ngo):
    warm("/api/v1/organizations/")
    head = Client().head("/api/v1/organizations/", **JSON)
    assert head.status_code == 200
    assert head["X-Tongzhou-Cache"] == "hit"


def test_a_failed_bump_never_fails_the_committed_write_and_is_retried(monkeypatch, ngo, ngo_admin):
    warm("/api/v1/organizations/")
    real_incr = cache.incr

    def broken(key, *args, **kwargs):
        if key.startswith(versions._key("")):  # the bump; the throttles still count
            raise RuntimeError("cache refused")
        return real_incr(key, *args, **kwargs)

    real_many = getattr(cache, "incr_existing", None)  # the resilient Redis cache's bump

    def broken_many(keys):
        raise RuntimeError("cache refused")

    monkeypatch.setattr(versions.cache, "incr", broken)
    if real_many is not None:
        monkeypatch.setattr(versions.cache, "incr_existing", broken_many)
    org_services.update_profile(organization=ngo, by=ngo_admin, changes={"name": "照常保存"})
    assert "registry" in versions._pending
    # while the bump is owed, this process renders fresh and stores nothing
    owed = get("/api/v1/organizations/")
    assert "X-Tongzhou-Cache" not in owed
    assert "照常保存" in owed.content.decode()
    monkeypatch.setattr(versions.cache, "incr", real_incr)
    if real_many is not None:
        monkeypatch.setattr(versions.cache, "incr_existing", real_many)
    served = get("/api/v1/organizations/")
    assert served["X-Tongzhou-Cache"] == "miss"
    assert "照常保存" in served.content.decode()
    assert not versions._pending


def test_incident_list_api_and_page_show_a_new_incident_at_the_next_read(official):
    from django.utils import timezone

    from coordination.services import incidents as incident_services

    cf.IncidentFactory(title="芦山地震旧")
    warm("/api/v1/incidents/?page_size=50")
    warm("/incidents/", HTTP_ACCEPT="text/html")
    incident_services.create_incident(
        by=official,
        title="宝兴洪涝灾害",
        kind="natural_disaster",
        subtype="flood",
        grade=3,
        region_code="511826",
        started_at=timezone.now(),
    )
    api = get("/api/v1/incidents/?page_size=50")
    page = get("/incidents/", HTTP_ACCEPT="text/html")
    assert api["X-Tongzhou-Cache"] == page["X-Tongzhou-Cache"] == "miss"
    assert "宝兴洪涝灾害" in api.content.decode()
    assert "宝兴洪涝灾害" in page.content.decode()


def test_every_declared_route_exists_and_every_scope_is_known():
    """A misspelt URL name would silently never be cached; an unknown scope never bumped."""
    from django.urls import get_resolver

    from core.public_cache import routes

    names = set()
    resolver = get_resolver()

    def walk(patterns, namespace=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, inner)
            elif p.name:
                names.add(f"{namespace}{p.name}")

    walk(resolver.url_patterns)
    declared = routes()
    assert len(declared) >= 10
    assert set(declared) <= names, set(declared) - names
    assert {s for scopes in declared.values() for s in scopes} <= set(versions.scopes())
    assert set(versions.scopes()) == set(versions.ALL_SCOPES)


def test_with_redis_unreachable_every_read_renders_fresh(settings, ngo, ngo_admin):
    """The real resilient backend pointed at a closed port: it degrades to its per-process
    fallback, and the response cache is bypassed (nothing served or stored from the fallback)."""
    import socket

    from core import cache as resilient

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    resilient.reset_state()
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": f"public-cache-outage-{time.monotonic_ns()}",
        }
    }
    try:
        for _ in range(3):
            response = get("/api/v1/organizations/")
            assert response.status_code == 200
            assert "X-Tongzhou-Cache" not in response
            assert "ETag" not in response
        assert versions.is_degraded()
        org_services.update_profile(organization=ngo, by=ngo_admin, changes={"name": "断网改名"})
        assert "registry" in versions._pending  # owed to Redis when it is back
        assert "断网改名" in get("/api/v1/organizations/").content.decode()
    finally:
        versions._pending.clear()
        resilient.reset_state()
