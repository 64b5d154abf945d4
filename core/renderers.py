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
- floats: orjson and ``json`` print them differently (``1e-7`` vs ``1e-07``, and orjson writes
  ``0.0000114`` where ``json`` writes ``1.14e-05``), so a body holding any float (or Decimal,
  which DRF's encoder turns into one) is rendered by DRF. The check walks the data (~0.2 ms for
  a page of 50 ledger entries); an earlier check looked for an exponent in the bytes, which
  both cost more (a regex over the whole body) and missed the positional case. NaN and
  Infinity go to DRF too, which refuses them (strict JSON). The API sends no float anyway:
  decimals are strings (``COERCE_DECIMAL_TO_STRING``).
"""

from decimal import Decimal

import orjson
from rest_framework import renderers
from rest_framework.settings import api_settings
from rest_framework.utils import encoders

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
_LS, _PS = "\u2028".encode(), "\u2029".encode()
_default = encoders.JSONEncoder().default


class FloatFree(list):
    """A list whose values are known to hold no float and no Decimal (``core.fastjson`` checks
    the few fields of a page that could, and marks the page): the float check skips it. Both
    encoders write it as a plain list."""

    __slots__ = ()


def has_float(data) -> bool:
    """Whether a float (or a Decimal, which DRF's encoder turns into one) hides in the body."""
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is float or kind is Decimal:
            return True
        if kind is FloatFree:
            continue
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
        if has_float(data):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in body:
            body = body.replace(_LS, b"\\u2028").replace(_PS, b"\\u2029")
        return body
