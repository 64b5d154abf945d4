"""The cold path of public lists (core.fastjson, core.renderers): for every fast list, the
bytes of the fast path equal the bytes of the serializer path (DRF's ListModelMixin.list and
JSONRenderer), on the demo data and on edge data, for the public and for logged-in users; and
the queries per request do not grow with the page."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework import mixins, renderers
from rest_framework.test import APIRequestFactory, force_authenticate

from coordination.api.views import IncidentViewSet
from core.roles import Role
from registry.api.views import OrganizationViewSet
from tests.registry import factories as f

factory = APIRequestFactory()


def reference_of(viewset):
    """The same viewset answering with the serializer and DRF's JSON renderer."""
    return type(
        f"Reference{viewset.__name__}",
        (viewset,),
        {"list": mixins.ListModelMixin.list, "renderer_classes": [renderers.JSONRenderer]},
    )


def body(viewset, path, user=None, action="list", **kwargs) -> tuple[int, bytes]:
    request = factory.get(path)
    if user is not None:
        force_authenticate(request, user=user)
    response = viewset.as_view({"get": action})(request, **kwargs)
    response.render()
    return response.status_code, response.content


def assert_same(viewset, path, user=None, action="list", **kwargs) -> bytes:
    fast = body(viewset, path, user, action, **kwargs)
    slow = body(reference_of(viewset), path, user, action, **kwargs)
    assert fast == slow, path
    return fast[1]


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, stdout=io.StringIO())


ORGANIZATION_PATHS = [
    "/api/v1/organizations/",
    "/api/v1/organizations/?page_size=3",
    "/api/v1/organizations/?page_size=3&page=2",
    "/api/v1/organizations/?kind=ngo",
    "/api/v1/organizations/?region=511800",
    "/api/v1/organizations/?specialty=medical",
    "/api/v1/organizations/?min_grade=2",
    "/api/v1/organizations/?search=%E6%95%91",
    "/api/v1/organizations/?status=pending",
    "/api/v1/organizations/?page=99",
]


def test_organizations_demo_data_same_output_for_everyone(demo, django_user_model):
    users = [None, *django_user_model.objects.filter(memberships__isnull=False).distinct()[:8]]
    for user in users:
        for path in ORGANIZATION_PATHS:
            assert_same(OrganizationViewSet, path, user)


def test_organizations_edge_rows(db, official, ngo_admin, ngo):
    """Nulls, empty nested lists, decimals, Chinese text, expired and revoked grades, private
    contacts for members and officials only."""
    import datetime as dt

    from django.utils import timezone

    from registry.models import Capability

    bare = f.OrganizationFactory(name="空白组织", founded_on=None, website="")
    bare.capabilities.all().delete()
    today = timezone.localdate()
    for specialty, grade, valid, revoked in [
        ("medical", 1, today + dt.timedelta(days=30), None),
        ("search_rescue", 2, today - dt.timedelta(days=1), None),
        ("logistics", 3, today + dt.timedelta(days=30), timezone.now()),
        ("psychological", None, None, None),
    ]:
        Capability.objects.update_or_create(
            organization=ngo,
            specialty=specialty,
            defaults={
                "declared_grade": 2,
                "assessed_grade": grade,
                "assessed_score": Decimal("87.50") if grade else None,
                "valid_until": valid,
                "revoked_at": revoked,
                "personnel": {"medic": 3, "其他": 1},
                "equipment": [{"name": "担架", "quantity": 4}],
                "certified_personnel": [{"name": "王医生", "certificate": "执业医师"}],
                "phases": ["response"],
            },
        )
    ngo.contact_name, ngo.contact_phone, ngo.description = "张三", "13800000000", "a\u2028b"
    ngo.save()
    for user in (None, official, ngo_admin):
        content = assert_same(OrganizationViewSet, "/api/v1/organizations/", user)
        assert ("13800000000".encode() in content) == (user is not None)
        assert "\\u2028".encode() in content
