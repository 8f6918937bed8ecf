"""Request size limits: 413 before a large body is read, in the service's error shape.

Uploads (multipart/form-data: the outlet import, the OM file) may be up to ROUTEPLAN_MAX_UPLOAD_BYTES (default
20 MiB, room for an office's 50,000-row outlet file); every other body (JSON) up to ROUTEPLAN_MAX_BODY_BYTES
(default 1 MiB, thousands of change-set items). A declared Content-Length over the limit is answered at once; a
body without one (chunked) is counted while the app reads it and cut off when it grows past the limit, so no
request holds more than the limit in memory.
"""

from __future__ import annotations

import os

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.core.errors import ErrorDetail

MIB = 1024 * 1024
DEFAULT_UPLOAD_BYTES = 20 * MIB
DEFAULT_BODY_BYTES = 1 * MIB


class BodyTooLarge(Exception):
    """Raised into the app's body reading when the body grows past the limit."""


def _env_bytes(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ValueError(f"{name} must be a number of bytes, not {value!r}")
    return int(value)


def _too_large(limit: int, env_name: str) -> JSONResponse:
    detail = ErrorDetail(
        ("body",), f"the request body is larger than {limit} bytes ({limit / MIB:g} MiB; {env_name})", "too_large"
    )
    return JSONResponse(status_code=413, content={"detail": [detail.as_json()]})


class RequestSizeLimit:
    """ASGI middleware answering 413 to bodies over the upload or JSON limit (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int | None = None, body_bytes: int | None = None) -> None:
        self.app = app
        self.upload_bytes = (
            upload_bytes if upload_bytes is not None else _env_bytes("ROUTEPLAN_MAX_UPLOAD_BYTES", DEFAULT_UPLOAD_BYTES)
        )
        self.body_bytes = (
            body_bytes if body_bytes is not None else _env_bytes("ROUTEPLAN_MAX_BODY_BYTES", DEFAULT_BODY_BYTES)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("content-type", "").lower().startswith("multipart/form-data"):
            limit, env_name = self.upload_bytes, "ROUTEPLAN_MAX_UPLOAD_BYTES"
        else:
            limit, env_name = self.body_bytes, "ROUTEPLAN_MAX_BODY_BYTES"
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(limit, env_name)(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge(f"request body over {limit} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app makes of a cut-off body (400, 422, an error) is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(limit, env_name)(scope, receive, send)
