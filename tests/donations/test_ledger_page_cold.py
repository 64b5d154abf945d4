"""The public ledger page's cold path (donations.views.ledger): rows from values(), the books
and the entries table as fragments cached under the chain head."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from donations import services
from tests.coordination.factories import IncidentFactory
from tests.donations import factories as df

pytestmark = pytest.mark.django_db


def body(html: str) -> str:
    """The cached part of the page: from the totals to the end of the entries."""
    start = html.index('data-testid="totals"')
    return html[start : html.index("</table>", html.index('class="table entries"'))]


def page(client, **params) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ledger/", params)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_rows_show_names_labels_lines_and_the_arrow(client, charity, charity_admin, ngo):
    quake = IncidentFactory(title="芦山地震测试")
    df.receipt(charity, charity_admin, items=[df.item("帐篷", "顶", "10", "800")], incident=quake)
    df.receipt(charity, charity_admin, "500.00", donor_kind="company", donor_name="某公司")
    services.allocate(
        organization=charity, by=charity_admin, to_organization=ngo, amount=Decimal(5)
    )
    html, _ = page(client)
    assert "芦山地震测试" in html and "帐篷" in html and "10 顶" in html
    assert f"{charity.name} → {ngo.name}" in html
    assert "捐赠" in html or "Receipt" in html  # the kind's label, never the code alone
    assert ">receipt<" not in html


def test_an_append_shows_at_once_and_a_hit_reads_no_rows(client, charity, charity_admin):
    df.receipt(charity, charity_admin, "100.00", purpose="第一笔")
    first, cold = page(client)
    again, warm = page(client)
    assert body(again) == body(first) and "第一笔" in first
    assert warm < cold - 3  # totals, charts, entries and lines are not read on a hit
    df.receipt(charity, charity_admin, "200.00", purpose="第二笔")
    html, _ = page(client)
    assert "第二笔" in html and "第一笔" in html  # the head moved: both fragments rebuilt
    assert "¥300" in html


def test_filters_and_cursor_have_their_own_fragments(client, charity, charity_admin):
    quake = IncidentFactory(title="芦山地震测试")
    entries = [
        df.receipt(charity, charity_admin, "1.00", incident=quake, purpose=f"用途{n}")
        for n in range(3)
    ]
    df.receipt(charity, charity_admin, "1.00", purpose="无事件")
    everything, _ = page(client)
    narrowed, _ = page(client, incident=quake.pk)
    older, _ = page(client, before=entries[1].seq)  # the cursor is a seq; links are ids
    assert "无事件" in everything and "无事件" not in narrowed
    assert f'href="/ledger/entries/{entries[0].pk}/"' in older
    assert f'href="/ledger/entries/{entries[2].pk}/"' not in older


def test_a_cold_page_costs_the_same_queries_at_3_and_60_entries(client, charity, charity_admin):
    def add(count):
        for n in range(count):
            kw = {"items": [df.item(f"物资{n}")]} if n % 2 else {}
            df.receipt(charity, charity_admin, **kw)

    add(3)
    _, small = page(client)  # every append moves the head: each page below is a cold one
    add(57)
    html, large = page(client)
    assert small == large and html.count('href="/ledger/entries/') >= 50
