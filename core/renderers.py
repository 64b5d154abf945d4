"""``FastJSONRenderer``: DRF's JSONRenderer output, encoded by orjson (docs/public-reads.md,
"Cold path").

The bytes are those of ``rest_framework.renderers.JSONRenderer`` with the project's settings
(``UNICODE_JSON`` on: UTF-8, not ``\\uXXXX``; ``COMPACT_JSON`` on: no spaces; ``\\u2028`` and
``\\u2029`` escaped so the body is a JavaScript subset): ``tests/core/test_fast_lists.py``
compares both renderers byte for byte. Whatever orjson would render differently goes to DRF's
renderer instead, so the fast path never changes an answer:

- an indented answer (``Accept: application/json; indent=2``, the browsable API);
- a body orjson refuses (integers beyond 64 bits, non-string keys, lone surrogates, too deep);
- dates, times, decimals, UUIDs, lazy translations: orjson hands them to DRF's own
  ``JSONEncoder.default`` (``OPT_PASSTHROUGH_DATETIME``), so their text is DRF's;
- floats: orjson and ``json`` both print the shortest round-trip form and differ only in the
  exponent's spelling (``1e16`` vs ``1e+16``): a body with an exponent anywhere in it is checked
  for floats and, if it holds one, rendered by DRF. NaN and Infinity are the one accepted
  difference: DRF refuses them (strict JSON: a 500), orjson writes ``null``. The API sends no
  float anyway: decimals are strings (``COERCE_DECIMAL_TO_STRING``).
"""

import re
from decimal import Decimal

import orjson
from rest_framework import renderers
from rest_framework.settings import api_settings
from rest_framework.utils import encoders

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
_LS, _PS = "\u2028".encode(), "\u2029".encode()
_default = encoders.JSONEncoder().default
# A number with an exponent as JSON writes it: a bare token after ``:``, ``,`` or ``[`` (hex
# digests such as ``"9e3f..."`` inside strings no longer send every ledger page to the slow
# check). A string that happens to hold such a token only costs the check, never the answer.
_EXPONENT = re.compile(rb"(?:^|[:,\[])-?\d+(?:\.\d+)?[eE][-+]?\d+(?:[,\]}]|$)")


def _has_float(data) -> bool:
    """Whether a float (or a Decimal, which DRF's encoder turns into one) hides in the body."""
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is float or kind is Decimal:
            return True
        if kind is dict or isinstance(value, dict):
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            stack.extend(value)
    return False


class FastJSONRenderer(renderers.JSONRenderer):
    """JSON as DRF writes it, in a fraction of the time for large bodies (orjson)."""

    # orjson writes UTF-8 without spaces: only that configuration is reproduced.
    _reproducible = api_settings.UNICODE_JSON and api_settings.COMPACT_JSON

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if not self._reproducible or self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().render(data, accepted_media_type, renderer_context)
        if _EXPONENT.search(body) and _has_float(data):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in body:
            body = body.replace(_LS, b"\\u2028").replace(_PS, b"\\u2029")
        return body
