"""Which travel engine plans a rep, and road times turned into what a plan needs (or a service error).

A rep's travel mode (walking, ebike, car) is planned on an osrm-routed server when one is configured for that
mode, else on straight-line times at the mode's speed (or the rep's own speed). One osrm-routed serves one
profile, so engines are configured per mode. The office's `road_engines` column comes first, then the
environment:

    Office.road_engines = {"car": {"url": "http://osrm-car:5000", "data_version": "2026-11-01"},
                           "walking": null}          # null: straight line for that mode, whatever env says
    ROUTEPLAN_OSRM_URL_CAR / _EBIKE / _WALKING         # per mode, else ROUTEPLAN_OSRM_URL for every mode
    ROUTEPLAN_OSRM_DATA_VERSION_<MODE> / ROUTEPLAN_OSRM_DATA_VERSION   # the road data's version string, or
    ROUTEPLAN_OSRM_DATA_<MODE> / ROUTEPLAN_OSRM_DATA   # the .osrm base path the server reads (version derived
                                                       # from its files: geo.osrm.osrm_data_version)
    ROUTEPLAN_OSRM_TIMEOUT_S (10), ROUTEPLAN_OSRM_MAX_TABLE_SIZE (100: osrm-routed's default)
    ROUTEPLAN_MATRIX_CACHE (var/cache/matrix.sqlite)

Every road matrix goes through the matrix cache, keyed by engine URL, profile and data version: a new version
drops the old answers. A configured engine that fails is a 503, never a quiet fall-back to straight lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from geo.matrix_cache import CachedTravelModel, CacheKey, MatrixStore
from geo.osrm import (
    UNREACHABLE_S,
    OsrmTable,
    OutsideEngineMap,
    TravelEngineError,
    TravelEngineUnavailable,
    osrm_data_version,
)
from geo.travel import TRAVEL_MODES, TravelMatrix, travel_model
from service.core.errors import EngineUnavailable, ErrorDetail, InvalidInput
from service.core.tables import Office, Rep, TravelMode
from service.plans.convert import END_LOCATION, FIRST_OUTLET_LOCATION, START_LOCATION

DEFAULT_MATRIX_CACHE = Path("var") / "cache" / "matrix.sqlite"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_TABLE_SIZE = 100
# The profile name in the request URL and the cache key; osrm-routed answers with the profile its graph was
# built with whatever the URL says, so the per-mode server is what makes car and walking times differ.
OSRM_PROFILES = {TravelMode.CAR: "driving", TravelMode.EBIKE: "cycling", TravelMode.WALKING: "foot"}


class EngineChoice(StrEnum):
    """How a plan picks travel times: as configured, straight lines only, or road times required."""

    CONFIGURED = "configured"
    STRAIGHT = "straight"
    OSRM = "osrm"


@dataclass(frozen=True)
class RoadEngine:
    """One osrm-routed serving one travel mode's profile."""

    url: str
    profile: str
    data_version: str

    def describe(self) -> str:
        return f"osrm {self.url} ({self.profile}, data {self.data_version})"


def _env(name: str, mode: TravelMode) -> str | None:
    return os.environ.get(f"{name}_{mode.name}") or os.environ.get(name) or None


def _env_engine(mode: TravelMode) -> RoadEngine | None:
    url = _env("ROUTEPLAN_OSRM_URL", mode)
    if url is None:
        return None
    version = _env("ROUTEPLAN_OSRM_DATA_VERSION", mode)
    if version is None:
        data = _env("ROUTEPLAN_OSRM_DATA", mode)
        if data is None:
            raise EngineUnavailable(
                f"travel engine {url} for {mode.value} has no road data version: set "
                f"ROUTEPLAN_OSRM_DATA_VERSION_{mode.name} (or ROUTEPLAN_OSRM_DATA_{mode.name}, the .osrm path)",
                ("travel_engine", mode.value),
            )
        try:
            version = osrm_data_version(data)
        except FileNotFoundError as exc:
            raise EngineUnavailable(
                f"travel engine {url} for {mode.value}: {exc}", ("travel_engine", mode.value)
            ) from exc
    return RoadEngine(url.rstrip("/"), OSRM_PROFILES[mode], version)


def check_road_engines(value: Any) -> dict[str, dict[str, str] | None]:
    """An Office.road_engines value checked: {mode: {"url", "data_version"} | None}; InvalidInput naming the
    mode or field that is wrong."""
    if not isinstance(value, dict):
        raise InvalidInput("must be an object of travel modes", ("road_engines",))
    for mode, engine in value.items():
        if mode not in TRAVEL_MODES:
            raise InvalidInput(
                f"unknown travel mode {mode!r}; known: {', '.join(TRAVEL_MODES)}", ("road_engines", mode)
            )
        if engine is None:
            continue
        if not isinstance(engine, dict) or set(engine) != {"url", "data_version"}:
            raise InvalidInput('must be null or {"url": ..., "data_version": ...}', ("road_engines", mode))
        for field in ("url", "data_version"):
            if not isinstance(engine[field], str) or not engine[field].strip():
                raise InvalidInput("must be a non-empty string", ("road_engines", mode, field))
        if not engine["url"].startswith(("http://", "https://")):
            raise InvalidInput(f"not an http(s) URL: {engine['url']!r}", ("road_engines", mode, "url"))
    return value


def road_engine(office: Office, mode: TravelMode) -> RoadEngine | None:
    """The road engine of a travel mode for this office, None for straight-line times."""
    settings = check_road_engines(office.road_engines or {})
    if mode.value in settings:
        engine = settings[mode.value]
        if engine is None:
            return None
        return RoadEngine(engine["url"].rstrip("/"), OSRM_PROFILES[mode], engine["data_version"])
    return _env_engine(mode)


@dataclass(frozen=True)
class RepTravel:
    """Travel between a rep's day places and outlets ([start, end, *outlets]) and what to tell about it."""

    matrix: TravelMatrix
    engine: str  # which engine answered, for the plan's KPIs
    unreachable: tuple[int, ...]  # outlet positions (0 = the first outlet) the rep cannot drive to and back
    far_from_road: tuple[tuple[int, float], ...]  # (outlet position, snap distance in metres)


def _place_name(point: int, rep: Rep, office: Office) -> str:
    place = rep.start_place if point == START_LOCATION else rep.end_place
    return f"office {office.code}" if place == "office" else f"the home of rep {rep.code}"


class OfficeTravel:
    """The travel engines of one office's plan; open it around the plan's matrices (`with OfficeTravel(...)`)."""

    def __init__(self, office: Office, choice: EngineChoice = EngineChoice.CONFIGURED) -> None:
        self.office = office
        self.choice = choice
        self.cache_path = Path(os.environ.get("ROUTEPLAN_MATRIX_CACHE") or DEFAULT_MATRIX_CACHE)
        self._store: MatrixStore | None = None
        self._tables: dict[RoadEngine, OsrmTable] = {}

    def __enter__(self) -> OfficeTravel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for table in self._tables.values():
            table.close()
        if self._store is not None:
            self._store.close()

    def engine_of(self, rep: Rep) -> RoadEngine | None:
        mode = TravelMode(rep.travel_mode)
        if self.choice == EngineChoice.STRAIGHT:
            return None
        engine = road_engine(self.office, mode)
        if engine is None and self.choice == EngineChoice.OSRM:
            raise InvalidInput(
                f"no road engine configured for travel mode {mode.value} (rep {rep.code}): set "
                f"ROUTEPLAN_OSRM_URL_{mode.name} or the office's road_engines",
                ("reps", rep.code, "travel_mode"),
            )
        return engine

    def rep_travel(self, rep: Rep, lonlat: np.ndarray, outlet_codes: list[str]) -> RepTravel:
        """Travel between the rep's points (start, end, then the outlets named by `outlet_codes`).

        Raises EngineUnavailable (503) when the road engine does not answer and InvalidInput (422) naming the
        outlets that lie outside its map."""
        engine = self.engine_of(rep)
        if engine is None:
            model = travel_model(str(rep.travel_mode), rep.speed_kmh)
            speed = rep.speed_kmh or TRAVEL_MODES[str(rep.travel_mode)]
            return RepTravel(model.matrix(lonlat), f"straight line at {speed:g} km/h", (), ())
        try:
            table = self._cached(engine).table(lonlat)
        except (TravelEngineUnavailable, TravelEngineError) as exc:
            raise EngineUnavailable(
                f"travel engine {engine.url} ({rep.travel_mode}) failed: {exc}", ("travel_engine", str(rep.travel_mode))
            ) from exc
        except OutsideEngineMap as exc:
            raise self._outside_map(exc, engine, rep, lonlat, outlet_codes) from exc
        duration_s = table.matrix.duration_s
        # An outlet is lost to the rep when the day cannot get to it or back, or it is cut off from the rest.
        lost = set(table.cut_off.tolist())
        lost |= set(np.flatnonzero(duration_s[START_LOCATION] >= UNREACHABLE_S).tolist())
        lost |= set(np.flatnonzero(duration_s[:, END_LOCATION] >= UNREACHABLE_S).tolist())
        first = FIRST_OUTLET_LOCATION
        unreachable = tuple(sorted(i - first for i in lost if i >= first))
        far = tuple((int(i) - first, float(table.snap_distance_m[i])) for i in table.far_from_road if i >= first)
        return RepTravel(table.matrix, engine.describe(), unreachable, far)

    def _cached(self, engine: RoadEngine) -> CachedTravelModel:
        if self._store is None:
            self._store = MatrixStore(self.cache_path)
        if engine not in self._tables:
            timeout_s = float(os.environ.get("ROUTEPLAN_OSRM_TIMEOUT_S") or DEFAULT_TIMEOUT_S)
            max_table = int(os.environ.get("ROUTEPLAN_OSRM_MAX_TABLE_SIZE") or DEFAULT_MAX_TABLE_SIZE)
            self._tables[engine] = OsrmTable(engine.url, engine.profile, max_table_size=max_table, timeout_s=timeout_s)
        key = CacheKey(engine=f"osrm {engine.url}", profile=engine.profile, data_version=engine.data_version)
        return CachedTravelModel(self._tables[engine], self._store, key)

    def _outside_map(
        self, exc: OutsideEngineMap, engine: RoadEngine, rep: Rep, lonlat: np.ndarray, outlet_codes: list[str]
    ) -> InvalidInput:
        details = []
        for point, snap_m in zip(exc.indices, exc.snaps_m, strict=True):
            lon, lat = lonlat[point]
            where = (
                f"(lon {lon:.6f}, lat {lat:.6f}) is {snap_m:.0f} m from the nearest road of travel engine "
                f"{engine.url} (limit {exc.limit_m:.0f} m): outside its map"
            )
            if point >= FIRST_OUTLET_LOCATION:
                code = outlet_codes[point - FIRST_OUTLET_LOCATION]
                details.append(ErrorDetail(("outlets", code), f"outlet {code} {where}", "value_error"))
            else:
                details.append(
                    ErrorDetail(
                        ("reps", rep.code, "start_place" if point == START_LOCATION else "end_place"),
                        f"{_place_name(point, rep, self.office)} {where}",
                        "value_error",
                    )
                )
        return InvalidInput(
            f"{len(details)} places of rep {rep.code} lie outside the travel engine's map", details=details
        )
