"""The incident page's cold path: the summary is a fragment cached under the incident's
updated_at, so an edit shows at once; the officials' forms are built only when shown."""

import pytest

from tests.coordination.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_summary_follows_every_change_of_the_incident(client):
    incident = IncidentFactory(title="芦山地震测试", description="第一版说明")
    url = f"/incidents/{incident.pk}/"
    assert "第一版说明" in client.get(url).content.decode()
    assert "第一版说明" in client.get(url).content.decode()  # from the fragment cache
    incident.description = "第二版说明"
    incident.save()
    html = client.get(url).content.decode()
    assert "第二版说明" in html and "第一版说明" not in html


def test_forms_only_for_whoever_may_use_them(client, official):
    incident = IncidentFactory(region_code="511802")
    url = f"/incidents/{incident.pk}/"
    assert 'data-action="status"' not in client.get(url).content.decode()
    client.force_login(official)
    html = client.get(url).content.decode()
    assert 'data-action="status"' in html and 'name="status"' in html


def test_donations_panel_is_cached_under_the_chain_head(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.donations import factories as df

    incident = IncidentFactory()
    charity = df.foundation(name="测试基金会")
    admin = df.writer(charity)
    df.receipt(charity, admin, "1234.00", incident=incident)
    url = f"/incidents/{incident.pk}/"
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url).content.decode()
    with CaptureQueriesContext(connection) as warm:
        again = client.get(url).content.decode()
    assert "¥1,234" in first and "测试基金会" in first and "¥1,234" in again
    assert len(warm) < len(cold)  # the totals are not read on a hit
    df.receipt(charity, admin, "1000.00", incident=incident)  # moves the head
    assert "¥2,234" in client.get(url).content.decode()
