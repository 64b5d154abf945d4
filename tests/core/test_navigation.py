"""The header's navigation in menus (core.navigation): every place of every role is reachable
exactly once, groups of one link show the link, the current page is marked."""

import re

import pytest

from core import hooks
from core.navigation import GROUPS, grouped, public_links
from core.roles import Role
from registry import services as reg
from tests.registry.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def nav_html(client, user=None, path: str = "/") -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    return html.split('<nav class="mainnav"', 1)[1].split("</nav>", 1)[0]


@pytest.fixture
def people(official, ngo, ngo_admin, expert):
    """One person per role: the official, a team's admin (its team a hub), a charity's admin,
    an expert, and nobody signed in."""
    reg.designate_hub(organization=ngo, by=official)
    charity = OrganizationFactory(name="雅安市慈善总会", kind="foundation", region_code="511800")
    charity_admin = UserFactory(username="charity_admin")
    MembershipFactory(user=charity_admin, organization=charity, role=Role.ADMIN)
    return {
        "official": official,
        "team": ngo_admin,
        "charity": charity_admin,
        "expert": expert,
        "public": None,
    }


@pytest.mark.parametrize("role", ["official", "team", "charity", "expert", "public"])
def test_every_place_of_each_role_is_in_the_navigation_exactly_once(client, people, role):
    user = people[role]
    own = hooks.collect("navigation_links", user) if user else []
    html = nav_html(client, user)
    keys = re.findall(r'data-nav="([^"]+)"', html)
    expected = [link["key"] for link in own] + [link["key"] for link in public_links()]
    assert sorted(keys) == sorted(expected)
    for link in own + public_links():
        assert html.count(f'href="{link["url"]}"') == 1, link["key"]


def test_the_official_sees_menus_with_chinese_labels(client, people):
    html = nav_html(client, people["official"])
    groups = re.findall(r'<details class="navgroup" data-nav-group="(\w+)">', html)
    assert groups == ["coordination", "organizations", "procurement", "preparedness", "liaison"]
    for label in ("应急协同", "社会组织", "政府购买服务", "演练与会商", "联络"):
        assert f">{label}</summary>" in html
    # the ledger alone in 捐赠公示: the link itself, not a menu of one
    assert 'data-nav-group="donations"' not in html
    assert 'data-nav="ledger"' in html
    # within a menu the person's own places come first (bold), then the public ones
    organizations = html.split('data-nav-group="organizations"', 1)[1].split("</details>", 1)[0]
    order = re.findall(r'data-nav="([^"]+)"', organizations)
    assert order == ["verification", "hubs", "volunteers", "organizations"]
    assert organizations.count('class="mine"') == 3


def test_the_current_page_is_marked_and_so_is_its_menu(client, people):
    html = nav_html(client, people["official"], "/hubs/")
    assert 'data-nav="hubs" aria-current="page"' in html
    assert '<summary class="current">社会组织</summary>' in html
    assert html.count('aria-current="page"') == 1


def test_a_link_without_a_known_group_goes_to_more():
    rows = grouped(
        [
            {"key": "a", "label": "A", "url": "/a/", "order": 1},
            {"key": "b", "label": "B", "url": "/b/", "order": 2, "group": "nonsense"},
        ],
        "/b/",
    )
    more = [g for g in rows if g.key == "other"][0]
    assert [link["key"] for link in more.links] == ["a", "b"]
    assert more.current and more.links[1]["current"] and not more.links[0]["current"]
    assert rows[-1] is more  # 更多 comes last
    assert [g.key for g in rows] == [k for k, _label in GROUPS if k in {g.key for g in rows}]


def test_the_navigation_costs_no_query_beyond_the_memberships(
    client, people, django_assert_num_queries
):
    """The grouping reads nothing: the hooks' links are built from the cached memberships."""
    from django.test import RequestFactory

    from core.context_processors import navigation

    request = RequestFactory().get("/")
    request.user = people["official"]
    navigation(request)  # memberships and badges
    with django_assert_num_queries(0):
        assert navigation(request)["nav"]["groups"]
        assert grouped(hooks.collect("navigation_links", people["official"]), "/")
