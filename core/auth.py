"""The authentication backend every login goes through, with the login limiter in front.

Django's ``authenticate()`` is what the login page, the admin's login and the API token
endpoint all call, so limiting here covers every form, present and future (``core.ratelimit``
has the policy). When an attempt must wait, the backend raises ``PermissionDenied`` (Django then
tries no other backend and reports a failed login) and leaves the wait in seconds on
``request.login_retry_after`` so that the form or view can say how long.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from core import ratelimit
from core.http import client_ip


class RateLimitedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        username = str(username)
        ip = client_ip(request)
        wait = ratelimit.begin_attempt(username, ip)
        if wait:
            if request is not None:
                request.login_retry_after = wait
            raise PermissionDenied
        try:
            user = super().authenticate(request, username=username, password=password, **kwargs)
        except Exception:  # the attempt was made: it counts
            ratelimit.record_failure(username, ip)
            raise
        if user is None:
            ratelimit.record_failure(username, ip)
        else:
            ratelimit.clear(username, ip)
        return user
