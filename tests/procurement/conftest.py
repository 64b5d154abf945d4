"""Procurement test set-up: OCDS validation of every package the suite produces."""

import functools
import json
from pathlib import Path

import pytest
from django.conf import settings

from procurement import ocds
from procurement.models import Project, Release

SCHEMA_DIR = Path(settings.TONGZHOU_STANDARDS_DIR) / "ocds-1.1.5"
BASE = "https://standard.open-contracting.org/schema/1__1__5/"


@functools.cache
def ocds_validator():
    """The official OCDS 1.1.5 schemas, vendored in standards/ (missing files are an error)."""
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    package = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text())
    release = json.loads((SCHEMA_DIR / "release-schema.json").read_text())
    registry = Registry().with_resources(
        [
            (BASE + "release-package-schema.json", Resource.from_contents(package, DRAFT4)),
            (BASE + "release-schema.json", Resource.from_contents(release, DRAFT4)),
        ]
    )
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def assert_valid_ocds(package: dict) -> None:
    errors = sorted(ocds_validator().iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are created by the dozen here; PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _every_ocds_package_is_valid(db):
    """After each test, the package of every project that published releases validates."""
    yield
    project_ids = set(Release.objects.values_list("project_id", flat=True))
    for project in Project.objects.filter(pk__in=project_ids):
        package = ocds.package(project.releases.all(), uri=f"https://example.org/{project.pk}")
        assert_valid_ocds(json.loads(json.dumps(package, default=str)))
