import datetime as dt

import factory
from django.utils import timezone

from liaison.models import FieldReport, Responsibility


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    function = "supply_allocation"
    unit = "救灾和物资保障科"
    duty_contact = "李值班"
    duty_phone = "0835-2220000"
    public = True


class FieldReportFactory(factory.django.DjangoModelFactory):
    """A request for supplies in 芦山县 (pass incident, organization, routed_to, filed_by)."""

    class Meta:
        model = FieldReport

    category = "supplies"
    function = "supply_allocation"
    urgency = "normal"
    description = "龙门乡安置点缺帐篷"
    region_code = "511826"
    latitude = "30.300000"
    longitude = "102.950000"
    ack_due_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=12))
