"""The service under mixed traffic: reps' day lists, visit reports written and reads, all at once.

    .venv/bin/python -m benchmarks.mixed_traffic [--database sqlite|postgresql] [--connections 200] [--duration 60]

The sample office is loaded into a fresh database, planned and published (benchmarks/day_list.py does the same
and its helpers are used here), then `routeplan serve` starts with one API process per core and wrk keeps
--connections connections busy for --warmup seconds (not counted), then --duration seconds, cycling through a
shuffled list of requests, each with the token a real caller would hold:

- 60%: a rep's day list (GET /reps/{id}/day/{date}, the rep's token),
- 20%: a rep's visit report (POST /visits, today's date, one of the rep's outlets; visited and not visited
  alternate, so most reports are corrections that write),
- 20%: reads: the rep's reported visits (GET /visits, the rep's token) and the supervisor's KPIs of the team
  (GET /kpis, the supervisor's token).

Every request is checked to answer 2xx once before the run. Reported: wrk's p50/p95/p99 over all requests,
errors (4xx/5xx, socket errors, timeouts), and the resident memory of the server's processes (its supervisor and
API workers, from /proc) before the load and after it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psutil
from sqlmodel import Session

from benchmarks.day_list import (
    REPO_ROOT,
    free_port,
    fresh_database,
    load_averages,
    published_sample_office,
    run_wrk_script,
    serve_command,
    start_server,
    stop_server,
)
from service.access.tokens import create_token
from service.core import db
from service.master_data import repository

WRK_SCRIPT = """
local requests = %(requests)s
function init(args)
  i = offset
end
function request()
  i = i + 1
  local r = requests[i %% #requests + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end
"""

Call = tuple[str, str, dict[str, str], str]  # method, path, headers, body


def mixed_calls(url: str, day_lists: list[tuple[str, str]], seed: int) -> list[Call]:
    """The shuffled request mix over the office's reps (see the module docstring)."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            office = next(iter(repository.offices(session)))
            today = datetime.now(ZoneInfo(office.timezone)).date().isoformat()
            reps = [(rep.id, rep.supervisor_id) for rep in repository.reps(session, office.id)]
            supervisor_tokens = {
                s.id: "Bearer "
                + create_token(
                    session, role="supervisor", name=f"benchmark {s.code}", office_id=office.id, supervisor_id=s.id
                )[1]
                for s in repository.supervisors(session, office.id)
            }
            outlets = {
                rep_id: [o.code for o in repository.outlets(session, office.id) if o.rep_id == rep_id]
                for rep_id, _ in reps
            }
            session.commit()
    finally:
        engine.dispose()
    rep_token = {path.split("/")[2]: token for path, token in day_lists}  # rep id (text) -> its token
    json_headers = {"Content-Type": "application/json"}
    calls: list[Call] = [
        ("GET", path, {"Authorization": token, "Accept-Encoding": "gzip"}, "") for path, token in day_lists
    ]
    writes, reads = [], []
    for rep_id, supervisor_id in reps:
        token = {"Authorization": rep_token[str(rep_id)]}
        for code in outlets[rep_id]:
            report = {"rep_id": rep_id, "outlet_code": code, "date": today}
            for outcome in ({"visited": True, "order_taken": True}, {"visited": False, "reason": "closed"}):
                writes.append(("POST", "/visits", token | json_headers, json.dumps(report | outcome)))
        reads.append(("GET", f"/visits?rep_id={rep_id}&from={today}&to={today}", token, ""))
        reads.append(
            (
                "GET",
                f"/kpis?supervisor_id={supervisor_id}&from={today}&to={today}",
                {"Authorization": supervisor_tokens[supervisor_id]},
                "",
            )
        )
    rng = random.Random(seed)
    share = len(calls) // 3  # day lists 60%, writes 20%, reads 20%
    mix = calls + [rng.choice(writes) for _ in range(share)] + [rng.choice(reads) for _ in range(share)]
    rng.shuffle(mix)
    return mix


def check_every_call(base_url: str, calls: list[Call]) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        for method, path, headers, body in dict.fromkeys((m, p, json.dumps(h), b) for m, p, h, b in calls):
            response = http.request(method, path, headers=json.loads(headers), content=body or None)
            if not response.is_success:
                raise SystemExit(f"{method} {path} {body} answered {response.status_code}: {response.text[:300]}")


def server_rss_mib(server: subprocess.Popen) -> float:
    """Resident memory of the server and its worker processes (the local Dask cluster is not started here)."""
    root = psutil.Process(server.pid)
    return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20


def lua_table(calls: list[Call]) -> str:
    def lua(value) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in value.items()) + "}"
        return json.dumps(value)

    return (
        "{"
        + ",\n".join("{" + ", ".join(lua(part) if part != "" else "nil" for part in call) + "}" for call in calls)
        + "}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--office", type=Path, default=REPO_ROOT / "sample_routes" / "shanghai_minhang")
    parser.add_argument("--time-limit", type=float, default=2.0, help="solver seconds per rep (default 2)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="API processes (default: cores)")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with fresh_database(args.database) as url, tempfile.TemporaryDirectory(prefix="mixed-wrk-") as scratch:
        calls = mixed_calls(url, published_sample_office(url, args.office, args.time_limit), args.seed)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = serve_command(port, args.workers)
        server, log = start_server(command, url, port, args.workers)
        try:
            check_every_call(base_url, calls)
            rss_before = server_rss_mib(server)
            load_before = load_averages()
            script = Path(scratch) / "mixed.lua"
            if args.warmup:
                run_wrk_script(
                    base_url,
                    WRK_SCRIPT % {"requests": lua_table(calls)},
                    args.connections,
                    args.warmup,
                    script,
                    quiet=True,
                )
            result, wrk_command = run_wrk_script(
                base_url,
                WRK_SCRIPT % {"requests": lua_table(calls)},
                args.connections,
                args.duration,
                script,
                quiet=True,
            )
            load_after = load_averages()
            rss_after = server_rss_mib(server)
            restarts = log.count("died")
        finally:
            stop_server(server)

    kinds = {
        "day lists": sum(c[0] == "GET" and "/day/" in c[1] for c in calls),
        "visit reports": sum(c[0] == "POST" for c in calls),
        "reads": sum(c[0] == "GET" and "/day/" not in c[1] for c in calls),
    }
    errors = sum(result[k] for k in ("status", "connect", "read", "write", "timeout"))
    print(f"$ {shlex.join([sys.executable, *sys.argv])}")
    print(f"server: DATABASE_URL=<fresh {args.database} database> {shlex.join(command)}")
    print(f"machine: {os.cpu_count()} cores, load average (1/5/15 min) {load_before} before, {load_after} after")
    print(f"mix of {len(calls)} requests cycled: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
    print(f"load generator: {shlex.join(wrk_command)} ({args.warmup:g} s warm-up before)")
    print(
        f"p50 {result['p50_us'] / 1000:.1f} ms  p95 {result['p95_us'] / 1000:.1f} ms  "
        f"p99 {result['p99_us'] / 1000:.1f} ms  max {result['max_us'] / 1000:.1f} ms  "
        f"{result['requests'] / (result['duration_us'] / 1e6):.0f} requests/s  {result['requests']} requests  "
        f"errors {errors} (4xx/5xx {result['status']}, connect {result['connect']}, read {result['read']}, "
        f"write {result['write']}, timeout {result['timeout']})  workers restarted {restarts}"
    )
    print(f"server memory (RSS, all processes): {rss_before:.0f} MiB before, {rss_after:.0f} MiB after")


if __name__ == "__main__":
    main()
