"""The access log without tokens: a page link's `?token=` and a one-time sign-in link's `?link=` are written as
`token=[redacted]` and `link=[redacted]` in uvicorn's access log, whichever server runs the app."""

from __future__ import annotations

import logging
import re

from service.access.auth import PAGE_TOKEN_PARAM
from service.access.sign_in import LINK_PARAM

ACCESS_LOGGER = "uvicorn.access"
_TOKEN_IN_QUERY = re.compile(rf"([?&](?:{PAGE_TOKEN_PARAM}|{LINK_PARAM})=)[^&#\s]*")


def redact(text: str) -> str:
    return _TOKEN_IN_QUERY.sub(r"\1[redacted]", text)


class TokenRedaction(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Add the filter to the access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, TokenRedaction) for f in logger.filters):
        logger.addFilter(TokenRedaction())
