"""Inputs a fuzzer would try: huge ids and values, garbage cursors and JSON; never a 500."""

import pytest

from tests.donations import factories as df

BIG = "99999999999999999999"


@pytest.mark.django_db
def test_out_of_range_ids_huge_values_and_garbage_are_4xx_never_500(
    api, charity, charity_admin, ngo
):
    df.receipt(charity, charity_admin, "100.00")
    c = api(charity_admin)
    gets = [
        f"/api/v1/ledger/entries/?incident={BIG}",
        f"/api/v1/ledger/entries/?organization={BIG}",
        "/api/v1/ledger/entries/?organization=-1",
        "/api/v1/ledger/entries/?cursor=zzz",
        f"/api/v1/ledger/totals/?incident={BIG}",
        f"/api/v1/ledger/entries/{BIG}/",
        "/api/v1/ledger/trace/" + "A" * 3000 + "/",
        f"/ledger/?incident={BIG}",
        f"/ledger/?before={BIG}",
        f"/ledger/entries/{BIG}/",
        f"/api/v1/ledger/totals.csv?organization={BIG}",
        "/api/v1/ledger/entries/?page_size=100000",
    ]
    for url in gets:
        r = c.get(url)
        assert r.status_code < 500, (url, r.status_code)
    posts = [
        (
            "/api/v1/ledger/disbursements/",
            {"amount": "1.00", "purpose": "x", "sources": [{"entry": int(BIG), "amount": "1.00"}]},
        ),
        ("/api/v1/ledger/disbursements/", {"amount": "1.00", "purpose": "x", "incident": int(BIG)}),
        (
            "/api/v1/ledger/receipts/",
            {
                "donor_kind": "individual",
                "channel": "cash",
                "items": [
                    {
                        "name": "a",
                        "unit": "b",
                        "quantity": "99999999999.999",
                        "unit_value": "9999999999.99",
                    }
                ],
            },
        ),
        (
            "/api/v1/ledger/receipts/",
            {
                "donor_kind": "individual",
                "channel": "cash",
                "amount": "1.00",
                "received_at": "0001-01-01T00:00:00Z",
            },
        ),
        (
            "/api/v1/ledger/receipts/",
            {"donor_kind": "individual", "channel": "cash", "amount": "1.00", "items": "null"},
        ),
        (
            "/api/v1/ledger/receipts/",
            {
                "donor_kind": "individual",
                "channel": "cash",
                "amount": "1.00",
                "organization": int(BIG),
            },
        ),
        (f"/api/v1/ledger/allocations/{BIG}/acknowledge/", {"amount": "1.00"}),
        (
            "/api/v1/ledger/allocations/",
            {
                "to_organization": ngo.pk,
                "items": [{"name": "x", "unit": "y", "quantity": "1"}],
                "sources": [{"entry": 1, "item": "x", "quantity": "1"}],
            },
        ),
        (
            "/api/v1/ledger/allocations/",
            {
                "to_organization": ngo.pk,
                "amount": "1.00",
                "sources": [{"entry": 1, "amount": "2.00"}],
            },
        ),
        ("/api/v1/ledger/entries/1/change-of-use/", {"purpose": "y", "filing_reference": "f"}),
    ]
    for url, body in posts:
        r = c.post(url, body, format="json")
        assert r.status_code < 500, (url, body, r.status_code, r.content[:300])
