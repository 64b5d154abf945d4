import pytest

pytestmark = pytest.mark.django_db


def test_the_dashboard_speaks_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "同舟共济" in html
    assert "登录" in html


def test_english_is_one_click_away(client):
    response = client.get("/?lang=en")
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Working a disaster together" in html
    # ... and remembered for the next page
    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_language_switcher_is_a_link_that_keeps_the_page_and_its_query(client):
    html = client.get("/incidents/?status=active&page=2").content.decode()
    assert 'href="/incidents/?status=active&amp;page=2&amp;lang=en"' in html
    assert "csrfmiddlewaretoken" not in html  # nothing per visitor on a public page
    html = client.get("/incidents/?lang=en&status=active").content.decode()
    assert '<html lang="en">' in html
    assert 'href="/incidents/?lang=zh-hans&amp;status=active"' in html


def test_set_language_still_answers_a_post(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()


def test_login_through_the_page_shows_the_user_on_the_dashboard(client, official):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    response = client.post(
        "/accounts/login/",
        {"username": official.username, "password": "correct-horse-battery"},
        follow=True,
    )
    html = response.content.decode()
    assert official.username in html
    assert "审计日志" in html  # officials get the audit trail in the navigation


def test_the_dashboard_shows_counts_from_the_apps(client):
    html = client.get("/").content.decode()
    assert 'data-testid="dashboard"' in html
    assert "已认证组织" in html or "Verified organizations" in html


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_dashboard_query_count_is_fixed(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        client.get("/")


def test_healthz(client):
    assert client.get("/healthz/").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"path": "/api/v1/me/", "QUERY_STRING": "x=%00"},
        {"path": "/api/v1/me/%00/"},
        {"path": "/", "HTTP_COOKIE": "sessionid=ab\x00cd"},
    ],
)
def test_nul_bytes_are_refused_with_a_400(client, kwargs):
    path = kwargs.pop("path")
    response = client.get(path, **kwargs)
    assert response.status_code == 400


def test_an_english_browser_still_gets_chinese_until_the_person_switches(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
