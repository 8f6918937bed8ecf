"""Our engine against PyVRP and VROOM on one rep's week of weekly outlets, side by side in one run.

    python -m benchmarks.reference_solvers --budgets 10 30 --out benchmarks/out/reference.csv
    python -m benchmarks.reference_solvers --budgets 10 --cases gen191 --modes fixed   # one case, one mode

Every engine gets the same week (ref_week explains what is left out so that all three can express it) and the
same time budget, single-threaded; the travel of its routes is recomputed from the matrix and every route is
checked, whatever the engine reports. Two modes: "free", every engine chooses each outlet's day too; "fixed",
every outlet comes with the day our engine's product plan gives it (ref_days), the same for every engine.
Ratios are to the best feasible reference (PyVRP or VROOM) of the same case, mode and budget. PyVRP does not
take the sample-split case (split windows).
"""

from __future__ import annotations

import argparse
import csv
import shlex
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.ref_adapters import ENGINES, REFERENCES, engine_expresses
from benchmarks.ref_cases import generated_week
from benchmarks.ref_days import balanced_week_days, product_plan_weekdays
from benchmarks.ref_sample import SAMPLE_OFFICE_DIR, sample_rep_code, sample_rep_week
from benchmarks.ref_week import WeekCase, WeekCheck, check_week, with_fixed_days

GENERATED_SIZES = {"gen116": 116, "gen191": 191, "gen300": 300}
CASE_NAMES = ("sample", "sample-split", *GENERATED_SIZES)
MODES = ("free", "fixed")


@dataclass(frozen=True)
class Row:
    case: str
    mode: str
    outlets: int
    budget_s: float
    engine: str
    check: WeekCheck
    runtime_s: float
    cpu_s: float  # of this process during the run: shows the share of the shared machine the engine got
    visits_per_day: tuple[int, ...]
    ratio: float | None = None


def build_case(name: str, seed: int, office_dir: Path, rep_code: str | None) -> WeekCase:
    if name in ("sample", "sample-split"):
        return sample_rep_week(office_dir, rep_code, split_windows=name == "sample-split")
    if name in GENERATED_SIZES:
        return generated_week(GENERATED_SIZES[name], seed)
    raise ValueError(f"unknown case {name!r}; known cases: {', '.join(CASE_NAMES)}")


def fixed_day_case(
    name: str, case: WeekCase, seed: int, office_dir: Path, rep_code: str | None, plans: dict[str, dict[str, int]]
) -> WeekCase:
    """The case with every outlet fixed to the day our engine's product plan gives it (ref_days); `plans`
    keeps the sample rep's cycle plan for both sample cases."""
    if name in ("sample", "sample-split"):
        rep = sample_rep_code(office_dir, rep_code)
        if rep not in plans:
            plans[rep] = product_plan_weekdays(office_dir, rep, seed)
        days = [plans[rep].get(o.code) for o in case.outlets]
        return with_fixed_days(case, days, f"by the product's plan of {rep}'s 4-week cycle")
    return with_fixed_days(case, balanced_week_days(case, seed), "by our plan of the week with day balance")


def with_ratios(rows: list[Row]) -> list[Row]:
    """Each row's travel over the best reference of its case and budget: the shortest feasible reference run
    among those leaving the fewest outlets unassigned (a route that skips outlets is not shorter)."""
    out = []
    for row in rows:
        refs = [
            r
            for r in rows
            if (r.case, r.mode, r.budget_s) == (row.case, row.mode, row.budget_s)
            and r.engine in REFERENCES
            and r.check.feasible
        ]
        ratio = None
        if refs and row.check.feasible:
            fewest = min(r.check.unassigned for r in refs)
            best = min(r.check.travel_s for r in refs if r.check.unassigned == fewest)
            if row.check.unassigned <= fewest and best > 0:
                ratio = row.check.travel_s / best
        out.append(replace(row, ratio=ratio))
    return out


def format_table(rows: list[Row]) -> str:
    columns = (
        "case",
        "mode",
        "outlets",
        "budget s",
        "engine",
        "travel s",
        "ratio to best reference",
        "unassigned",
        "feasible",
        "wall s",
        "cpu s",
    )
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        ratio = "-" if r.ratio is None else f"{r.ratio:.3f}"
        feasible = "yes" if r.check.feasible else f"NO ({len(r.check.violations)} violations)"
        lines.append(
            f"| {r.case} | {r.mode} | {r.outlets} | {r.budget_s:g} | {r.engine} | {r.check.travel_s:,} | {ratio} | "
            f"{r.check.unassigned} | {feasible} | {r.runtime_s:.1f} | {r.cpu_s:.1f} |"
        )
    return "\n".join(lines)


def summary_lines(rows: list[Row], engine: str = "ours") -> list[str]:
    """Per mode and budget: how `engine` compares with the best reference over the cases."""
    lines = []
    for mode, budget_s in sorted({(r.mode, r.budget_s) for r in rows}, key=lambda k: (MODES.index(k[0]), k[1])):
        runs = [r for r in rows if r.engine == engine and r.budget_s == budget_s and r.mode == mode]
        ratios = [r.ratio for r in runs if r.ratio is not None]
        if not ratios:
            lines.append(f"{engine}, {mode} days, {budget_s:g} s: no case with a feasible reference to compare")
            continue
        no_longer = sum(q <= 1.0 for q in ratios)
        lines.append(
            f"{engine}, {mode} days, {budget_s:g} s: travel / best reference {min(ratios):.3f} to {max(ratios):.3f}, "
            f"mean {sum(ratios) / len(ratios):.3f}; no longer than the best reference on {no_longer} of "
            f"{len(runs)} cases"
        )
    return lines


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "case",
                "mode",
                "outlets",
                "budget_s",
                "engine",
                "travel_s",
                "ratio_to_best_reference",
                "unassigned",
                "feasible",
                "wall_s",
                "cpu_s",
                "visits_per_day",
                "first_violation",
            ]
        )
        for r in rows:
            w.writerow(
                [
                    r.case,
                    r.mode,
                    r.outlets,
                    r.budget_s,
                    r.engine,
                    r.check.travel_s,
                    "" if r.ratio is None else f"{r.ratio:.4f}",
                    r.check.unassigned,
                    r.check.feasible,
                    f"{r.runtime_s:.2f}",
                    f"{r.cpu_s:.2f}",
                    "/".join(map(str, r.visits_per_day)),
                    r.check.violations[0] if r.check.violations else "",
                ]
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[10.0, 30.0], help="seconds per engine run")
    parser.add_argument("--cases", nargs="+", choices=CASE_NAMES, default=list(CASE_NAMES))
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=list(MODES),
        help="free: every engine chooses the days too; fixed: the days of our product plan",
    )
    parser.add_argument("--engines", nargs="+", choices=tuple(ENGINES), default=list(ENGINES))
    parser.add_argument("--seed", type=int, default=0, help="engine seed, and the generator seed of gen* cases")
    parser.add_argument("--office", type=Path, default=SAMPLE_OFFICE_DIR, help="office bundle of the sample case")
    parser.add_argument("--rep", help="rep of the sample case (default: see ref_sample.sample_rep_week)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/reference.csv"))
    args = parser.parse_args(argv)
    print("$ python -m benchmarks.reference_solvers " + shlex.join(sys.argv[1:] if argv is None else argv), flush=True)

    cases: dict[tuple[str, str], WeekCase] = {}
    plans: dict[str, dict[str, int]] = {}
    for name in args.cases:
        free = build_case(name, args.seed, args.office, args.rep)
        for mode in args.modes:
            case = free if mode == "free" else fixed_day_case(name, free, args.seed, args.office, args.rep, plans)
            cases[name, mode] = case
            per_day = (
                ""
                if mode == "free"
                else ", outlets per day "
                + "/".join(str(sum(o.fixed_day == d for o in case.outlets)) for d in case.working_days)
            )
            print(f"{name} {mode}: {case.name}, {len(case.outlets)} outlets{per_day}", flush=True)
    rows = []
    for budget_s in args.budgets:
        for (name, mode), case in cases.items():
            for engine in args.engines:
                if not engine_expresses(engine, case):
                    print(f"  {name} {mode} {budget_s:g}s {engine}: skipped, it cannot express this case", flush=True)
                    continue
                cpu_started = time.process_time()
                run = ENGINES[engine](case, budget_s, args.seed)
                cpu_s = time.process_time() - cpu_started
                check = check_week(case, run)
                per_day = tuple(len(r) for r in run.routes)
                rows.append(Row(name, mode, len(case.outlets), budget_s, engine, check, run.runtime_s, cpu_s, per_day))
                print(
                    f"  {name} {mode} {budget_s:g}s {engine}: travel {check.travel_s:,} s, "
                    f"{check.unassigned} unassigned, "
                    f"{'feasible' if check.feasible else check.violations[:3]}, {run.runtime_s:.1f} s wall, "
                    f"{cpu_s:.1f} s cpu, visits per day {'/'.join(map(str, per_day))}",
                    flush=True,
                )
    rows = with_ratios(rows)
    print(format_table(rows))
    print("\n".join(summary_lines(rows)))
    write_csv(rows, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
