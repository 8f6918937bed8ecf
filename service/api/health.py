"""GET /health: liveness and the database status."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

router = APIRouter(tags=["health"])


@router.get("/health", summary="Check the service and its database")
def health(request: Request) -> JSONResponse:
    """200 with the database dialect when the database answers, 503 naming the failure when it does not."""
    engine = request.app.state.engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        first_line = str(getattr(exc, "orig", exc)).splitlines()[0]
        return JSONResponse(
            status_code=503,
            content={
                "status": "unavailable",
                "database": {"status": "down", "dialect": engine.dialect.name, "error": first_line},
            },
        )
    return JSONResponse(content={"status": "ok", "database": {"status": "ok", "dialect": engine.dialect.name}})
