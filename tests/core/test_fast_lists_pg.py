"""The cold path under real threads on PostgreSQL: many requests compiling and reading the same
fast list at once (the compiled plan is shared by the process's threads) all get the
serializer's bytes, while entries are appended beside them."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework import mixins, renderers
from rest_framework.test import APIRequestFactory

from core import fastjson
from donations.api import reads
from registry.api import views as registry_views
from tests.donations import factories as df
from tests.registry import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

factory = APIRequestFactory()


def render(view_class, path: str) -> bytes:
    response = view_class.as_view(
        **({"actions": {"get": "list"}} if hasattr(view_class, "get_extra_actions") else {})
    )(factory.get(path))
    response.render()
    return response.content


def reference(view_class):
    return type(
        "Reference",
        (view_class,),
        {"list": mixins.ListModelMixin.list, "renderer_classes": [renderers.JSONRenderer]},
    )


def in_threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


def test_threads_compile_and_read_the_directory_at_once(monkeypatch):
    for n in range(30):
        f.CapabilityFactory(organization=f.OrganizationFactory(name=f"并发队{n:02d}"))
    path = "/api/v1/organizations/?page_size=20"
    # a fresh, uncompiled fast list, so that the threads race to compile it
    fresh = fastjson.FastList(
        registry_views.DIRECTORY.serializer_class,
        nested=registry_views.DIRECTORY.nested,
        computed=registry_views.DIRECTORY.computed,
        conditional=registry_views.DIRECTORY.conditional,
        prepare=registry_views.DIRECTORY.prepare,
    )
    monkeypatch.setattr(registry_views.OrganizationViewSet, "fast_list", fresh)
    expected = render(reference(registry_views.OrganizationViewSet), path)
    results = in_threads(8, lambda i: render(registry_views.OrganizationViewSet, path))
    assert all(result == expected for result in results)


def test_ledger_pages_read_while_entries_are_appended():
    charity = df.foundation()
    admin = df.writer(charity)
    for _ in range(5):
        df.receipt(charity, admin, "10.00")

    def work(i):
        if i % 2:  # writers
            for _ in range(3):
                df.receipt(charity, admin, "1.00")
            return None
        pages = []
        for _ in range(3):
            fast = render(reads.EntryList, "/api/v1/ledger/entries/?page_size=50")
            pages.append(fast)
        return pages

    results = in_threads(6, work)
    # the serializer path gives the same bytes for the final state, and every row a reader saw
    # mid-way is the row of the final state (only receipts were appended: no badge changed)
    final_fast = render(reads.EntryList, "/api/v1/ledger/entries/?page_size=50")
    final_ref = render(reference(reads.EntryList), "/api/v1/ledger/entries/?page_size=50")
    assert final_fast == final_ref
    import json

    final = {row["seq"]: row for row in json.loads(final_fast)["results"]}
    assert len(final) == 5 + 3 * 3
    for pages in filter(None, results):
        for page in pages:
            for row in json.loads(page)["results"]:
                assert row == final[row["seq"]]
    assert Decimal(final[max(final)]["amount"]) == Decimal("1.00")
