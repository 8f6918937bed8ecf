"""The plan map on a configured base map, in headless Chromium. A tile server of the test's own on 127.0.0.1
stands in for AMap: the page must fetch its tiles from the configured URL (with its subdomains), credit it, and
draw the geometry shifted to GCJ-02 so that it sits on those tiles."""

from __future__ import annotations

import math
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from geo.coords import wgs84_to_gcj02
from tests.browser.conftest import WAIT_S, environ_without_base_map, open_page, serve

TILE_PATH = re.compile(r"^/tiles/(?P<s>\w)/(?P<z>\d+)/(?P<x>\d+)/(?P<y>\d+)\.png$")


def grey_tile_png(size: int = 256) -> bytes:
    """A plain light-grey 8-bit greyscale PNG tile."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xdd" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class TileServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        self.requested: list[str] = []
        self.tile = grey_tile_png()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requested.append(self.path)
                ok = TILE_PATH.match(self.path) is not None
                self.send_response(200 if ok else 404)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(server.tile) if ok else 0))
                self.end_headers()
                if ok:
                    self.wfile.write(server.tile)

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)


@pytest.fixture(scope="module")
def tile_server() -> Iterator[TileServer]:
    server = TileServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def server_with_tiles(published_database, tile_server: TileServer) -> Iterator[str]:
    url, _office_id, _plan_id, _token = published_database
    port = tile_server.server_address[1]
    environ = environ_without_base_map() | {
        "ROUTEPLAN_TILE_URL": f"http://127.0.0.1:{port}/tiles/{{s}}/{{z}}/{{x}}/{{y}}.png",
        "ROUTEPLAN_TILE_COORDS": "gcj02",
        "ROUTEPLAN_TILE_SUBDOMAINS": "12",
        "ROUTEPLAN_TILE_ATTRIBUTION": "Test tiles (GCJ-02)",
    }
    with serve(url, environ) as base_url:
        yield base_url


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The Web Mercator tile (x, y) holding a point at `zoom`."""
    n = 2**zoom
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def test_plan_map_draws_on_the_configured_gcj02_tiles(
    browser, server_with_tiles, tile_server, published_database, screenshots
):
    _url, office_id, plan_id, token = published_database
    open_page(browser, f"{server_with_tiles}/plans/{plan_id}/map?lang=en&token={token}")
    WebDriverWait(browser, WAIT_S).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#map img.leaflet-tile-loaded"))
    assert "Test tiles (GCJ-02)" in browser.find_element(By.CLASS_NAME, "leaflet-control-attribution").text
    assert not browser.find_elements(By.CSS_SELECTOR, "#map.no-tiles")

    tiles = [TILE_PATH.match(path) for path in tile_server.requested]
    assert tiles and all(tiles), tile_server.requested
    assert {t["s"] for t in tiles} <= {"1", "2"}
    zoom = max(int(t["z"]) for t in tiles)
    requested = {(int(t["x"]), int(t["y"])) for t in tiles if int(t["z"]) == zoom}
    # the office is drawn at its GCJ-02 place: the tile under it was fetched
    office = httpx.get(
        f"{server_with_tiles}/offices/{office_id}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    ).json()
    assert tile_of(*wgs84_to_gcj02(office["lon"], office["lat"]), zoom) in requested
    browser.save_screenshot(str(screenshots / "plan-map-on-tiles.png"))
