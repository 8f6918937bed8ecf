"""The `routeplan` command on a temporary SQLite database: import a bundle and outlets, plan, print a day."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from rich.cells import cell_len
from sqlmodel import Session
from typer.testing import CliRunner

from service.cli import app, prepare_demo
from service.core.calendar import next_monday
from service.core.db import make_engine, migrate
from service.day_list import views as day_list_views
from service.master_data import repository
from tests.service.journey_office import TINY_SAMPLE

HOURS = ["07:00-21:00"] * 7
OFFICE_JSON = {
    "office": {"code": "T-OFF", "name": "Test office", "lon": 121.3795, "lat": 31.1172},
    "supervisors": [{"code": "T-S1", "name": "Supervisor"}],
    "reps": [{"code": "T-R1", "name": "Rep One", "supervisor_code": "T-S1", "working_days": [0, 1, 2, 3, 4]}],
}
HEADER = (
    "customer_code,name,address,channel,lon,lat,service_min,visits_per_cycle,rep_code,"
    "hours_mon,hours_tue,hours_wed,hours_thu,hours_fri,hours_sat,hours_sun"
)


def outlet_line(code: str, lon: float, visits: int) -> str:
    return f"{code},Shop {code},{code} Road,grocery,{lon},31.12,10,{visits},T-R1," + ",".join(HOURS)


@pytest.fixture
def runner(tmp_path, monkeypatch) -> CliRunner:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("COLUMNS", "200")  # a wide table, as on a terminal
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "office.json").write_text(json.dumps(OFFICE_JSON), encoding="utf-8")
    lines = [HEADER, outlet_line("T001", 121.385, 4), outlet_line("T002", 121.372, 8), outlet_line("T003", 121.390, 12)]
    (bundle / "outlets.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "extra.csv").write_text(f"{HEADER}\n{outlet_line('T004', 121.375, 4)}\n", encoding="utf-8")
    return CliRunner()


def test_import_plan_and_print_a_day(runner, tmp_path):
    result = runner.invoke(app, ["import", str(tmp_path / "bundle")])
    assert result.exit_code == 0, result.output
    assert "loaded office T-OFF" in result.output

    result = runner.invoke(app, ["import-outlets", str(tmp_path / "extra.csv"), "--office", "T-OFF"])
    assert result.exit_code == 0, result.output
    assert "1 outlets created" in result.output

    result = runner.invoke(app, ["plan", "T-OFF", "--start", "2026-11-30", "--time-limit", "1", "--publish"])
    assert result.exit_code == 0, result.output
    assert "(published)" in result.output and "coverage 100.0% (28/28 visits)" in result.output

    monday = date(2026, 11, 30)
    result = runner.invoke(app, ["day", "T-R1", monday.isoformat()])
    assert result.exit_code == 0, result.output
    with Session(make_engine()) as session:
        rep = repository.rep_by_code(session, "T-R1")
        listing = day_list_views.rep_day_list(session, rep.id, monday)
    assert listing.visits
    rows = [line.replace("│", " ").split() for line in result.output.splitlines() if line.startswith("│")]
    printed_codes = [cells[3] for cells in rows if cells[0].isdigit()]  # seq, arrive, leave, code, ...
    assert printed_codes == [v.outlet_code for v in listing.visits]
    assert f"{len(listing.visits)} visits" in result.output

    result = runner.invoke(app, ["day", "T-R1", "2026-12-05"])  # a Saturday, T-R1 works Mon-Fri
    assert result.exit_code == 0, result.output
    assert "no visits (not a working day)" in result.output


def test_a_day_on_an_80_column_terminal_prints_every_outlet_name_whole(runner, tmp_path, monkeypatch):
    long_name = "上海闵行莘庄镇莘东路一九四号便利蜂二十四小时便利店"  # wider than any column of 80 can hold
    outlets = tmp_path / "bundle" / "outlets.csv"
    outlets.write_text(outlets.read_text(encoding="utf-8").replace("Shop T001", long_name), encoding="utf-8")
    assert runner.invoke(app, ["import", str(tmp_path / "bundle")]).exit_code == 0
    result = runner.invoke(app, ["plan", "T-OFF", "--start", "2026-11-30", "--time-limit", "1", "--publish"])
    assert result.exit_code == 0, result.output
    with Session(make_engine()) as session:
        rep = repository.rep_by_code(session, "T-R1")
        on = next(
            day
            for day in (date(2026, 11, 30) + timedelta(days=k) for k in range(5))
            if any(v.outlet_code == "T001" for v in day_list_views.rep_day_list(session, rep.id, day).visits)
        )

    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["day", "T-R1", on.isoformat()])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(cell_len(line) for line in lines) <= 80 and "…" not in result.output
    outlet_column = "".join(line.split("│")[4].strip() for line in lines if line.startswith("│"))
    assert long_name in outlet_column and "T001" in outlet_column


def test_bad_input_exits_with_the_reason(runner, tmp_path):
    assert runner.invoke(app, ["import", str(tmp_path / "bundle")]).exit_code == 0
    result = runner.invoke(app, ["plan", "T-OFF", "--start", "2026-12-01"])
    assert result.exit_code == 1
    assert "start_date" in result.output and "not a Monday" in result.output
    result = runner.invoke(app, ["plan", "NOPE", "--start", "2026-11-30"])
    assert result.exit_code == 1 and "office NOPE does not exist" in result.output
    result = runner.invoke(app, ["day", "T-R1", "2026-11-30"])
    assert result.exit_code == 1 and "no published plan" in result.output
    result = runner.invoke(app, ["import", str(tmp_path / "bundle")])  # the office exists already
    assert result.exit_code == 1 and "T-OFF" in result.output


def test_next_monday():
    assert next_monday(date(2026, 11, 27)) == date(2026, 11, 30)  # Friday
    assert next_monday(date(2026, 11, 30)) == date(2026, 11, 30)  # a Monday stays


def test_demo_loads_plans_and_publishes_once(runner):
    migrate()
    engine = make_engine()
    plan, rep = prepare_demo(engine, TINY_SAMPLE, time_limit_s=0.5)
    assert plan.status == "published" and plan.start_date.weekday() == 0 and plan.kpis["coverage"] == 1.0
    assert rep.code == "TINY-R01"
    again, _ = prepare_demo(engine, TINY_SAMPLE, time_limit_s=0.5)  # a second `make run` reuses both
    assert again.id == plan.id
    engine.dispose()
