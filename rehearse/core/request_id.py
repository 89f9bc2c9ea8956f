"""The id of the request being served, for logs and for the ``X-Request-ID`` header.

nginx generates the id and passes it in; without a proxy (the embedded default) the
app makes one. A context variable keeps it per request under threads too.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")

# Only ids that are safe to echo into a header and a log line are accepted: a client
# must not be able to inject newlines or giant values into our logs.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def accept_or_make(candidate: str | None) -> str:
    if candidate and _VALID_ID.match(candidate):
        return candidate
    return uuid.uuid4().hex
