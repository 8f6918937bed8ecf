"""The sample offices: the exact file formats the service loads, believable content, feasible reps,
and a generator that reproduces the checked-in files byte for byte."""

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from sample_routes import places
from sample_routes.generate import OUTLET_COLUMNS, SEED, generate

ROOT = Path(__file__).resolve().parents[2] / "sample_routes"
MINHANG, TINY = ROOT / "shanghai_minhang", ROOT / "tiny"
OFFICE_KEYS = {
    "code",
    "name",
    "lon",
    "lat",
    "timezone",
    "shift_start",
    "shift_end",
    "lunch_earliest",
    "lunch_latest",
    "lunch_min",
}
REP_KEYS = {
    "code",
    "name",
    "supervisor_code",
    "start_place",
    "end_place",
    "home_lon",
    "home_lat",
    "working_days",
    "shift_start",
    "shift_end",
    "lunch_earliest",
    "lunch_latest",
    "lunch_min",
    "travel_mode",
    "started_on",
}
CHANNELS = {"grocery", "convenience", "supermarket", "restaurant", "school_shop", "internet_cafe", "kiosk", "wholesale"}
WINDOW = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def windows(cell: str) -> list[tuple[int, int]]:
    if cell == "closed":
        return []
    out = []
    for part in cell.split(";"):
        m = WINDOW.match(part)
        assert m, f"bad window {part!r}"
        start, end = minutes(part[:5]), minutes(part[6:])
        assert start < end, f"window {part} ends before it starts"
        out.append((start, end))
    assert out == sorted(out) and all(a[1] <= b[0] for a, b in zip(out, out[1:])), f"overlapping windows {cell}"
    return out


def load(folder: Path) -> tuple[dict, list[dict]]:
    office = json.loads((folder / "office.json").read_text(encoding="utf-8"))
    with (folder / "outlets.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames) == OUTLET_COLUMNS
        return office, list(reader)


@pytest.mark.parametrize("folder", [MINHANG, TINY], ids=["minhang", "tiny"])
def test_office_json_has_exactly_the_loader_shape(folder):
    office, _ = load(folder)
    assert set(office) == {"office", "supervisors", "reps"}
    assert set(office["office"]) == OFFICE_KEYS
    assert office["office"]["timezone"] == "Asia/Shanghai"
    supervisors = {s["code"] for s in office["supervisors"]}
    for rep in office["reps"]:
        assert set(rep) == REP_KEYS, rep["code"]
        assert rep["supervisor_code"] in supervisors
        assert rep["travel_mode"] in {"walking", "ebike", "car"}
        assert set(rep["working_days"]) <= set(range(7))
        home_used = "home" in (rep["start_place"], rep["end_place"])
        assert (rep["home_lon"] is not None) == home_used and (rep["home_lat"] is not None) == home_used
        times = [minutes(rep[k]) for k in ("shift_start", "lunch_earliest", "lunch_latest", "shift_end")]
        assert times == sorted(set(times)), rep["code"]


@pytest.mark.parametrize("folder", [MINHANG, TINY], ids=["minhang", "tiny"])
def test_every_outlet_row_is_valid_and_visitable(folder):
    office, rows = load(folder)
    reps = {r["code"]: r for r in office["reps"]}
    assert len({r["customer_code"] for r in rows}) == len(rows)
    for row in rows:
        code = row["customer_code"]
        assert re.fullmatch(r"SH\d{7}", code)
        assert row["channel"] in CHANNELS, code
        assert row["rep_code"] in reps, code
        assert int(row["visits_per_cycle"]) in {1, 2, 4, 8, 12}, code
        assert row["name"] and row["address"].startswith("上海市闵行区"), code
        rep = reps[row["rep_code"]]
        service = int(row["service_min"])
        shift = (minutes(rep["shift_start"]), minutes(rep["shift_end"]))
        # Some working day has a window overlapping the shift that is long enough for the visit.
        fits = [
            d
            for d in rep["working_days"]
            for a, b in windows(row[OUTLET_COLUMNS[9 + d]])
            if min(b, shift[1]) - max(a, shift[0]) >= service
        ]
        assert fits, f"{code} cannot be visited in {rep['code']}'s shift"
        for day in OUTLET_COLUMNS[9:]:
            windows(row[day])


def test_minhang_office_size_mix_and_place():
    office, rows = load(MINHANG)
    assert len(office["supervisors"]) == 1 and len(office["reps"]) == 8
    assert 1000 <= len(rows) <= 1500
    mix = Counter(r["channel"] for r in rows)
    assert set(mix) == CHANNELS
    assert mix.most_common(1)[0][0] == "grocery"
    assert mix["supermarket"] < 0.05 * len(rows)
    for row in rows:
        lon, lat = float(row["lon"]), float(row["lat"])
        assert places.AREA_LON[0] <= lon <= places.AREA_LON[1] and places.AREA_LAT[0] <= lat <= places.AREA_LAT[1]
    assert Counter(r["rep_code"] for r in rows).keys() == {r["code"] for r in office["reps"]}


def test_minhang_channels_behave_like_their_trade():
    _, rows = load(MINHANG)
    for row in rows:
        code, channel, week = row["customer_code"], row["channel"], [windows(row[c]) for c in OUTLET_COLUMNS[9:]]
        if channel == "supermarket":
            assert 30 <= int(row["service_min"]) <= 45 and int(row["visits_per_cycle"]) in {8, 12}, code
        if channel == "school_shop":
            assert week[6] == [] and all(week[d] for d in range(5)), code
        if channel == "internet_cafe":
            assert all(w[0][0] >= 11 * 60 for w in week), code
        if channel == "restaurant":  # visited outside the lunch rush
            assert all(not (a < 12 * 60 and b > 12 * 60) for day in week for a, b in day), code
    split = [r for r in rows if r["channel"] == "restaurant" and ";" in r["hours_wed"]]
    assert len(split) > 0.5 * sum(r["channel"] == "restaurant" for r in rows)


@pytest.mark.parametrize("folder", [MINHANG, TINY], ids=["minhang", "tiny"])
def test_every_reps_cycle_fits_the_working_days(folder):
    # Rule of thumb: each visit costs its service time plus 4 minutes of e-bike travel.
    office, rows = load(folder)
    for rep in office["reps"]:
        days = 4 * len(rep["working_days"])
        mine = [r for r in rows if r["rep_code"] == rep["code"]]
        visits = sum(int(r["visits_per_cycle"]) for r in mine)
        work_min = sum(int(r["visits_per_cycle"]) * (int(r["service_min"]) + 4) for r in mine) / days
        available_min = minutes(rep["shift_end"]) - minutes(rep["shift_start"]) - rep["lunch_min"]
        assert visits / days <= 35, rep["code"]
        assert work_min <= 0.9 * available_min, rep["code"]


def test_tiny_office_is_the_hand_checkable_one():
    office, rows = load(TINY)
    assert len(rows) == 12 and [r["code"] for r in office["reps"]] == ["TINY-R01", "TINY-R02"]
    visits = Counter()
    for r in rows:
        visits[r["rep_code"]] += int(r["visits_per_cycle"])
    assert visits == {"TINY-R01": 23, "TINY-R02": 27}


def test_generator_reproduces_the_checked_in_files(tmp_path):
    generate(tmp_path, SEED)
    for name in ("office.json", "outlets.csv"):
        assert (tmp_path / name).read_bytes() == (MINHANG / name).read_bytes(), name


def test_another_seed_gives_another_office(tmp_path):
    generate(tmp_path, SEED + 1)
    assert (tmp_path / "outlets.csv").read_bytes() != (MINHANG / "outlets.csv").read_bytes()
