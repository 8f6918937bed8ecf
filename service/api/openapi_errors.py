"""The error answers every operation may give, added to the OpenAPI document once for all routes.

Each error body has the shape of service/core/errors.py ({"detail": [{"loc", "msg", "type"}, ...]}); FastAPI's own
HTTP errors (400 for a body that is not JSON, 405) carry a plain string as `detail`. Statuses a route documents
itself (the change set's 409 with `current_plan_id`, FastAPI's 422) are kept as they are.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

ERRORS = {
    "400": "the body cannot be parsed (not JSON, not UTF-8)",
    "401": "no API token, or an unknown or revoked one",
    "403": "the token's role or office does not allow this",
    "404": "an id or code in the request names nothing stored",
    "409": "conflicts with what is stored: a duplicate code, a stale plan version",
    "413": "the body is over the size limit (service/core/request_limits.py)",
    "422": "a value is wrong: `loc` names the field, file row or parameter",
    "503": "the database or a travel-time engine cannot be reached",
}
_LOC = 'where: body, query, path or file, then the field, row or parameter, e.g. ["body", "lat"]'
_MSG = "what is wrong, in words"
_TYPE = "which kind of error, e.g. value_error, not_found, conflict"
ERROR_BODY = {
    "title": "ErrorBody",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "description": "the problems, or for FastAPI's own 400 and 405 one message",
            "anyOf": [
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["loc", "msg", "type"],
                        "properties": {
                            "loc": {
                                "type": "array",
                                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                                "description": _LOC,
                            },
                            "msg": {"type": "string", "description": _MSG},
                            "type": {"type": "string", "description": _TYPE},
                        },
                    },
                },
                {"type": "string"},
            ],
        },
    },
}
# FastAPI's own 422 body, which service/core/errors.py keeps: its schemas' properties described as ErrorBody's
_VALIDATION_ERRORS = {
    "HTTPValidationError": {"detail": "the problems, each naming its place"},
    "ValidationError": {
        "loc": _LOC,
        "msg": _MSG,
        "type": _TYPE,
        "input": "the value refused, as sent (a list or object by its kind and size)",
        "ctx": 'the rule broken, e.g. {"ge": 1}',
    },
}
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _with_errors(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorBody"] = ERROR_BODY
    for name, described in _VALIDATION_ERRORS.items():
        for prop, schema in schemas.get(name, {}).get("properties", {}).items():
            if prop in described:
                schema.setdefault("description", described[prop])
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _METHODS:
                responses = operation.setdefault("responses", {})
                for status, description in ERRORS.items():
                    responses.setdefault(status, {"description": description, **error})
    return document


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` list ERRORS on every operation (FastAPI builds the document once and keeps it)."""
    build = app.openapi
    app.openapi = lambda: _with_errors(build())  # type: ignore[method-assign]
