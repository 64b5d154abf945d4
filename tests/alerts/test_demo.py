import io

import pytest

from alerts import demo
from alerts.models import Alert
from registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def test_demo_alerts_are_seeded_once_and_reach_the_demo_team(client, cap_schema):
    registry_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    assert Alert.objects.count() == 3
    quake = Alert.objects.get(title__contains="地震")
    assert quake.public and quake.level == "red" and quake.recipient_count >= 2
    from lxml import etree

    cap_schema.assertValid(etree.fromstring(client.get(f"/alerts/{quake.pk}/cap.xml").content))
