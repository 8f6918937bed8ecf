"""A real service and a real browser for the page tests.

- `live_server` (session): the tiny sample office (sample_routes/tiny) loaded into a temporary SQLite
  database, planned and published with the service's own functions, served by uvicorn on a free port of
  127.0.0.1. Without a base map (the pages draw on a plain background: no internet needed). Its `token` (a
  global admin's) goes on page links as `?token=`, as the demo prints them, and in `headers` for the API.
- `browser` (session): headless Chromium from Debian (/usr/bin/chromium) driven by Selenium through Debian's
  chromedriver; nothing downloads a browser. Its language is zh-CN, like a phone in China.
- `screenshots`: the folder the tests save their screenshots to (printed; ROUTEPLAN_SCREENSHOTS to choose it).

Without chromium, chromedriver or poppler the tests skip, except under CI where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from service.access.tokens import create_token
from service.core import db
from service.master_data.bundle import load_bundle
from service.plans import planning
from service.plans import repository as plan_repository

REPO_ROOT = Path(__file__).resolve().parents[2]
TINY_SAMPLE = REPO_ROOT / "sample_routes" / "tiny"
START = date(2026, 11, 30)  # a Monday
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SERVER_START_TIMEOUT_S = 90
WAIT_S = 30  # for a page to draw in the browser


def require(condition: bool, what: str) -> None:
    """Skip when a system package is missing on a developer's machine; fail under CI, where it must be there
    (.ci/system-packages.sh installs it)."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI (bash .ci/system-packages.sh installs it)")
    pytest.skip(f"{what} is not installed (bash .ci/system-packages.sh)")


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    office_id: int
    plan_id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def published_office(url: str, folder: Path = TINY_SAMPLE) -> tuple[int, int, str]:
    """The office of `folder` loaded into the database `url`, planned and published: (office id, plan id, a
    global admin's token)."""
    db.migrate(url)
    engine = db.make_engine(url)
    with Session(engine) as session:
        office_id = load_bundle(session, folder).id
        _, token = create_token(session, role="admin", name="browser tests")
        session.commit()
    # one second per rep places all of the tiny office's visits
    plan_id = planning.plan_office(engine, office_id, START, time_limit_s=1.0)
    with Session(engine) as session:
        plan_repository.publish(session, plan_repository.get_plan(session, plan_id))
        session.commit()
    engine.dispose()
    return office_id, plan_id, token


def _wait_for_health(server: subprocess.Popen, base_url: str) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /health within {SERVER_START_TIMEOUT_S} s")


@contextmanager
def serve(url: str, environ: dict[str, str]) -> Iterator[str]:
    """uvicorn serving the database `url` with the environment `environ` on a free port; yields its base URL."""
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "service.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=environ | {"DATABASE_URL": url},
        cwd=REPO_ROOT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(server, base_url)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=20)


def environ_without_base_map() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ROUTEPLAN_TILE_")}


@pytest.fixture(scope="session")
def published_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int, int, str]:
    """(database URL, office id, plan id, a global admin's token) of the tiny sample office, planned and
    published."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'routeplan.db'}"
    return (url, *published_office(url))


@pytest.fixture(scope="session")
def live_server(published_database: tuple[str, int, int, str]) -> Iterator[LiveServer]:
    url, office_id, plan_id, token = published_database
    with serve(url, environ_without_base_map()) as base_url:
        yield LiveServer(base_url=base_url, office_id=office_id, plan_id=plan_id, token=token)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM}, Debian package chromium)")
    require(CHROMEDRIVER.exists(), f"chromedriver ({CHROMEDRIVER}, Debian package chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1400,900")
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser, url: str) -> None:
    """Load a page and wait until its script has drawn the map."""
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, WAIT_S).until(lambda b: b.execute_script("return document.body.dataset.renders"))


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("ROUTEPLAN_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="session")
def poppler() -> None:
    for tool in ("pdftoppm", "pdftotext"):
        require(shutil.which(tool) is not None, f"{tool} (Debian package poppler-utils)")
