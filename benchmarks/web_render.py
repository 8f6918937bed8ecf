"""Time to first render of the plan map in headless Chromium, and the time to make one A4 day sheet (PDF).

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
server. Pages are opened as the demo's links are, with `?token=` (a supervisor
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
from service.day_list import views as day_list_views  # noqa: E402
from service.day_list.day_sheet import day_sheet_pdf  # noqa: E402
from service.master_data import repository  # noqa: E402
from service.pages.i18n import Translator  # noqa: E402
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


def phone_render_times(driver, url: str, runs: int) -> list[dict]:
    """The rep's day page at phone size, `runs` loads (the cookie from the first `?token=` link carries on)."""
    from selenium.webdriver.support.wait import WebDriverWait

    driver.set_window_size(390, 844)
    results = []
    for _ in range(runs):
        driver.get("about:blank")
        driver.get(url)
        results.append(WebDriverWait(driver, 120).until(lambda d: d.execute_script(PHONE_TIMINGS_JS)))
    return results


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
    args = parser.parse_args()

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
        "week 1, all reps (default view)": f"/plans/{plan.id}/map?lang=zh-CN&token={raw}",
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
                phone = phone_render_times(
                    driver, f"{base}/reps/{busiest.rep_id}/day/{busiest_date.isoformat()}/page?token={raw}", args.runs
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
