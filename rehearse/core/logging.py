"""Logging glue: every record carries the id of the request it was logged in."""

import logging

from rehearse.core.request_id import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
