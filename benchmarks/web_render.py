"""Time to first render of the plan map, the rep's phone page and the supervisor's ride-along week in headless
Chromium, and the time to make one A4 day sheet (PDF).

    .venv/bin/python benchmarks/web_render.py [--database-url URL] [--runs 5]

Uses the database of DATABASE_URL (default: var/routeplan.db, the one `routeplan demo` fills); when the sample
office (sample_routes/shanghai_minhang: 1,200 outlets, 8 reps) or its published plan is missing, loads and
plans it first. Starts uvicorn on a free port of 127.0.0.1 and Debian's headless Chromium (/usr/bin/chromium
through /usr/bin/chromedriver), and loads the map page `--runs` times per view:

- first render: from the start of navigation to the page's `plan-map-painted` mark, set two animation frames
  after the script has drawn every territory, route and numbered stop (so: server, transfer, parsing,
  Leaflet, layout and paint);
- server: request start to response end of the HTML (the plan read from the database and rendered).

The day sheet is the busiest rep-day of the plan: the PDF made in this process (best and median of
`--runs`), and fetched over HTTP once. The rep's phone page of that day is loaded `--runs` times at
390x844: first render up to its `day-page-painted` mark (list, outcome forms and numbered map drawn), and
server. The supervisor's ride-along week of the plan's first Monday is loaded `--runs` times up to its
`ride-along-painted` mark (every day's tables and map drawn; the server plans the week on each load). Pages are
opened as the demo's links are, with `?token=` (a supervisor
token of the office, made for the run and revoked after it).
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from statistics import median

import httpx
from sqlmodel import Session

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # run from a checkout: benchmarks/ is not an installed package

from benchmarks.day_list import free_port, serve_command, start_server, stop_server  # noqa: E402
from service.access.tokens import create_token, revoke_token  # noqa: E402
from service.cli import prepare_demo  # noqa: E402
from service.core import db  # noqa: E402
from service.core.i18n import Translator  # noqa: E402
from service.day_list import views as day_list_views  # noqa: E402
from service.day_list.day_sheet import day_sheet_pdf  # noqa: E402
from service.master_data import repository  # noqa: E402
from service.plans import planning  # noqa: E402
from service.plans import repository as plan_repository  # noqa: E402

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
)
TIMINGS_JS = """
const nav = performance.getEntriesByType("navigation")[0];
const painted = performance.getEntriesByName("plan-map-painted")[0];
return {first_render_ms: painted.startTime, server_ms: nav.responseEnd - nav.requestStart,
        bytes: nav.transferSize, stops: document.querySelectorAll("#map .leaflet-marker-pane .stop").length};
"""


def chromium(profile: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def render_times(driver, url: str, runs: int) -> list[dict]:
    from selenium.webdriver.support.wait import WebDriverWait

    results = []
    for _ in range(runs):
        driver.get("about:blank")
        driver.get(url)
        WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.body.dataset.painted"))
        results.append(driver.execute_script(TIMINGS_JS))
    return results


PHONE_TIMINGS_JS = """
const nav = performance.getEntriesByType("navigation")[0];
const painted = performance.getEntriesByName("day-page-painted")[0];
return painted && {first_render_ms: painted.startTime, server_ms: nav.responseEnd - nav.requestStart,
        bytes: nav.transferSize, forms: document.querySelectorAll("form.outcome").length};
"""


def page_render_times(driver, url: str, runs: int, timings_js: str, size: tuple[int, int]) -> list[dict]:
    """`runs` loads of a page at `size`, each read by `timings_js` once the page has set its painted mark (the
    cookie from the first `?token=` link carries on)."""
    from selenium.webdriver.support.wait import WebDriverWait

    driver.set_window_size(*size)
    results = []
    for _ in range(runs):
        driver.get("about:blank")
        driver.get(url)
        results.append(WebDriverWait(driver, 120).until(lambda d: d.execute_script(timings_js)))
    return results


DIFF_TIMINGS_JS = """
const nav = performance.getEntriesByType("navigation")[0];
const painted = performance.getEntriesByName("diff-page-painted")[0];
return painted && {first_render_ms: painted.startTime, server_ms: nav.responseEnd - nav.requestStart,
        bytes: nav.transferSize, rows: document.querySelectorAll("#diff-days tbody tr").length,
        points: document.querySelectorAll("#diff-map path.leaflet-interactive").length};
"""


RIDE_ALONG_TIMINGS_JS = """
const nav = performance.getEntriesByType("navigation")[0];
const painted = performance.getEntriesByName("ride-along-painted")[0];
return painted && {first_render_ms: painted.startTime, server_ms: nav.responseEnd - nav.requestStart,
        bytes: nav.transferSize, days: document.querySelectorAll(".ride-day").length,
        stops: document.querySelectorAll(".ride-map .stop").length};
"""


def diff_page_render_times(office_folder: Path, time_limit_s: float, runs: int) -> None:
    """The change-set diff page of a line cleanup on the sample office (in a fresh SQLite database: the change
    set makes a draft): 20 new outlets, 20 closures and a polygon move of about 30 outlets; the page loaded
    `runs` times at 1400x900 (first render up to its `diff-page-painted` mark, and server)."""

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/diff.db"
        db.migrate(url)
        engine = db.make_engine(url)
        plan, _ = prepare_demo(engine, office_folder, time_limit_s)
        with Session(engine, expire_on_commit=False) as session:
            outlets = repository.outlets(session, plan.office_id)
            reps = repository.reps(session, plan.office_id)
            _, raw = create_token(session, role="admin", name="benchmark diff page", office_id=plan.office_id)
            session.commit()
        centre = outlets[len(outlets) // 2]
        near = sorted(outlets, key=lambda o: (o.lon - centre.lon) ** 2 + (o.lat - centre.lat) ** 2)
        radius = ((near[30].lon - centre.lon) ** 2 + (near[30].lat - centre.lat) ** 2) ** 0.5
        box = [[centre.lon + dx * radius, centre.lat + dy * radius] for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        far = near[100:]  # closures outside the polygon: an outlet is not both closed and moved
        hours = {day: ["08:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        body = {
            "base_plan_id": plan.id,
            "idempotency_key": "benchmark-diff-page",
            "new_outlets": [
                {
                    "code": f"BENCH{i:03d}",
                    "name": f"新店 {i}",
                    "channel": "grocery",
                    "lon": o.lon + 0.0004,
                    "lat": o.lat + 0.0004,
                    "service_min": 8,
                    "visits_per_cycle": 4,
                    "opening_hours": hours,
                }
                for i, o in enumerate(outlets[::60][:20])
            ],
            "closures": [o.code for o in far[7::55][:20]],
            "moves": [{"to_rep_code": reps[0].code, "polygon": {"type": "Polygon", "coordinates": [[*box, box[0]]]}}],
        }
        port = free_port()
        server, _log = start_server(serve_command(port, 1), url, port, 1)
        base = f"http://127.0.0.1:{port}"
        try:
            made = httpx.post(f"{base}/change-sets", json=body, headers={"Authorization": f"Bearer {raw}"}, timeout=600)
            assert made.status_code == 201, made.text[:2000]
            page_url = f"{base}/change-sets/{made.json()['id']}/page?lang=zh-CN&token={raw}"
            with tempfile.TemporaryDirectory() as profile:
                driver = chromium(Path(profile))
                try:
                    results = page_render_times(driver, page_url, runs, DIFF_TIMINGS_JS, (1400, 900))
                finally:
                    driver.quit()
        finally:
            stop_server(server)
            engine.dispose()
    renders = [r["first_render_ms"] for r in results]
    print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"change-set diff page, {len(outlets)} outlets, {len(reps)} reps ({results[0]['rows']} rep-days, "
        f"{results[0]['points']} points on the map, {results[0]['bytes'] / 1024:.0f} KiB): first render first load "
        f"{renders[0]:.0f} ms, median {median(renders):.0f} ms, best {min(renders):.0f} ms; server median "
        f"{median(r['server_ms'] for r in results):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: DATABASE_URL, else var/routeplan.db")
    parser.add_argument("--office", type=Path, default=REPO_ROOT / "sample_routes" / "shanghai_minhang")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--time-limit",
        type=float,
        default=planning.DEFAULT_TIME_LIMIT_S,
        help="solver s per rep, when the plan must be made first",
    )
    parser.add_argument("--diff-page", action="store_true", help="time only the change-set diff page")
    args = parser.parse_args()
    if args.diff_page:
        diff_page_render_times(args.office, args.time_limit, args.runs)
        return

    url = db.database_url(args.database_url)
    db.migrate(url)
    engine = db.make_engine(url)
    prepare_demo(engine, args.office, args.time_limit)  # loads and plans the office when missing
    with Session(engine, expire_on_commit=False) as session:  # the rows are read after the token's commit
        office = next(o for o in repository.offices(session) if plan_repository.published_plan(session, o.id))
        plan = plan_repository.published_plan(session, office.id)
        busiest = max(
            plan_repository.plan_days(session, plan.id),
            key=lambda d: len(plan_repository.rep_day_visits(session, plan.id, d.rep_id, d.day)),
        )
        busiest_date = plan.start_date + timedelta(days=busiest.day)
        listing = day_list_views.rep_day_list(session, busiest.rep_id, busiest_date)
        outlets = len(repository.outlets(session, office.id))
        reps = len(repository.reps(session, office.id))
        rep = repository.rep(session, busiest.rep_id)
        token, raw = create_token(
            session,
            role="supervisor",
            name="benchmark web_render",
            office_id=office.id,
            supervisor_id=rep.supervisor_id,
        )
        token_id = token.id
        session.commit()

    pdf_s = []
    for _ in range(args.runs):
        started = time.perf_counter()
        pdf = day_sheet_pdf(listing, Translator("zh-CN"))
        pdf_s.append(time.perf_counter() - started)

    port = free_port()
    server, _log = start_server(serve_command(port, 1), url, port, 1)
    base = f"http://127.0.0.1:{port}"
    views = {
        "today's routes, all reps (default view)": f"/plans/{plan.id}/map?lang=zh-CN&token={raw}",
        "week 1, all reps": f"/plans/{plan.id}/map?lang=zh-CN&week=1&token={raw}",
        "whole cycle, all reps": f"/plans/{plan.id}/map?lang=zh-CN&week=0&token={raw}",
        "one rep, one day": f"/plans/{plan.id}/map?lang=zh-CN&rep={busiest.rep_id}&week={busiest.day // 7 + 1}"
        f"&weekday={('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun')[busiest.day % 7]}"
        f"&token={raw}",
    }
    try:
        started = time.perf_counter()
        sheet = httpx.get(
            f"{base}/reps/{busiest.rep_id}/day/{busiest_date.isoformat()}/sheet.pdf",
            headers={"Authorization": f"Bearer {raw}"},
            timeout=60,
        )
        sheet_http_s = time.perf_counter() - started
        sheet.raise_for_status()
        with tempfile.TemporaryDirectory() as profile:
            driver = chromium(Path(profile))
            try:
                measured = {name: render_times(driver, base + path, args.runs) for name, path in views.items()}
                ride_along = page_render_times(
                    driver,
                    f"{base}/supervisors/{rep.supervisor_id}/ride-along/page?start_date={plan.start_date}&token={raw}",
                    args.runs,
                    RIDE_ALONG_TIMINGS_JS,
                    (1400, 900),
                )
                phone = page_render_times(
                    driver,
                    f"{base}/reps/{busiest.rep_id}/day/{busiest_date.isoformat()}/page?token={raw}",
                    args.runs,
                    PHONE_TIMINGS_JS,
                    (390, 844),
                )
            finally:
                driver.quit()
    finally:
        stop_server(server)
        with Session(engine) as session:
            revoke_token(session, token_id)
            session.commit()

    print(f"$ {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(
        f"office {office.code}: {outlets} outlets, {reps} reps, plan {plan.id} ({plan.weeks} weeks); "
        f"{engine.dialect.name}; {args.runs} loads per view, first load with an empty browser cache"
    )
    print("| view | stops drawn | HTML | first render: first load | median | best | server (median) |")
    print("|---|---|---|---|---|---|---|")
    for name, runs in measured.items():
        renders = [r["first_render_ms"] for r in runs]
        print(
            f"| {name} | {runs[0]['stops']} | {runs[0]['bytes'] / 1024:.0f} KiB | {renders[0]:.0f} ms "
            f"| {median(renders):.0f} ms | {min(renders):.0f} ms | {median(r['server_ms'] for r in runs):.0f} ms |"
        )
    ride_renders = [r["first_render_ms"] for r in ride_along]
    print(
        f"ride-along week page ({ride_along[0]['days']} days, {ride_along[0]['stops']} stops on the maps, "
        f"{ride_along[0]['bytes'] / 1024:.0f} KiB; the server plans the week on each load): first render first load "
        f"{ride_renders[0]:.0f} ms, median {median(ride_renders):.0f} ms, best {min(ride_renders):.0f} ms; server "
        f"median {median(r['server_ms'] for r in ride_along):.0f} ms"
    )
    phone_renders = [r["first_render_ms"] for r in phone]
    print(
        f"rep's phone page at 390x844 ({phone[0]['forms']} stops with outcome forms, "
        f"{phone[0]['bytes'] / 1024:.0f} KiB): first render first load {phone_renders[0]:.0f} ms, median "
        f"{median(phone_renders):.0f} ms, best {min(phone_renders):.0f} ms; server median "
        f"{median(r['server_ms'] for r in phone):.0f} ms"
    )
    print(
        f"day sheet PDF ({len(listing.visits)} stops, {len(pdf) / 1024:.0f} KiB): best {min(pdf_s) * 1000:.0f} ms, "
        f"median {median(pdf_s) * 1000:.0f} ms in process; {sheet_http_s * 1000:.0f} ms over HTTP (first request)"
    )


if __name__ == "__main__":
    main()
