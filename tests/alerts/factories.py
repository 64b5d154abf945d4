"""Factories of the alerts app."""

import factory

from alerts.models import Alert, Delivery, Webhook
from tests.registry.factories import OrganizationFactory, UserFactory


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    title = factory.Sequence(lambda n: f"芦山县地震预警{n}")
    body = "请做好避险准备。"
    level = "red"
    public = True
    region_code = "511826"
    channels = ["in_app"]


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    alert = factory.SubFactory(AlertFactory)
    user = factory.SubFactory(UserFactory)
    channel = "in_app"
    status = "sent"


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    organization = factory.SubFactory(OrganizationFactory)
    url = "http://127.0.0.1:9/hook"
    secret = "s3cret-s3cret-s3cret"
