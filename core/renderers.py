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
- floats that orjson spells differently from ``json``: a negative one-digit exponent
  (``1e-7`` where ``json`` writes ``1e-07``) and a small number in positional form (orjson
  writes ``0.00001`` where ``json`` writes ``1e-05``). Every other finite float (and every
  Decimal, which DRF's encoder turns into a float) is written alike;
  ``tests/core/test_fast_lists.py`` pins that over every power of ten and random doubles
  (3 million more were checked once). The check reads the bytes orjson wrote: two regular
  expressions with a literal start (``e-<digit>`` before a delimiter, ``0.0000``) find a
  candidate in ~0.04 ms per 50 KB, and only a candidate is looked at precisely (a number
  token, not text). A false alarm (such text inside a string) costs a DRF render, never a
  wrong byte. The earlier check walked the data (0.2-0.5 ms per page, and a per-field
  "could hold a float" plan to make it affordable).
- NaN and Infinity, which DRF refuses (strict JSON, a 500), are written ``null`` by orjson.
  No stored value can be one: PostgreSQL's ``jsonb`` refuses them, the API's JSON parser
  refuses them (strict), decimals are strings (``COERCE_DECIMAL_TO_STRING``) and no model
  has a ``FloatField``.
"""

import re

import orjson
from rest_framework import renderers
from rest_framework.settings import api_settings
from rest_framework.utils import encoders

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME
_LS, _PS = "\u2028".encode(), "\u2029".encode()
_default = encoders.JSONEncoder().default


# A float orjson spells differently from ``json`` (module docstring): a cheap candidate
# search first (a literal start lets the regular expression engine skip ahead fast), then
# the precise one, which needs the character before the number (or the body's start).
_CANDIDATES = (re.compile(rb"e-[1-9](?:[,\]}]|$)"), re.compile(rb"0\.0000"))
_DIFFERENT_FLOAT = re.compile(rb"[0-9]e-[1-9](?:[,\]}]|$)|(?:^|[:,\[])-?0\.0000")


def float_text_differs(body: bytes) -> bool:
    """Whether orjson's ``body`` may spell a float differently from ``json.dumps``."""
    return any(c.search(body) for c in _CANDIDATES) and bool(_DIFFERENT_FLOAT.search(body))


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
        if float_text_differs(body):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in body:
            body = body.replace(_LS, b"\\u2028").replace(_PS, b"\\u2029")
        return body
