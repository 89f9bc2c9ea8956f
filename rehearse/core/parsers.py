"""The one request-body parser: JSON, with text the database can store.

PostgreSQL text cannot hold NUL characters and UTF-8 cannot encode lone surrogates
(JSON allows both as ``\\u0000`` and ``\\ud800``). Refusing them here, for every
endpoint at once, turns what would be a 500 deep in a query into a 400 that says why.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser


def unstorable_text(value: Any) -> bool:
    """True if ``value`` (any JSON value) holds a string PostgreSQL cannot store."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(unstorable_text(key) or unstorable_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(unstorable_text(item) for item in value)
    return False


class JSONParser(DRFJSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if unstorable_text(data):
            raise ParseError(
                "Text in the request body may not contain NUL characters or unpaired "
                "surrogates (\\u0000, \\ud800-\\udfff)."
            )
        return data
