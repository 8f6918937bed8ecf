"""The Cordeau periodic VRP: reading instances, the independent checker, and the engine checked by it."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from benchmarks.pvrp import run
from solver.pvrp import SCALE, decode_pattern, read_instance
from tests.solver.pvrp_checker import check_solution

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "pvrp"  # the repository's copy


def test_pattern_bits_read_from_day_one():
    assert decode_pattern(20, 5) == (0, 2)  # 10100: days 1 and 3
    assert decode_pattern(1, 2) == (1,)
    assert decode_pattern(31, 5) == (0, 1, 2, 3, 4)


def test_instance_is_read_with_distances_rounded_up():
    inst = read_instance(DATA / "pr01.txt")
    p = inst.problem
    assert (len(p.clients), p.num_days, len(p.vehicles)) == (48, 4, 8)
    assert {v.capacity for v in p.vehicles} == {200} and {v.max_duration_s for v in p.vehicles} == {500 * SCALE}
    exact = inst.exact_distance(0, 1) * SCALE
    assert exact <= p.duration_s[0, 1] < exact + 1
    assert p.clients[0].patterns == tuple(decode_pattern(15, 4) for _ in range(1))
    assert not p.consistent and p.balance_weight == 0


@pytest.mark.parametrize("name", ["p01", "p06", "p14", "p30", "pr01", "pr06"])
def test_checker_accepts_the_published_solutions(name):
    check = check_solution(DATA / f"{name}.txt", DATA / f"{name}.res")
    assert check.violations == []
    assert check.cost == pytest.approx(check.claimed_cost, abs=0.006)


def _broken(tmp_path: Path, name: str, edit) -> Path:
    lines = (DATA / f"{name}.res").read_text().splitlines()
    out = tmp_path / f"{name}.res"
    out.write_text("\n".join(edit(lines)) + "\n")
    return out


def test_checker_finds_a_missing_customer(tmp_path):
    def drop_first_customer(lines):
        parts = lines[1].split()
        return [lines[0], " ".join(parts[:4] + [parts[4]] + parts[6:]), *lines[2:]]

    check = check_solution(DATA / "p01.txt", _broken(tmp_path, "p01", drop_first_customer))
    assert any("not an allowed pattern" in v for v in check.violations)
    assert any("claimed cost" in v for v in check.violations)


def test_checker_finds_overloads_and_too_many_vehicles(tmp_path):
    def merge_two_routes(lines):
        a, b = lines[1].split(), lines[2].split()  # day 1, vehicles 1 and 2
        merged = a[:4] + a[4:-1] + b[5:]
        return [lines[0], " ".join(merged), *lines[3:]]

    check = check_solution(DATA / "p01.txt", _broken(tmp_path, "p01", merge_two_routes))
    assert any("above capacity" in v for v in check.violations)

    def extra_vehicle(lines):
        first = lines[1].split()
        return [*lines, " ".join([first[0], "9", *first[2:]])]

    check = check_solution(DATA / "p01.txt", _broken(tmp_path, "p01", extra_vehicle))
    assert any("vehicle 9 outside 1..3" in v for v in check.violations)
    assert any("visited twice on one day" in v for v in check.violations)


def test_checker_finds_a_route_that_is_too_long(tmp_path):
    def long_route(lines):  # all of day 1's customers on one vehicle: far above D = 500
        day1 = [ln.split() for ln in lines[1:] if ln.split()[0] == "1"]
        customers = [c for r in day1 for c in r[5:-1]]
        rest = [ln for ln in lines[1:] if ln.split()[0] != "1"]
        return [lines[0], " ".join(["1", "1", "0", "0", "0", *customers, "0"]), *rest]

    check = check_solution(DATA / "pr01.txt", _broken(tmp_path, "pr01", long_route))
    assert any("duration" in v for v in check.violations)


def test_engine_solutions_pass_the_checker(tmp_path):
    names = ["p01", "p14", "pr01"]
    src = tmp_path / "instances"
    src.mkdir()
    for name in names:
        for ext in (".txt", ".res"):
            shutil.copy(DATA / f"{name}{ext}", src / f"{name}{ext}")
    # An iteration budget (the time limit only guards) keeps the plans the same on a loaded machine.
    rows = run(src, time_limit_s=60.0, out_dir=tmp_path / "out", seed=0, max_iterations=300)
    assert [r.instance for r in rows] == names
    for row in rows:
        check = check_solution(src / f"{row.instance}.txt", tmp_path / "out" / f"{row.instance}.res")
        assert check.violations == [], row.instance
        assert row.feasible
        assert check.cost == pytest.approx(row.cost, abs=0.01)
        assert row.gap_pct < 15.0  # a sanity bound; the quality is measured by the benchmark, not here
    with open(tmp_path / "out" / "summary.csv") as f:
        summary = list(csv.DictReader(f))
    assert [r["instance"] for r in summary] == names
    assert set(summary[0]) == {"instance", "cost", "reference_cost", "gap_pct", "seconds", "cpu_seconds", "feasible"}


def test_a_short_search_on_a_tight_instance_keeps_every_duration_limit(tmp_path):
    # pr05: 240 customers whose routes fit their 420 duration limit only once travel is low. The search lets
    # routes overrun at a price and must still end within every limit with every customer placed, after 400
    # iterations: two thirds of what a 10 s limit gives on the idle machine (the limits are met from ~300).
    src = tmp_path / "instances"
    src.mkdir()
    for ext in (".txt", ".res"):
        shutil.copy(DATA / f"pr05{ext}", src / f"pr05{ext}")
    [row] = run(src, time_limit_s=120.0, out_dir=tmp_path / "out", seed=0, max_iterations=400)
    check = check_solution(src / "pr05.txt", tmp_path / "out" / "pr05.res")
    assert check.violations == []
    assert row.feasible
