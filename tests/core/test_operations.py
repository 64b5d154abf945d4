"""Production settings, demo data and the embedded run mode."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

ROOT = settings.BASE_DIR


def _manage(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!q2m#9v$Lr8@pZ4k%Tn6^wE1&yB3*cH5(dJ0)fG-sA_uK+oP=iQ",
    "ALLOWED_HOSTS": "tongzhou.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://tongzhou.example.cn",
}


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_extra={"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_accounts_and_is_idempotent(settings, django_user_model):
    from core import permissions as perms

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    counts = {m._meta.label: m.objects.count() for m in _models()}
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == {m._meta.label: m.objects.count() for m in _models()}
    users = {u.username: u for u in django_user_model.objects.all()}
    for name in ("admin", "bureau", "province", "ngo", "charity", "expert"):
        assert users[name].check_password("tongzhou-demo"), name
    assert users["admin"].is_superuser
    assert perms.jurisdictions(users["bureau"]) == ["511800"]
    assert perms.jurisdictions(users["province"]) == ["510000"]
    assert perms.is_expert(users["expert"])


def _models():
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {"core", "registry", "alerts", "coordination", "procurement", "donations", "auth"}
        and m._meta.label != "core.Region"
    ]
