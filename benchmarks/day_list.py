"""Latency of the rep's day list, GET /reps/{id}/day/{date}, under concurrent clients on loopback.

    .venv/bin/python benchmarks/day_list.py [--database-url URL] [--clients 50] [--requests 5000] [--duration 30]
        [--interval-ms 0]

Uses the database of DATABASE_URL (default: var/routeplan.db, the one `routeplan demo` fills); when the sample
office or its published plan is missing, loads and plans it first. Starts uvicorn on a free port of 127.0.0.1,
warms up, then runs the clients (httpx, asyncio; each client sends its next request when the previous one
has answered, or, with --interval-ms, at that pace) until the request count or the duration is reached, and
prints p50/p95/p99 and requests/s. Client and server share this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from statistics import quantiles

import httpx
from sqlmodel import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run from a checkout: benchmarks/ is not an installed package

from service import db, plan_repository, planning, repository  # noqa: E402
from service.bundle import load_bundle  # noqa: E402
from service.cli import next_monday  # noqa: E402

WARMUP_REQUESTS = 200


def published_day_lists(url: str, office_folder: Path, time_limit_s: float) -> list[str]:
    """Paths of every rep-day with visits in the sample office's published plan (planned first if needed)."""
    db.migrate(url)
    engine = db.make_engine(url)
    code = json.loads((office_folder / "office.json").read_text(encoding="utf-8-sig"))["office"]["code"]
    with Session(engine) as session:
        office = repository.office_by_code(session, code)
        if office is None:
            print(f"loading {office_folder} ...", flush=True)
            office = load_bundle(session, office_folder)
            session.commit()
        plan = plan_repository.published_plan(session, office.id)
    if plan is None:
        print(f"planning office {code} ({time_limit_s:g} s per rep) ...", flush=True)
        plan_id = planning.plan_office(engine, office.id, next_monday(date.today()), time_limit_s=time_limit_s)
        with Session(engine) as session:
            plan_repository.publish(session, plan_repository.get_plan(session, plan_id))
            session.commit()
    with Session(engine) as session:
        plan = plan_repository.published_plan(session, office.id)
        paths = [f"/reps/{d.rep_id}/day/{(plan.start_date + timedelta(days=d.day)).isoformat()}"
                 for d in plan_repository.plan_days(session, plan.id)]
    engine.dispose()
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=os.environ | {"DATABASE_URL": url})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not answer /health within 60 s")


async def load(base_url: str, paths: list[str], clients: int, max_requests: int, duration_s: float,
               interval_s: float) -> tuple[list[float], list[str], float]:
    """Latencies in seconds of the successful requests, the failures, and the wall time. With `interval_s`,
    each client sends a request every `interval_s` (or at once when the previous answer came later)."""
    latencies: list[float] = []
    failures: list[str] = []
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10) as http:
        for path in (paths * (WARMUP_REQUESTS // len(paths) + 1))[:WARMUP_REQUESTS]:
            (await http.get(path)).raise_for_status()
        started = time.perf_counter()
        deadline = started + duration_s

        async def client(index: int) -> None:
            nonlocal sent
            next_send = started + interval_s * index / clients  # paced clients start spread over one interval
            while sent < max_requests and time.perf_counter() < deadline:
                if interval_s:
                    await asyncio.sleep(max(0.0, next_send - time.perf_counter()))
                    next_send += interval_s
                path = paths[sent % len(paths)]
                sent += 1
                t0 = time.perf_counter()
                try:
                    response = await http.get(path)
                except httpx.TransportError as e:
                    failures.append(f"{path}: {type(e).__name__} {e}")
                    continue
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - t0)
                else:
                    failures.append(f"{path}: HTTP {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(client(i) for i in range(clients)))
        return latencies, failures, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: DATABASE_URL, else var/routeplan.db")
    parser.add_argument("--office", type=Path, default=REPO_ROOT / "sample_routes" / "shanghai_minhang")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=5000, help="stop after this many requests")
    parser.add_argument("--duration", type=float, default=30.0, help="or after this many seconds")
    parser.add_argument("--interval-ms", type=float, default=0.0,
                        help="each client sends a request every this many ms (default 0: as soon as answered)")
    parser.add_argument("--time-limit", type=float, default=planning.DEFAULT_TIME_LIMIT_S,
                        help="solver s per rep, when the plan must be made first")
    args = parser.parse_args()

    url = db.database_url(args.database_url)
    paths = published_day_lists(url, args.office, args.time_limit)
    port = free_port()
    server = start_server(url, port)
    try:
        latencies, failures, wall_s = asyncio.run(
            load(f"http://127.0.0.1:{port}", paths, args.clients, args.requests, args.duration,
                 args.interval_ms / 1000))
    finally:
        server.terminate()
        server.wait(timeout=10)

    cuts = quantiles(latencies, n=100, method="inclusive")
    print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
    pacing = f"each every {args.interval_ms:g} ms" if args.interval_ms else "each sending when answered"
    print(f"GET /reps/{{id}}/day/{{date}} on {db.make_engine(url).dialect.name}: {len(paths)} distinct day lists, "
          f"{args.clients} concurrent clients ({pacing}), {len(latencies)} ok / {len(failures)} failed in {wall_s:.1f} s")
    print(f"p50 {cuts[49] * 1000:.1f} ms  p95 {cuts[94] * 1000:.1f} ms  p99 {cuts[98] * 1000:.1f} ms  "
          f"max {max(latencies) * 1000:.1f} ms  {len(latencies) / wall_s:.0f} requests/s")
    for failure in failures[:5]:
        print(f"failed: {failure}")


if __name__ == "__main__":
    main()
