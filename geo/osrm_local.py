"""A local osrm-routed for the demo, benchmarks and tests: build an MLD graph from an OSM file, serve it on 127.0.0.1.

The executables come from the PyPI package osrm-bindings (Python 3.12 wheels only), installed in a separate
virtualenv by `make test`: env OSRM_BIN_DIR names their folder, else `.venv-osrm` at the repository root is searched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
PORTO_ALEGRE_PBF = REPO / "sample_routes" / "porto_alegre" / "porto-alegre.osm.pbf"
MAX_TABLE_SIZE = 100
_EXECUTABLES = ("osrm-extract", "osrm-partition", "osrm-customize", "osrm-routed")


class OsrmNotInstalled(RuntimeError):
    pass


@dataclass
class OsrmServer:
    base_url: str
    osrm_path: Path  # the graph's base name (<dir>/<name>.osrm), for osrm_data_version
    osm_file: Path  # the OSM data it was built from
    process: subprocess.Popen


def find_bin_dir() -> Path:
    """The folder holding the OSRM executables: env OSRM_BIN_DIR, else inside .venv-osrm."""
    candidates = []
    if os.environ.get("OSRM_BIN_DIR"):
        candidates.append(Path(os.environ["OSRM_BIN_DIR"]))
    candidates += sorted((REPO / ".venv-osrm").glob("lib/python3*/site-packages/osrm/bin"))
    for folder in candidates:
        if all((folder / exe).is_file() for exe in _EXECUTABLES):
            return folder
    looked = ", ".join(str(c) for c in candidates) or f"$OSRM_BIN_DIR (unset) or {REPO / '.venv-osrm'}"
    raise OsrmNotInstalled(
        f"OSRM executables {', '.join(_EXECUTABLES)} not found (looked in {looked}); "
        "create .venv-osrm with `PYENV_VERSION=3.12.1 python3.12 -m venv .venv-osrm && "
        ".venv-osrm/bin/pip install osrm-bindings`, or set OSRM_BIN_DIR"
    )


def find_profile(bin_dir: Path, name: str = "car.lua") -> Path:
    """The profile shipped beside the executables (it needs its lib/ folder next to it, so it is not copied)."""
    profile = bin_dir.parent / "share" / "profiles" / name
    if not profile.is_file():
        raise OsrmNotInstalled(f"OSRM profile {profile} not found")
    return profile


def _run(cmd: list[str], log: Path) -> None:
    with log.open("ab") as out:
        result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    if result.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {result.returncode}; see {log}")


def build_graph(bin_dir: Path, osm_file: Path, workdir: Path, profile: str = "car.lua") -> Path:
    """Copy the OSM file into workdir and prepare it for MLD; returns the .osrm base path."""
    workdir.mkdir(parents=True, exist_ok=True)
    source = workdir / osm_file.name
    if source.resolve() != osm_file.resolve():
        shutil.copyfile(osm_file, source)
    stem = source.name.split(".")[0]
    osrm_path = workdir / f"{stem}.osrm"
    log = workdir / "build.log"
    _run([str(bin_dir / "osrm-extract"), "-p", str(find_profile(bin_dir, profile)), str(source)], log)
    _run([str(bin_dir / "osrm-partition"), str(osrm_path)], log)
    _run([str(bin_dir / "osrm-customize"), str(osrm_path)], log)
    return osrm_path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_routed(bin_dir: Path, osrm_path: Path, osm_file: Path, max_table_size: int = MAX_TABLE_SIZE) -> OsrmServer:
    """Start osrm-routed on a free local port and wait until it answers."""
    port = _free_port()
    log = (osrm_path.parent / "routed.log").open("ab")
    cmd = [str(bin_dir / "osrm-routed"), "-a", "MLD", "-i", "127.0.0.1", "-p", str(port),
           "--max-table-size", str(max_table_size), str(osrm_path)]  # fmt: skip
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = OsrmServer(f"http://127.0.0.1:{port}", osrm_path, osm_file, process)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"osrm-routed exited with {process.returncode}; see {osrm_path.parent}/routed.log")
        try:
            httpx.get(f"{server.base_url}/nearest/v1/driving/0,0", timeout=1.0)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    stop_routed(server)
    raise RuntimeError("osrm-routed did not start listening within 30 s")


def stop_routed(server: OsrmServer) -> None:
    """Stop the osrm-routed this module started (its own pid only)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@contextmanager
def running_osrm(osm_file: Path, workdir: Path, max_table_size: int = MAX_TABLE_SIZE) -> Iterator[OsrmServer]:
    bin_dir = find_bin_dir()
    server = start_routed(bin_dir, build_graph(bin_dir, osm_file, workdir), osm_file, max_table_size)
    try:
        yield server
    finally:
        stop_routed(server)
