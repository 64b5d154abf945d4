"""The WSGI handler gunicorn serves (config.wsgi): URL resolution cached per path, the
responses those of Django's own handler (core/wsgi.py, issue 18)."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from core import wsgi


def _call(handler, path: str) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_ACCEPT": "application/json",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
    }
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    # As Django's test client does: the handler's signals would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = handler(environ, start_response)
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return seen["status"], body


@pytest.mark.django_db
def test_cached_resolution_serves_what_djangos_handler_serves(ngo):
    wsgi.resolve_path.cache_clear()
    cached, plain = wsgi.CachedResolveWSGIHandler(), WSGIHandler()
    for path in ["/api/v1/organizations/", f"/api/v1/organizations/{ngo.pk}/", "/healthz/live/"]:
        first = _call(cached, path)
        again = _call(cached, path)
        assert first[0].startswith("200")
        assert first == again == _call(plain, path)
    info = wsgi.resolve_path.cache_info()
    assert info.hits >= 3 and info.currsize == 3


@pytest.mark.django_db
def test_a_missing_path_is_a_404_and_is_not_cached():
    wsgi.resolve_path.cache_clear()
    handler = wsgi.CachedResolveWSGIHandler()
    assert _call(handler, "/no-such-page/")[0].startswith("404")
    assert wsgi.resolve_path.cache_info().currsize == 0


def test_the_cache_is_bounded_and_forgets_a_changed_urlconf(settings):
    assert wsgi.resolve_path.cache_info().maxsize == wsgi.RESOLVE_CACHE_SIZE
    wsgi.resolve_path("/healthz/live/")
    settings.ROOT_URLCONF = settings.ROOT_URLCONF  # setting_changed fires
    assert wsgi.resolve_path.cache_info().currsize == 0


def test_gunicorn_serves_the_cached_handler():
    from config.wsgi import application

    assert isinstance(application, wsgi.CachedResolveWSGIHandler)
