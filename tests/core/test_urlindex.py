"""core.urlindex: an indexed include resolves every path exactly as the plain include did,
and reads a first segment only when it is certain."""

import types

import pytest
from django.urls import Resolver404, get_resolver, include, path, re_path
from django.urls.resolvers import RegexPattern, RoutePattern, URLResolver

from core.urlindex import _LookAhead, _segments, indexed_include


def _plain(resolver: URLResolver) -> URLResolver:
    """The URLconf as it was: each indexed include back to ``path(prefix, include(...))``."""
    patterns = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, _LookAhead):
            pattern = URLResolver(
                RoutePattern(str(pattern.pattern)),
                pattern.urlconf_name,
                pattern.default_kwargs,
                pattern.app_name,
                pattern.namespace,
            )
        patterns.append(pattern)
    return URLResolver(RegexPattern(r"^/"), types.SimpleNamespace(urlpatterns=patterns))


def _samples(resolver: URLResolver) -> list[str]:
    """A path for every way every named pattern can be written (arguments filled in)."""
    out = set()
    for key, possibilities in resolver.reverse_dict.lists():
        for possibility, _pattern, _defaults, _converters in possibilities:
            for text, params in possibility:
                values = {p: ("json" if p == "format" else "7") for p in params}
                out.add("/" + text % values)
    for namespace, (prefix, sub) in resolver.namespace_dict.items():
        for sample in _samples(sub):
            out.add("/" + prefix + sample.lstrip("/"))
    return sorted(out)


def _outcome(resolver, url):
    try:
        match = resolver.resolve(url)
    except Resolver404:
        return "404"
    return (match.func, match.args, match.kwargs, match.url_name, match.namespaces, match.route)


def test_every_path_resolves_as_with_plain_includes():
    indexed = get_resolver()
    plain = _plain(indexed)
    assert sum(isinstance(p.pattern, _LookAhead) for p in indexed.url_patterns) >= 20
    urls = _samples(indexed)
    assert len(urls) > 400
    junk = ["/", "/api/v1/", "/api/v1/.json", "/api/v1/ledger", "/api/v1/ledgerx/", "/nowhere/"]
    junk += [u + "x/" for u in urls[::7]] + [u.rstrip("/") for u in urls[::5]]
    for url in urls + junk:
        assert _outcome(indexed, url) == _outcome(plain, url), url


def test_reverse_is_unchanged():
    from django.urls import reverse

    assert reverse("ledger-entries") == "/api/v1/ledger/entries/"
    assert reverse("api-organization-list") == "/api/v1/organizations/"
    assert reverse("donations:ledger") == "/ledger/"


def _urls(*patterns):
    return [*patterns]


def _view(request):  # pragma: no cover - never called
    return None


@pytest.mark.parametrize(
    "patterns,expected",
    [
        ([path("a/", _view), path("b-c/<int:pk>/", _view)], {"a", "b-c"}),
        ([re_path(r"^a/(?P<pk>[^/.]+)/$", _view), re_path(r"^a\.(?P<f>[a-z]+)/?$", _view)], {"a"}),
        ([path("", _view), path("x", _view)], {"", "x"}),
        ([path("", include([path("inner/", _view)]))], {"inner"}),
        ([path("<slug:kind>/", _view)], None),  # a converter first
        ([path("pre", include([path("x/", _view)]))], None),  # would match "prex/"
        ([re_path(r"^a.b/$", _view)], None),  # an unescaped dot is any character
        ([re_path(r"^(?P<x>\w+)/$", _view)], None),
        ([path("a/", _view), path("", include([path("<int:pk>/", _view)]))], None),
    ],
)
def test_first_segments_are_read_only_when_certain(patterns, expected):
    assert _segments(patterns) == expected


def test_an_uncertain_urlconf_stays_a_plain_include():
    module = types.ModuleType("uncertain_urls")
    module.urlpatterns = [path("<slug:kind>/", _view)]
    import sys

    sys.modules["uncertain_urls"] = module
    try:
        pattern = indexed_include("api/", "uncertain_urls")
    finally:
        del sys.modules["uncertain_urls"]
    assert isinstance(pattern.pattern, RoutePattern)
