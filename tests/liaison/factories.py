import factory

from liaison.models import Responsibility


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Responsibility

    function = "supply_allocation"
    unit = "救灾和物资保障科"
    duty_contact = "李值班"
    duty_phone = "0835-2220000"
    public = True
