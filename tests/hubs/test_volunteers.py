"""Hubs register volunteers (phone proved by an SMS code), post calls, and sign-ups are refused
when the call or the area is full (volunteers.services)."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from coordination import services as coord
from coordination.models import Deployment
from core.states import Conflict
from tests.coordination.factories import DeploymentFactory, IncidentFactory
from tests.hubs.conftest import last_code
from volunteers import services as vs
from volunteers.models import SignUp


def verified_volunteer(hub, by, phone="13900001111", name="赵六"):
    volunteer = vs.register_volunteer(
        by=by, hub=hub, name=name, phone=phone, region_code="511826", skills=["心理援助"]
    )
    return vs.verify_phone(volunteer=volunteer, by=by, code=last_code(phone))


@pytest.fixture
def incident(db):
    return IncidentFactory()


def test_a_volunteer_counts_only_once_the_phone_code_is_entered(hub, hub_member):
    volunteer = vs.register_volunteer(
        by=hub_member, hub=hub, name="赵六", phone="139 0000 1111", region_code="511826"
    )
    assert volunteer.phone == "13900001111" and not volunteer.is_verified
    with pytest.raises(ValidationError) as error:
        vs.verify_phone(volunteer=volunteer, by=hub_member, code="000000")
    assert "code" in error.value.message_dict
    vs.verify_phone(volunteer=volunteer, by=hub_member, code=last_code("13900001111"))
    volunteer.refresh_from_db()
    assert volunteer.is_verified


def test_a_code_expires_and_allows_few_attempts(hub, hub_member, settings):
    volunteer = vs.register_volunteer(
        by=hub_member, hub=hub, name="赵六", phone="13900001111", region_code="511826"
    )
    code = last_code("13900001111")
    for _ in range(vs.CODE_ATTEMPTS):
        with pytest.raises(ValidationError):
            vs.verify_phone(
                volunteer=volunteer, by=hub_member, code="999999" if code != "999999" else "111111"
            )
    with pytest.raises(ValidationError):  # the right code no longer works
        vs.verify_phone(volunteer=volunteer, by=hub_member, code=code)
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        vs.resend_phone_code(volunteer=volunteer, by=hub_member)
        fresh = last_code("13900001111")
    with (
        time_machine.travel(
            timezone.now()
            + timezone.timedelta(minutes=settings.TONGZHOU_VOLUNTEER_CODE_MINUTES + 5)
        ),
        pytest.raises(ValidationError),
    ):
        vs.verify_phone(volunteer=volunteer, by=hub_member, code=fresh)


def test_only_a_hubs_members_register_volunteers(hub, ngo_admin, official):
    for user in (ngo_admin, official):
        with pytest.raises(PermissionDenied):
            vs.register_volunteer(
                by=user, hub=hub, name="赵六", phone="13900001111", region_code="511826"
            )


def test_volunteer_sign_up_is_refused_when_the_area_is_full(hub, hub_member, official, incident):
    coord.set_area_capacity(
        incident=incident, by=official, area_region_code="511826", max_people=12
    )
    DeploymentFactory(incident=incident, headcount=10)  # an approved team of 10
    call = vs.post_call(
        by=hub_member,
        hub=hub,
        incident=incident,
        area_region_code="511826",
        title="安置点志愿者",
        slots=5,
    )
    first = verified_volunteer(hub, hub_member, "13900000001", "甲")
    second = verified_volunteer(hub, hub_member, "13900000002", "乙")
    third = verified_volunteer(hub, hub_member, "13900000003", "丙")
    vs.sign_up(call=call, by=hub_member, volunteer=first)
    vs.sign_up(call=call, by=hub_member, volunteer=second)
    with pytest.raises(Conflict) as refused:
        vs.sign_up(call=call, by=hub_member, volunteer=third)
    assert "12" in str(refused.value) and "芦山县" in str(refused.value)
    assert SignUp.objects.filter(call=call, status="signed_up").count() == 2
    # and a team filing now for the same area is held: the volunteers count against it too
    from tests.registry.factories import org_user

    team_admin = org_user()
    filing = coord.file_deployment(
        incident=incident,
        by=team_admin,
        headcount=1,
        area_region_code="511826",
        arrival_at=timezone.now(),
        leader_name="张三",
    )
    assert filing.status == Deployment.Status.HELD


def test_sign_up_is_refused_when_the_call_is_full(hub, hub_member, incident):
    call = vs.post_call(
        by=hub_member, hub=hub, incident=incident, area_region_code="511826", title="搬运", slots=1
    )
    vs.sign_up(
        call=call, by=hub_member, volunteer=verified_volunteer(hub, hub_member, "13900000001")
    )
    with pytest.raises(Conflict) as refused:
        vs.sign_up(
            call=call, by=hub_member, volunteer=verified_volunteer(hub, hub_member, "13900000002")
        )
    assert "1" in str(refused.value)


def test_a_volunteer_signs_up_alone_with_a_code(hub, hub_member, incident):
    call = vs.post_call(
        by=hub_member, hub=hub, incident=incident, area_region_code="511826", title="搬运", slots=3
    )
    verified_volunteer(hub, hub_member, "13900000001")
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        vs.request_sign_up_code(call=call, phone="13900000001")
        code = last_code("13900000001")
        sign_up = vs.confirm_sign_up(call=call, phone="13900000001", code=code)
    assert sign_up.status == SignUp.Status.SIGNED_UP and sign_up.entered_by is None
    # an unknown phone gets the same answer and no SMS
    assert vs.request_sign_up_code(call=call, phone="13900000009") is None
    with pytest.raises(ValidationError):
        vs.confirm_sign_up(call=call, phone="13900000009", code="123456")


def test_an_unverified_volunteer_cannot_sign_up(hub, hub_member, incident):
    call = vs.post_call(
        by=hub_member, hub=hub, incident=incident, area_region_code="511826", title="搬运", slots=3
    )
    volunteer = vs.register_volunteer(
        by=hub_member, hub=hub, name="赵六", phone="13900001111", region_code="511826"
    )
    with pytest.raises(ValidationError):
        vs.sign_up(call=call, by=hub_member, volunteer=volunteer)


def test_a_cancelled_sign_up_frees_the_place(hub, hub_member, incident):
    call = vs.post_call(
        by=hub_member, hub=hub, incident=incident, area_region_code="511826", title="搬运", slots=1
    )
    first = verified_volunteer(hub, hub_member, "13900000001")
    entry = vs.sign_up(call=call, by=hub_member, volunteer=first)
    vs.cancel_sign_up(sign_up=entry, by=hub_member)
    vs.sign_up(
        call=call, by=hub_member, volunteer=verified_volunteer(hub, hub_member, "13900000002")
    )


def test_a_closed_call_takes_nobody(hub, hub_member, ngo_admin, incident):
    call = vs.post_call(
        by=hub_member, hub=hub, incident=incident, area_region_code="511826", title="搬运", slots=3
    )
    with pytest.raises(PermissionDenied):
        vs.close_call(call=call, by=ngo_admin)
    vs.close_call(call=call, by=hub_member)
    with pytest.raises(Conflict):
        vs.sign_up(call=call, by=hub_member, volunteer=verified_volunteer(hub, hub_member))
