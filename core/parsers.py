"""The JSON parser of the whole API (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Kept out of core.api: DRF imports the parser classes while it builds ``APIView``, and core.api
imports DRF's views.
"""

import codecs
import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

MAX_JSON_DEPTH = 64


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 (``ParseError``) what would otherwise crash a view:

    - a top-level value that is not an object (``[1]``, ``"x"``, ``123``): every write endpoint
      of the API takes an object, and views call ``request.data.get(...)``;
    - nesting deeper than ``MAX_JSON_DEPTH`` (a 1000-deep array is a ``RecursionError`` in the
      decoder or in whatever walks the value later);
    - a lone UTF-16 surrogate (``"\\ud800"``): valid JSON escape, but not a Unicode scalar value;
      the string cannot be encoded as UTF-8 (database, cache keys, logs).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(text, parse_constant=self._refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_("JSON nested too deeply."))
        except ValueError as exc:
            raise exceptions.ParseError(_("JSON parse error - %(error)s") % {"error": exc})
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("The request body must be a JSON object."))
        check_json_value(data)
        return data

    @staticmethod
    def _refuse_constant(name):
        raise ValueError(f"{name} is not valid JSON")


def check_json_value(value, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Walk a decoded JSON value without recursion; ParseError if it is nested deeper than
    ``max_depth`` or holds a string (key or value) that is not valid Unicode text."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > max_depth:
                raise exceptions.ParseError(
                    _("JSON nested too deeply (at most %(depth)d levels).") % {"depth": max_depth}
                )
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if key is not None:
                    _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, str):
            _check_text(item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise exceptions.ParseError(_("The request body contains an invalid character."))
