"""Load the demo data: each app's ``<app>/demo.py`` ``seed(stdout)`` in INSTALLED_APPS order.

Idempotent: every app's seed looks its rows up by a natural key before creating them.
Refuses to run with DEBUG off unless --force: demo accounts must never reach production.

Seeds in the platform's language (``settings.LANGUAGE_CODE``): management commands run in
English by default, and anything a seed writes through a service in the active language (an
alert's title, a generated reason) is stored text that people read later in the product.
Alert texts do not depend on it (``core.notifications`` renders them in both languages), but
every other stored text does.
"""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

DEMO_PASSWORD = "tongzhou-demo"  # noqa: S105 (documented demo password, DEBUG only)


class Command(BaseCommand):
    help = "Create the demo accounts and a living Ya'an earthquake scenario (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: refusing to create demo accounts (use --force).")
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
                module.seed(stdout=self.stdout)
            self.stdout.write(f"seeded {config.label}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready; password for every account: {DEMO_PASSWORD}")
        )
