"""Hardening, round two, item 3, the procurement half: a bidder who invites every expert after
the tender is published cannot empty the panel; the buyer is told instead.

Before: a bidder admin added all three experts as members (no consent needed) and the draw
found 0 conflict-free experts (400). Now a membership begun after publication through someone
else's invitation does not exclude the expert, and is flagged (alert, audit, project page, API)."""

import pytest

from core.display import display_name
from core.models import AuditEvent
from core.roles import Role
from procurement.models import Criterion, PanelDraw
from tests.procurement.factories import expert_user
from tests.procurement.flow import Flow
from tests.registry.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluating(api, official):
    flow = Flow(api, official)
    flow.create()
    flow.make_bidders(3)
    flow.early_expert = expert_user()
    org, admin = flow.bidders[1]
    # accepted an invitation from the bidder's admin before the tender was published
    MembershipFactory(user=flow.early_expert, organization=org, role=Role.MEMBER, invited_by=admin)
    flow.publish()
    flow.bid_all()
    with flow.after_deadline():
        flow.close_and_open()
        yield flow


def _invite(api, admin, org, user):
    response = api(admin).post(
        f"/api/v1/organizations/{org.pk}/members/", {"username": user.username}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "invited"
    return response.json()["id"]


def test_inviting_every_expert_after_publication_does_not_empty_the_panel(
    api, official, evaluating
):
    org, admin = evaluating.bidders[0]
    experts = [expert_user() for _ in range(3)]
    invitations = [_invite(api, admin, org, user) for user in experts]
    for user, invitation in zip(experts[:2], invitations, strict=False):  # two accept, one not
        accepted = api(user).post(f"/api/v1/invitations/{invitation}/accept/")
        assert accepted.status_code == 200, accepted.json()
    # the buyer is told as soon as an expert joins a bidder of a running tender
    joined = AuditEvent.objects.filter(action="procurement.expert_flagged")
    assert sorted(joined.values_list("data__expert", flat=True)) == sorted(
        u.pk for u in experts[:2]
    )
    draw = PanelDraw.objects.get(pk=evaluating.post("panel", {"size": 3}, expect=201)["id"])
    assert set(draw.selected) == {u.pk for u in experts}
    assert evaluating.early_expert.pk not in draw.selected
    # flagged at the draw too, alerted to the buying officials, listed for them
    assert joined.count() == 4
    titles = list(
        official.alert_deliveries.filter(channel="in_app").values_list("alert__title", flat=True)
    )
    assert sum("公告发布后有专家加入投标组织" in t for t in titles) >= 2, titles
    flags = api(official).get(f"/api/v1/procurements/{evaluating.pk}/conflict-flags/").json()
    assert [(f["expert"], f["organization"], f["invited_by"]) for f in flags] == [
        (u.pk, org.pk, display_name(admin)) for u in experts[:2]
    ]
    assert not any(u.username in str(flags) for u in [*experts, admin])  # names, not usernames
    # and a flagged expert on the panel may score
    criterion = Criterion.objects.get(project_id=evaluating.pk, kind="technical")
    evaluating.post(
        "scores",
        {"bid": evaluating.bids[1], "criterion": criterion.pk, "score": 10},
        user=experts[0],
        expect=201,
    )


def test_a_membership_from_before_publication_still_excludes(api, evaluating):
    outsiders = [expert_user() for _ in range(3)]
    draw = PanelDraw.objects.get(pk=evaluating.post("panel", {"size": 3}, expect=201)["id"])
    assert evaluating.early_expert.pk not in draw.selected
    assert set(draw.selected) == {u.pk for u in outsiders}
    assert not AuditEvent.objects.filter(action="procurement.expert_flagged").exists()


def test_a_membership_the_expert_made_themself_after_publication_still_excludes(api, evaluating):
    """No ``invited_by``: the expert's own doing (registration, staff). It still counts."""
    org, _admin = evaluating.bidders[2]
    insider = expert_user()
    MembershipFactory(user=insider, organization=org, role=Role.MEMBER)
    [expert_user() for _ in range(3)]
    draw = PanelDraw.objects.get(pk=evaluating.post("panel", {"size": 3}, expect=201)["id"])
    assert insider.pk not in draw.selected


def test_conflict_flags_are_for_the_buying_officials_only(
    api, client, official, outside_official, evaluating
):
    org, admin = evaluating.bidders[0]
    expert = expert_user()
    api(expert).post(f"/api/v1/invitations/{_invite(api, admin, org, expert)}/accept/")
    url = f"/api/v1/procurements/{evaluating.pk}/conflict-flags/"
    for who in (None, admin, expert, outside_official):
        assert api(who).get(url).status_code in (401, 403, 404)
    assert len(api(official).get(url).json()) == 1
    page = f"/procurements/{evaluating.pk}/"
    assert 'data-testid="conflict-flags"' not in client.get(page).content.decode()
    client.force_login(official)
    assert 'data-testid="conflict-flags"' in client.get(page).content.decode()
