"""The hostile-input and job-flood probe of issue 17, against the service as it runs: `routeplan serve` (one API
process, so its memory is one number) on a fresh database with the tiny sample office and a second office.

    .venv/bin/python -m benchmarks.probe [--database sqlite|postgresql]

Cases, each answered and timed over HTTP, the API process's resident memory (VmRSS from /proc) read before and
after:
- spreadsheet bombs: 400 MiB of shared string in a 400 KB XLSX; six million one-letter shared strings in 250 KB;
  a sheet claiming a million rows (forged <dimension>); a million blank rows;
- numbers JSON cannot hold (NaN, Infinity, -Infinity, 1e309) in every field of every JSON body the OpenAPI
  document names, and 500-deep nesting in each body: every answer must be a 4xx;
- a job flood: one supervisor asks for 12 plans of an hour per rep; then cancels them; then another office's
  plan of 1 s per rep is asked for: the time until it is stored.
A defect is a 5xx, a case answered 2xx that should be refused, or a bomb over 5 s or 100 MiB.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shlex
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import httpx
from openpyxl import Workbook
from sqlmodel import Session

from benchmarks.day_list import free_port, fresh_database, serve_command, start_server, stop_server
from sample_routes.renamed import TINY, tiny_office_copy
from service.access.tokens import create_token
from service.core import db
from service.master_data import repository
from service.master_data.bundle import load_bundle
from service.master_data.outlet_import import HOURS_COLUMNS

COLUMNS = [
    "customer_code",
    "name",
    "address",
    "channel",
    "lon",
    "lat",
    "service_min",
    "visits_per_cycle",
    "rep_code",
    *HOURS_COLUMNS,
]
SST = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s</sst>'
BOMB_LIMITS = (5.0, 100.0)  # seconds, MiB of growth
NOT_JSON_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e309")


def workbook(change=lambda name, data: data, shared_strings: bytes | None = None) -> bytes:
    book = Workbook()
    book.active.append(COLUMNS)
    book.active.append(["PROBE1", "Probe", "", "convenience", 121.35, 31.15, 10, 4, "", *["07:00-23:00"] * 7])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            data = change(part.filename, source.read(part.filename))
            if part.filename == "[Content_Types].xml" and shared_strings is not None:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            target.writestr(part.filename, data)
        if shared_strings is not None:
            target.writestr("xl/sharedStrings.xml", shared_strings)
    return out.getvalue()


def bombs() -> dict[str, bytes]:
    def sheet(rewrite):
        return lambda name, data: rewrite(data) if name == "xl/worksheets/sheet1.xml" else data

    million_blank = b"".join(b'<row r="%d"/>' % r for r in range(3, 1_000_003))
    return {
        "400 MiB shared string": workbook(shared_strings=SST % (b"<si><t>" + b"x" * (400 * 2**20) + b"</t></si>")),
        "6 million tiny shared strings": workbook(shared_strings=SST % (b"<si><t>x</t></si>" * 6_000_000)),
        "forged dimension A1:P1000000": workbook(
            sheet(lambda d: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:P1000000"', d))
        ),
        "a million blank rows": workbook(sheet(lambda d: d.replace(b"</sheetData>", million_blank + b"</sheetData>"))),
    }


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def json_operations(http: httpx.Client) -> list[tuple[str, str, list[str]]]:
    """(method, path, top-level body fields) of every operation taking a JSON body."""
    document = http.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            if "application/json" in content:
                ref = content["application/json"]["schema"].get("$ref", "").split("/")[-1]
                found.append((method.upper(), path, list(schemas.get(ref, {}).get("properties", {}))))
    return found


def setup(url: str, folder: Path) -> tuple[int, int, str, str]:
    """Tiny office and a copy of it under other codes: (office, other office, admin token, supervisor token)."""
    engine = db.make_engine(url)
    try:
        with Session(engine) as session:
            office = load_bundle(session, TINY)
            other_office = load_bundle(session, tiny_office_copy(folder / "other"))
            admin = create_token(session, role="admin", name="probe admin")[1]
            supervisor = next(iter(repository.supervisors(session, office.id)))
            boss = create_token(
                session, role="supervisor", name="probe supervisor", office_id=office.id, supervisor_id=supervisor.id
            )[1]
            session.commit()
            return office.id, other_office.id, admin, boss
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    rows: list[tuple[str, int, int, str]] = []  # category, cases, defects, notes

    with fresh_database(args.database) as url, tempfile.TemporaryDirectory(prefix="probe-") as scratch:
        office_id, other_id, admin, boss = setup(url, Path(scratch))
        port = free_port()
        command = serve_command(port, 1)
        server, _log = start_server(command, url, port, 1)
        try:
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", timeout=600, headers={"Authorization": f"Bearer {admin}"}
            ) as http:
                pid = server.pid  # with one worker, uvicorn answers in the process it was started as
                notes, defects = [], 0
                for name, data in bombs().items():
                    before = rss_mib(pid)
                    started = time.perf_counter()
                    answer = http.post(
                        "/outlets/import", params={"office_id": office_id}, files={"file": ("outlets.xlsx", data)}
                    )
                    seconds = time.perf_counter() - started
                    growth = rss_mib(pid) - before
                    wanted = 200 if "forged" in name else 422
                    bad = answer.status_code != wanted or seconds > BOMB_LIMITS[0] or growth > BOMB_LIMITS[1]
                    defects += bad
                    notes.append(
                        f"{name} ({len(data) // 1024} KB): {answer.status_code} in {seconds:.2f} s, +{growth:.0f} MiB"
                    )
                rows.append(("spreadsheet bombs", len(notes), defects, "; ".join(notes)))

                operations = json_operations(http)
                cases = defects = 0
                worst = []
                nested = "[" * 500 + "]" * 500
                for method, path, fields in operations:
                    target = re.sub(r"\{[^}]+\}", "1", path)
                    bodies = [f'{{"{field}": {number}}}' for field in fields for number in NOT_JSON_NUMBERS]
                    bodies += ['{"x": ' + nested + "}", nested]
                    for body in bodies:
                        answer = http.request(
                            method, target, content=body.encode(), headers={"content-type": "application/json"}
                        )
                        cases += 1
                        if not 400 <= answer.status_code < 500:
                            defects += 1
                            worst.append(f"{method} {path} {body[:30]} -> {answer.status_code}")
                rows.append(
                    (
                        "NaN / Infinity / 1e309 in every field, 500-deep nesting",
                        cases,
                        defects,
                        f"{len(operations)} JSON operations" + (f"; {worst[:3]}" if worst else ""),
                    )
                )

                supervisor = {"Authorization": f"Bearer {boss}"}
                statuses, jobs = [], []
                for _ in range(12):
                    answer = http.post(
                        "/plans",
                        params={"wait": "false"},
                        headers=supervisor,
                        json={"office_id": office_id, "start_date": "2026-11-30", "time_limit_s": 3600},
                    )
                    statuses.append(answer.status_code)
                    if answer.status_code == 202:
                        jobs.append(answer.json()["id"])
                retry_after = answer.headers.get("retry-after")
                for job in jobs:
                    http.post(f"/jobs/{job}/cancel", headers=supervisor)
                started = time.perf_counter()
                answer = http.post(
                    "/plans",
                    params={"wait": "false"},
                    json={"office_id": other_id, "start_date": "2026-11-30", "time_limit_s": 1},
                )
                job = answer.json()["id"]
                while http.get(f"/jobs/{job}").json()["status"] in ("queued", "running"):
                    time.sleep(0.2)
                other_s = time.perf_counter() - started
                status = http.get(f"/jobs/{job}").json()["status"]
                accepted = statuses.count(202)
                flood_defects = (accepted > 3) + (status != "succeeded") + (other_s > 60)
                rows.append(
                    (
                        "job flood: 12 plans of 1 h per rep, cancelled, then another office's 1 s plan",
                        12,
                        flood_defects,
                        f"{accepted} accepted, {statuses.count(429)} answered 429 (Retry-After "
                        f"{retry_after} s); the other office's plan {status} {other_s:.1f} s after it was "
                        "asked for",
                    )
                )
        finally:
            stop_server(server)

    print(f"$ {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"server: {shlex.join(command)} on a fresh {args.database} database; {os.cpu_count()} cores, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print("| probe | cases | defects | what was seen |")
    print("|---|---|---|---|")
    for category, cases, defects, note in rows:
        print(f"| {category} | {cases} | {defects} | {note} |")


if __name__ == "__main__":
    main()
