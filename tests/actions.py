"""Helpers for the tests that hold page buttons = allowed_actions = what the services accept
(tests/core/test_allowed_actions.py and the per-app action tests)."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.test import Client

from core.states import InvalidTransition

BUTTON = re.compile(r'data-action="([a-z_]+)"')


class _Rollback(Exception):
    pass


def page_actions(user, url: str, section: str = "") -> set[str]:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(url)
    if response.status_code == 404:  # the object is not visible to this person
        return set()
    assert response.status_code == 200, url
    html = response.content.decode()
    if section:  # only the part of the page that belongs to the object
        if section not in html:
            return set()
        start = html.index(section)
        end = min(
            i for i in (html.find("</table>", start), html.find("</section>", start)) if i > 0
        )
        html = html[start:end]
    return set(BUTTON.findall(html))


def accepted(calls: dict, user) -> set[str]:
    """The actions whose service accepts ``user``'s call; every call is rolled back."""
    ok = set()
    for name, call in calls.items():
        try:
            with transaction.atomic():
                call(user)
                raise _Rollback
        except _Rollback:
            ok.add(name)
        except (PermissionDenied, ValidationError, InvalidTransition, Http404):
            pass
    return ok
