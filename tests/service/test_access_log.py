"""The access log never holds a token: a page link's `?token=` is written redacted."""

from __future__ import annotations

import logging

from service.access.log_redaction import ACCESS_LOGGER


def test_a_page_links_token_is_not_written_to_the_access_log(app, caplog):
    # the line uvicorn writes for every request (uvicorn.protocols.http: client, method, path with query, ...)
    raw = "rp_" + "x" * 43
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        logging.getLogger(ACCESS_LOGGER).info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/plans/1/map?lang=en&token={raw}&week=2", "1.1", 303
        )
    (line,) = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert raw not in line
    assert "/plans/1/map?lang=en&token=[redacted]&week=2" in line
