"""Tokens for tests: the Authorization header of a new token, made straight in the app's database."""

from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import Session

from service.access.tokens import create_token


def bearer(app: FastAPI, role: str, **binding: int | None) -> dict[str, str]:
    """Headers carrying a new token of `role` bound as given (office_id, supervisor_id, rep_id)."""
    with Session(app.state.engine) as session:
        _, raw = create_token(session, role=role, name=f"test {role}", **binding)
        session.commit()
    return {"Authorization": f"Bearer {raw}"}
