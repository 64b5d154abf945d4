"""URL includes entered only for the first path segments they serve.

Django resolves a path by trying every pattern in order. The project's URLconf includes each
domain app twice (``api/v1/`` and the pages at ``""``), and a page include's empty prefix
matches every path, so a request for ``/api/v1/ledger/entries/`` tried ~245 patterns of the
apps before ``donations`` (0.15 ms of CPU per request; ``/api/v1/organizations/``, first in
line, 0.02 ms). ``indexed_include(prefix, urlconf)`` is ``path(prefix, include(urlconf))``
whose pattern also looks ahead at the next segment: the include is entered only when that
segment is one its own patterns begin with. The lookahead consumes nothing, so the matched
path, the captured arguments and ``reverse()`` (Django's regex normalizer ignores lookaheads)
are those of the plain include.

The filter may only ever let too much through, never too little. A first segment is read
from a pattern only when it is certain: a literal (``[A-Za-z0-9_-]``) followed by ``/``, an
escaped ``.`` (DRF's format suffixes) or the end of an endpoint; an empty prefix is looked
through into its children. Anything else (a converter or regex group first, a prefix route
without a trailing slash, which would match ``foox/``) makes the include a plain one.
"""

import re

from django.urls import include, path
from django.urls.resolvers import RegexPattern, RoutePattern, URLResolver

_LITERAL = re.compile(r"[A-Za-z0-9_-]*")


def _segments(patterns) -> set[str] | None:
    """The first segments the patterns can match, or None when one of them is not certain."""
    found: set[str] = set()
    for pattern in patterns:
        segments = _first(pattern)
        if segments is None:
            return None
        found |= segments
    return found


def _first(pattern) -> set[str] | None:
    """The first segments one pattern can match (None: not certain)."""
    is_resolver = isinstance(pattern, URLResolver)
    matcher = pattern.pattern
    if isinstance(matcher, RoutePattern):
        text = str(matcher._route)
        literal = _LITERAL.match(text).group()
        rest = text[len(literal) :]
        if rest.startswith("/") or (rest == "" and not is_resolver):
            return {literal}  # "" alone: an endpoint for the empty path
    elif isinstance(matcher, RegexPattern):
        text = str(matcher._regex).removeprefix("^")
        literal = _LITERAL.match(text).group()
        rest = text[len(literal) :]
        if rest.startswith(("/", "\\.")) or (rest.startswith("$") and not is_resolver):
            return {literal}
    else:
        return None  # a locale prefix or a pattern class of its own
    if text == "" and is_resolver:
        return _segments(pattern.url_patterns)  # an empty prefix: look through it
    return None


class _LookAhead(RegexPattern):
    """The prefix and a lookahead at the next segment; it reads as the prefix alone, so a
    match's ``route`` (which tracing and logging tools name requests by) is unchanged."""

    def __init__(self, prefix: str, segments: set[str]) -> None:
        alternatives = "|".join(re.escape(segment) for segment in sorted(segments))
        super().__init__(rf"^{re.escape(prefix)}(?=(?:{alternatives})(?:[/.]|$))")
        self._prefix = prefix

    def __str__(self) -> str:
        return self._prefix


def indexed_include(prefix: str, urlconf: str) -> URLResolver:
    """``path(prefix, include(urlconf))``, entered only for the urlconf's own first segments."""
    included = include(urlconf)
    module, app_name, namespace = included
    segments = _segments(getattr(module, "urlpatterns", module))
    if not segments:
        return path(prefix, included)
    return URLResolver(_LookAhead(prefix, segments), module, app_name=app_name, namespace=namespace)
