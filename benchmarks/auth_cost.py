"""What authentication and the access check cost per request, measured in this process (no network, no load
generator: the numbers are the service's own CPU per request, comparable between runs on one machine).

    .venv/bin/python benchmarks/auth_cost.py [--database sqlite|postgresql] [--requests 20000]

The tiny sample office (sample_routes/tiny) is loaded into a fresh database, planned (0.5 s per rep) and
published, and a rep token is made. Then, best of five rounds of --requests each:

1. the pieces, called directly: reading the token from the headers (`auth.request_token`), the principal
   from the in-process cache (`PrincipalCache.hit`, what every request pays within the cache's 5 s), the
   rule (`policy.allows`, day list rule), and a cache miss: the indexed lookup of the token's SHA-256 in the
   database (what a token pays once per 5 s and API process);
2. end to end through the app's ASGI stack (middleware, routing, dependencies, response), driven from an
   event loop as uvicorn would, without sockets:
   - the day list answered by the fast path (kept list): with the token, and with the principal check
     replaced by a constant principal: the difference is what authentication adds to the hottest request;
   - GET /reps/{id} through FastAPI's routing: with the token (cache hit), with the principal dependency
     overridden by a constant principal (the difference: resolving the token through FastAPI), and with a
     cache that keeps nothing (every request looks the token up: the cost of a miss, end to end). The
     route's rule still reads the rep's office (one query) in all three: that query is the access check's
     own cost on routes that name an object, and the route reads the same row again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run from a checkout: benchmarks/ is not an installed package

from benchmarks.day_list import fresh_database  # noqa: E402
from service.access import (  # noqa: E402
    auth,
    policy,  # noqa: E402
)
from service.access.tokens import create_token  # noqa: E402
from service.app import create_app  # noqa: E402
from service.core import db  # noqa: E402
from service.core.calendar import next_monday  # noqa: E402
from service.master_data.bundle import load_bundle  # noqa: E402
from service.plans import planning  # noqa: E402
from service.plans import repository as plan_repository  # noqa: E402

TINY = REPO_ROOT / "sample_routes" / "tiny"
ROUNDS = 5


def best_us(call: Callable[[], object], n: int) -> float:
    """Best of ROUNDS rounds of `n` calls, microseconds per call."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(n):
            call()
        best = min(best, (time.perf_counter() - started) / n)
    return best * 1e6


async def best_async_us(call: Callable[[], object], n: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(n):
            await call()
        best = min(best, (time.perf_counter() - started) / n)
    return best * 1e6


def published_tiny(url: str) -> tuple[int, str, str]:
    """(rep id, a day path of the rep with visits, the rep's raw token)."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            office = load_bundle(session, TINY)
            session.commit()
            office_id = office.id
        plan_id = planning.plan_office(engine, office_id, next_monday(date.today()), time_limit_s=0.5)
        with Session(engine) as session:
            plan = plan_repository.publish(session, plan_repository.get_plan(session, plan_id))
            day = max(
                plan_repository.plan_days(session, plan_id),
                key=lambda d: len(plan_repository.rep_day_visits(session, plan_id, d.rep_id, d.day)),
            )
            token, raw = create_token(session, role="rep", name="benchmark", office_id=office_id, rep_id=day.rep_id)
            session.commit()
            return day.rep_id, f"/reps/{day.rep_id}/day/{(plan.start_date + timedelta(days=day.day)).isoformat()}", raw
    finally:
        engine.dispose()


class Asgi:
    """Requests straight into the app's ASGI callable, on one event loop."""

    def __init__(self, app) -> None:
        self.app = app

    async def get(self, path: str, headers: list[tuple[bytes, bytes]]) -> int:
        status = 0

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }
        await self.app(scope, receive, send)
        return status


async def measure(url: str, n: int) -> list[tuple[str, float]]:
    rep_id, day_path, raw = published_tiny(url)
    app = create_app(url)
    rows: list[tuple[str, float]] = []
    async with app.router.lifespan_context(app):
        client = Asgi(app)
        headers = [(b"authorization", f"Bearer {raw}".encode()), (b"accept-encoding", b"gzip")]
        assert await client.get(day_path, headers) == 200
        assert await client.get(f"/reps/{rep_id}", headers) == 200
        cache: auth.PrincipalCache = app.state.principals
        principal = cache.hit(raw)
        scope = policy.Scope(f"rep {rep_id}", principal.office_id, None, rep_id)

        rows.append(
            (
                "token from the headers (request_token)",
                best_us(lambda: auth.request_token(f"Bearer {raw}", "GET", None), n),
            )
        )
        rows.append(("principal from the cache (hit)", best_us(lambda: cache.hit(raw), n)))
        rows.append(
            ("rule (policy.allows, day list)", best_us(lambda: policy.allows(principal, policy.DAY_LIST, scope), n))
        )
        digest = auth.token_hash(raw)
        rows.append(
            (
                "principal from the database (miss: lookup by SHA-256)",
                best_us(lambda: cache._look_up(digest), max(n // 20, 100)),
            )
        )

        rows.append(
            ("day list, fast path, with the token", await best_async_us(lambda: client.get(day_path, headers), n))
        )
        real_hit, real_allows = auth.PrincipalCache.hit, policy.allows
        auth.PrincipalCache.hit = lambda self, _raw: principal
        policy.allows = lambda *_args: True
        try:
            rows.append(
                (
                    "day list, fast path, principal check replaced by a constant",
                    await best_async_us(lambda: client.get(day_path, headers), n),
                )
            )
        finally:
            auth.PrincipalCache.hit, policy.allows = real_hit, real_allows

        routed = max(n // 10, 200)
        rows.append(
            (
                "GET /reps/{id}, routed, with the token (cache hit)",
                await best_async_us(lambda: client.get(f"/reps/{rep_id}", headers), routed),
            )
        )

        async def constant_principal() -> auth.Principal:  # async like the real one: no thread-pool hop
            return principal

        app.dependency_overrides[auth.current_principal] = constant_principal
        rows.append(
            (
                "GET /reps/{id}, routed, principal dependency overridden",
                await best_async_us(lambda: client.get(f"/reps/{rep_id}", headers), routed),
            )
        )
        app.dependency_overrides.clear()
        app.state.principals = auth.PrincipalCache(app.state.engine, ttl_s=0)  # keeps nothing: every request misses
        rows.append(
            (
                "GET /reps/{id}, routed, every request looks the token up",
                await best_async_us(lambda: client.get(f"/reps/{rep_id}", headers), routed),
            )
        )
    app.state.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=20_000, help="calls per round of the cheap pieces")
    args = parser.parse_args()
    with fresh_database(args.database) as url:
        rows = asyncio.run(measure(url, args.requests))
    print(f"$ {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"{args.database}; best of {ROUNDS} rounds; microseconds per call or request, one process, no network")
    for what, us in rows:
        print(f"{us:10.1f} us  {what}")


if __name__ == "__main__":
    main()
