"""Pytest fixtures serving a real osrm-routed (built by geo/osrm_local.py) on 127.0.0.1.

When OSRM's executables are missing the fixtures skip, except under CI (env CI set), where they fail: CI must test
the road path. `osrm_server` (session scope) serves the Porto Alegre extract of sample_routes/; `osrm_islands`
serves a hand-written map of two unconnected roads, where unreachable pairs and far-off points are known exactly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from geo.osrm_local import PORTO_ALEGRE_PBF, OsrmNotInstalled, OsrmServer, find_bin_dir, running_osrm

# Two roads 3 km apart with no link: a square block (island A) and a short street (island B). Coordinates
# near (0.5, 0.5) keep it clear of every real map.
ISLANDS_OSM = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="routeplan tests">
  <node id="1" version="1" lat="0.5000" lon="0.5000"/>
  <node id="2" version="1" lat="0.5000" lon="0.5020"/>
  <node id="3" version="1" lat="0.5020" lon="0.5020"/>
  <node id="4" version="1" lat="0.5020" lon="0.5000"/>
  <node id="5" version="1" lat="0.5000" lon="0.5300"/>
  <node id="6" version="1" lat="0.5020" lon="0.5300"/>
  <way id="10" version="1">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="highway" v="residential"/>
  </way>
  <way id="11" version="1">
    <nd ref="5"/><nd ref="6"/>
    <tag k="highway" v="residential"/>
  </way>
</osm>
"""


def _require_osrm() -> None:
    try:
        find_bin_dir()
        return
    except OsrmNotInstalled as exc:
        missing = str(exc)
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the OSRM tests: {missing}", pytrace=False)
    pytest.skip(missing)


@pytest.fixture(scope="session")
def osrm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OsrmServer]:
    _require_osrm()
    with running_osrm(PORTO_ALEGRE_PBF, tmp_path_factory.mktemp("osrm-porto-alegre")) as server:
        yield server


@pytest.fixture(scope="session")
def osrm_islands(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OsrmServer]:
    _require_osrm()
    workdir = tmp_path_factory.mktemp("osrm-islands")
    osm_file = workdir / "source" / "islands.osm"
    osm_file.parent.mkdir()
    osm_file.write_text(ISLANDS_OSM)
    with running_osrm(osm_file, workdir / "graph") as server:
        yield server
