"""Latency of the rep's day list, GET /reps/{id}/day/{date}, under 50 concurrent connections on loopback.

    .venv/bin/python benchmarks/day_list.py [--database sqlite|postgresql] [--connections 50] [--duration 30]
        [--workers N] [--load-generator wrk|httpx]

Every run starts from nothing: the sample office (sample_routes/shanghai_minhang) is loaded into a fresh
database (a temporary SQLite file, or a new PostgreSQL database on 127.0.0.1:5432 that is dropped at the end),
planned for a 4-week cycle from the next Monday (a short solver time per rep: this measures reads) and
published. Then `routeplan serve` starts on a free port of 127.0.0.1 with --workers (default: the number of
cores) and the load generator keeps --clients connections busy, each sending its next request as soon as the
previous one is answered, over every rep-day of the cycle in turn, first for --warmup seconds (not counted),
then for --duration seconds. Requests carry `Accept-Encoding: gzip` as the reps' phones do, and each rep's
request its own rep token (`Authorization: Bearer`, one token per rep, made before the server starts), so the
numbers include authentication and the access check (benchmarks/auth_cost.py measures those alone).

The load generator is `wrk` (Debian package wrk; a Lua script hands out the paths; wrk counts 4xx/5xx answers
and socket errors, and every path is checked to answer 200 before the run) or, with --load-generator httpx,
asyncio clients in this process (heavier: on a small machine that client takes much of the CPU the server
needs). Client and server share this machine's cores: the load averages before and after are printed with the
results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from statistics import quantiles
from zoneinfo import ZoneInfo

import httpx
import psycopg
from sqlmodel import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run from a checkout: benchmarks/ is not an installed package

from service.access.tokens import create_token  # noqa: E402
from service.core import db  # noqa: E402
from service.core.calendar import next_monday  # noqa: E402
from service.master_data import repository  # noqa: E402
from service.master_data.bundle import load_bundle  # noqa: E402
from service.plans import planning  # noqa: E402
from service.plans import repository as plan_repository  # noqa: E402

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SERVER_START_S = 120  # importing the app takes seconds per worker, more on a busy machine

# wrk: each thread walks the paths from its own offset; `done` prints the numbers as one JSON line. wrk counts
# 4xx/5xx answers (`errors.status`); 1xx/3xx would need a Lua `response` hook, which costs wrk a third of its
# throughput on a small machine, so every path is checked to answer 200 before the run instead.
WRK_SCRIPT = """
local paths = {%(paths)s}
local tokens = {%(tokens)s}
function init(args)
  headers = {}
  for k = 1, #tokens do
    headers[k] = {["Accept-Encoding"] = "gzip", ["Authorization"] = tokens[k]}
  end
  i = offset
end
function request()
  i = i + 1
  local k = i %% #paths + 1
  return wrk.format("GET", paths[k], headers[k])
end
"""
# Every wrk script of the benchmarks ends with this (plain Lua, not a %-template): each thread's starting
# offset, and the RESULT line.
WRK_REPORT = """
local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"status": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.status, e.connect, e.read, e.write, e.timeout))
end
"""


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """URL of a new, migrated database of `kind` (sqlite, postgresql), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="routeplan-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'routeplan.db'}"
            db.migrate(url)
            yield url
        return
    name = f"routeplan_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"{PG_SERVER}/{name}"
        db.migrate(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


Request = tuple[str, str]  # a path and its Authorization header


def published_sample_office(url: str, office_folder: Path, time_limit_s: float) -> list[Request]:
    """Load, plan (from the office's next Monday) and publish the sample office, and make a token for each of
    its reps; every rep-day of the plan's cycle, asked for with its rep's token."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            office = load_bundle(session, office_folder)
            office_id, timezone = office.id, office.timezone
            tokens = {
                rep.id: "Bearer "
                + create_token(session, role="rep", name=f"benchmark {rep.code}", office_id=office_id, rep_id=rep.id)[1]
                for rep in repository.reps(session, office_id)
            }
            session.commit()
        start = next_monday(datetime.now(ZoneInfo(timezone)).date())
        print(f"planning {office_folder.name} from {start} ({time_limit_s:g} s per rep) ...", flush=True)
        plan_id = planning.plan_office(engine, office_id, start, time_limit_s=time_limit_s, created_by="benchmark")
        with Session(engine) as session:
            plan = plan_repository.publish(session, plan_repository.get_plan(session, plan_id))
            session.commit()
            coverage = plan.kpis["coverage"]
            requests = [
                (f"/reps/{d.rep_id}/day/{(start + timedelta(days=d.day)).isoformat()}", tokens[d.rep_id])
                for d in plan_repository.plan_days(session, plan_id)
            ]
        print(
            f"published plan {plan_id}: coverage {coverage:.1%}, {len(requests)} rep-days, {len(tokens)} rep tokens",
            flush=True,
        )
        return requests
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int, workers: int) -> list[str]:
    routeplan = Path(sys.executable).parent / "routeplan"  # the entry point installed next to this Python
    return [
        str(routeplan),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
    ]


class ServerLog:
    """The server's log lines (uvicorn writes them to stderr), read as they come."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(server.stderr,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip())

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


def start_server(command: list[str], url: str, port: int, workers: int) -> tuple[subprocess.Popen, ServerLog]:
    """The server, once every worker has started and /health answers."""
    server = subprocess.Popen(
        command, env=os.environ | {"DATABASE_URL": url}, cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True
    )
    log = ServerLog(server)
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode}:\n" + "\n".join(log.lines[-20:]))
        if log.count("Application startup complete") >= workers:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    return server, log
            except httpx.TransportError:
                pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit(f"{workers} workers did not start within {SERVER_START_S} s:\n" + "\n".join(log.lines[-20:]))


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM to the server we started (uvicorn's supervisor stops its workers), SIGKILL if it hangs."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def check_every_path(base_url: str, requests: list[Request]) -> None:
    """Every path answers 200 (this also builds each list once in whichever worker answers)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for path, authorization in requests:
            response = http.get(path, headers={"Authorization": authorization})
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}: {response.text[:300]}")


def run_wrk(
    base_url: str, requests: list[Request], clients: int, duration_s: float, script: Path, quiet: bool = False
) -> tuple[dict, list[str]]:
    """One wrk run over the day lists: its numbers (RESULT line of the Lua `done`) and the exact command."""
    return run_wrk_script(
        base_url,
        WRK_SCRIPT
        % {
            "paths": ", ".join(json.dumps(p) for p, _ in requests),
            "tokens": ", ".join(json.dumps(a) for _, a in requests),
        },
        clients,
        duration_s,
        script,
        quiet,
    )


def run_wrk_script(
    base_url: str, lua: str, clients: int, duration_s: float, script: Path, quiet: bool = False
) -> tuple[dict, list[str]]:
    """One wrk run of a script with `init` and `request` (WRK_REPORT is added): its numbers and the command."""
    script.write_text(lua + WRK_REPORT, encoding="utf-8")
    threads = max(1, min(2, os.cpu_count() or 1))
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{clients}",
        f"-d{duration_s:g}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        base_url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    if not quiet:
        print(done.stdout, end="")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT ")), command


async def run_httpx(
    base_url: str, requests: list[Request], clients: int, duration_s: float, interval_s: float
) -> tuple[list[float], list[str], float]:
    """Latencies in seconds of the 2xx answers, the failures, and the wall time. With `interval_s`, each
    client sends a request every `interval_s` (or at once when the previous answer came later)."""
    latencies: list[float] = []
    failures: list[str] = []
    sent = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=10, headers={"Accept-Encoding": "gzip"}
    ) as http:
        started = time.perf_counter()
        deadline = started + duration_s

        async def client(index: int) -> None:
            nonlocal sent
            next_send = started + interval_s * index / clients  # paced clients start spread over one interval
            while time.perf_counter() < deadline:
                if interval_s:
                    await asyncio.sleep(max(0.0, next_send - time.perf_counter()))
                    next_send += interval_s
                path, authorization = requests[sent % len(requests)]
                sent += 1
                t0 = time.perf_counter()
                try:
                    response = await http.get(path, headers={"Authorization": authorization})
                except httpx.TransportError as e:
                    failures.append(f"{path}: {type(e).__name__} {e}")
                    continue
                if response.is_success:
                    latencies.append(time.perf_counter() - t0)
                else:
                    failures.append(f"{path}: HTTP {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(client(i) for i in range(clients)))
        return latencies, failures, time.perf_counter() - started


def load_averages() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="a fresh database of this kind (PostgreSQL: 127.0.0.1:5432, user postgres)",
    )
    parser.add_argument("--office", type=Path, default=REPO_ROOT / "sample_routes" / "shanghai_minhang")
    parser.add_argument("--time-limit", type=float, default=2.0, help="solver seconds per rep (default 2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="API processes (default: cores)")
    parser.add_argument(
        "--connections", "--clients", dest="clients", type=int, default=50, help="concurrent connections (default 50)"
    )
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before measuring (default 5)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds measured (default 30)")
    parser.add_argument("--load-generator", choices=["wrk", "httpx"], default="wrk")
    parser.add_argument(
        "--interval-ms",
        type=float,
        default=0.0,
        help="httpx only: each client sends every this many ms (default 0: as soon as answered)",
    )
    args = parser.parse_args()
    if args.load_generator == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --load-generator httpx")

    with fresh_database(args.database) as url, tempfile.TemporaryDirectory(prefix="day-list-wrk-") as scratch:
        requests = published_sample_office(url, args.office, args.time_limit)  # each rep-day with its rep's token
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = serve_command(port, args.workers)
        server, log = start_server(command, url, port, args.workers)
        try:
            check_every_path(base_url, requests)
            load_before = load_averages()
            if args.load_generator == "wrk":
                script = Path(scratch) / "day_list.lua"
                if args.warmup:
                    run_wrk(base_url, requests, args.clients, args.warmup, script, quiet=True)
                result, wrk_command = run_wrk(base_url, requests, args.clients, args.duration, script)
            else:
                if args.warmup:
                    asyncio.run(run_httpx(base_url, requests, args.clients, args.warmup, 0.0))
                latencies, failures, wall_s = asyncio.run(
                    run_httpx(base_url, requests, args.clients, args.duration, args.interval_ms / 1000)
                )
            load_after = load_averages()
            restarts = log.count("died")  # uvicorn restarts a worker that stops answering
        finally:
            stop_server(server)

    print(f"$ {shlex.join([sys.executable, *sys.argv])}")
    print(f"server: DATABASE_URL=<fresh {args.database} database> {shlex.join(command)}")
    print(f"machine: {os.cpu_count()} cores, load average (1/5/15 min) {load_before} before, {load_after} after")
    print(
        f"GET /reps/{{id}}/day/{{date}} on {args.database}: {len(requests)} rep-days, {args.clients} connections, "
        f"{args.workers} API workers ({restarts} restarted), {args.warmup:g} s warm-up then {args.duration:g} s "
        "measured"
    )
    if args.load_generator == "wrk":
        errors = sum(result[k] for k in ("status", "connect", "read", "write", "timeout"))
        print(f"load generator: {shlex.join(wrk_command)}")
        print(
            f"p50 {result['p50_us'] / 1000:.1f} ms  p95 {result['p95_us'] / 1000:.1f} ms  "
            f"p99 {result['p99_us'] / 1000:.1f} ms  max {result['max_us'] / 1000:.1f} ms  "
            f"{result['requests'] / (result['duration_us'] / 1e6):.0f} requests/s  {result['requests']} requests  "
            f"errors {errors} (4xx/5xx {result['status']}, connect {result['connect']}, read {result['read']}, "
            f"write {result['write']}, timeout {result['timeout']})"
        )
        return
    pacing = f"each every {args.interval_ms:g} ms" if args.interval_ms else "each sending when answered"
    print(f"load generator: httpx asyncio in this process ({pacing})")
    if not latencies:
        raise SystemExit(f"no successful request; first failure: {failures[:1]}")
    cuts = quantiles(latencies, n=100, method="inclusive")
    print(
        f"p50 {cuts[49] * 1000:.1f} ms  p95 {cuts[94] * 1000:.1f} ms  p99 {cuts[98] * 1000:.1f} ms  "
        f"max {max(latencies) * 1000:.1f} ms  {len(latencies) / wall_s:.0f} requests/s  "
        f"{len(latencies) + len(failures)} requests  errors {len(failures)}"
    )
    for failure in failures[:5]:
        print(f"failed: {failure}")


if __name__ == "__main__":
    main()
