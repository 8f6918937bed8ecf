"""The service's errors: one family, each with its HTTP status, rendered by one handler.

Bodies have FastAPI's validation shape, so a client reads every error the same way:
    {"detail": [{"loc": ["body", "lat"], "msg": "latitude must be within -90..90", "type": "value_error"}]}
Raise them anywhere below the routes (master data, imports, plans); never catch them to hide a failure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class ErrorDetail:
    """One thing wrong: where (`loc`, like FastAPI's), what (`msg`) and which kind (`type`)."""

    loc: Loc
    msg: str
    type: str

    def as_json(self) -> dict:
        return {"loc": list(self.loc), "msg": self.msg, "type": self.type}


class ServiceError(Exception):
    """Base of the family; subclasses fix the HTTP status and the default error type."""

    status_code: ClassVar[int] = 500
    error_type: ClassVar[str] = "service_error"
    headers: dict[str, str] = {}  # sent with the error response
    extra: dict[str, Any] = {}  # more members of the body beside "detail" (what a client acts on)

    def __init__(self, msg: str, loc: Sequence[str | int] = (), *, details: Sequence[ErrorDetail] = ()):
        """`msg` at `loc`, or, for many problems at once (an import), the list `details` with `msg` as summary."""
        super().__init__(msg)
        self.msg = msg
        self.details: list[ErrorDetail] = list(details) or [ErrorDetail(tuple(loc), msg, self.error_type)]

    def __str__(self) -> str:
        if len(self.details) == 1:
            return _describe(self.details[0])
        return f"{self.msg}:\n" + "\n".join(f"  {_describe(d)}" for d in self.details)


def _describe(detail: ErrorDetail) -> str:
    where = ".".join(str(part) for part in detail.loc)
    return f"{where}: {detail.msg}" if where else detail.msg


class InvalidInput(ServiceError):
    """The request is well-formed but its values are wrong (a window ending before it starts, a rep of another
    office...)."""

    status_code = 422
    error_type = "value_error"


class NotFound(ServiceError):
    """An id or code that names nothing stored."""

    status_code = 404
    error_type = "not_found"


class Unauthorized(ServiceError):
    """No token, or one that is unknown or revoked (RFC 6750: the client is told to send a bearer token)."""

    status_code = 401
    error_type = "unauthorized"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(ServiceError):
    """A valid token without the right asked for: its role, or the office, team or rep it is bound to."""

    status_code = 403
    error_type = "forbidden"


class Conflict(ServiceError):
    """The request clashes with what is stored: a duplicate code, a stale plan version."""

    status_code = 409
    error_type = "conflict"


class TooManyRequests(ServiceError):
    """Over a limit on work held at once (queued plan jobs); Retry-After says when to ask again."""

    status_code = 429
    error_type = "too_many_requests"

    def __init__(self, msg: str, loc: Sequence[str | int] = (), *, retry_after_s: int):
        super().__init__(msg, loc)
        self.headers = {"Retry-After": str(retry_after_s)}


class EngineUnavailable(ServiceError):
    """A component the answer depends on (database, travel-time engine) cannot be reached."""

    status_code = 503
    error_type = "unavailable"


def _error_json(status_code: int, content: dict, headers: dict[str, str] | None = None) -> Response:
    try:
        return JSONResponse(status_code=status_code, content=content, headers=headers)
    except UnicodeEncodeError:  # a lone surrogate echoed from the request: only a JSON escape can carry it
        return Response(
            json.dumps(content, ensure_ascii=True),
            status_code=status_code,
            media_type="application/json",
            headers=headers,
        )


def service_error_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return _error_json(exc.status_code, {"detail": [d.as_json() for d in exc.details], **exc.extra}, exc.headers)


def request_validation_response(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{**e, "input": _echoable(e["input"])} if "input" in e else e for e in exc.errors()]
    return _error_json(422, {"detail": jsonable_encoder(errors)})  # FastAPI's own body


def _echoable(value: Any) -> Any:
    """The rejected input as a 422 can repeat it: a number JSON cannot write (NaN, Infinity) as text, and a list
    or object (a polygon nested 500 deep, a huge body) by its kind and size alone."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple | dict):
        return f"{type(value).__name__} of {len(value)} items"
    return value


def _integrity_error_response(request: Request, exc: Exception) -> Response:
    # the checks before writing name the field; this catches a race between two writers of the same code
    first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
    return service_error_response(request, Conflict(f"conflicts with stored data: {first_line}", ("database",)))


def _out_of_range_response(request: Request, exc: Exception) -> Response:
    # request bodies are checked before this (RequestModel); what reaches the database from a
    # path or query parameter may still be refused: an id over 64 bits (SQLite raises OverflowError while
    # binding it), a NUL in a code (PostgreSQL's DataError)
    first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
    return service_error_response(
        request, InvalidInput(f"a value the database cannot hold: {first_line}", ("request",))
    )


def _database_down_response(request: Request, exc: Exception) -> Response:
    first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
    return service_error_response(request, EngineUnavailable(f"database unavailable: {first_line}", ("database",)))


def install_error_handler(app: FastAPI) -> None:
    """Render every ServiceError, and the database's own refusals as 409/422/503, in one body shape; FastAPI's
    request validation errors keep their 422 shape (a lone surrogate echoed in it as a JSON escape)."""
    app.add_exception_handler(ServiceError, service_error_response)
    app.add_exception_handler(RequestValidationError, request_validation_response)
    app.add_exception_handler(IntegrityError, _integrity_error_response)
    app.add_exception_handler(OperationalError, _database_down_response)
    app.add_exception_handler(DataError, _out_of_range_response)
    app.add_exception_handler(OverflowError, _out_of_range_response)
