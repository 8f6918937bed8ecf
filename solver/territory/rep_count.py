"""How many reps an office needs: a proposal for each rep count of a range, and the smallest count whose proposal
places every visit.

Fewer reps than today keep those carrying the most visits; more add reps like `new_rep` (the office's defaults).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from solver.territory.model import CyclePlanner, TerritoryAnswer, TerritoryOptions, TerritoryProblem, TerritoryRep
from solver.territory.search import propose


@dataclass(frozen=True)
class RepCountRow:
    reps: tuple[int | None, ...]  # per rep of the proposal: the rep of the problem it is, None for a new rep
    answer: TerritoryAnswer


@dataclass(frozen=True)
class RepCountAnswer:
    rows: tuple[RepCountRow, ...]  # one per count, in increasing count

    @property
    def smallest(self) -> RepCountRow | None:
        """The row of the smallest count that places every visit; None when no count does."""
        return next((row for row in self.rows if row.answer.all_placed), None)


def with_reps(problem: TerritoryProblem, count: int, new_rep: TerritoryRep) -> tuple[TerritoryProblem, tuple]:
    """The problem with `count` reps, and which rep of `problem` each one is (None: new)."""
    carried = [0] * len(problem.reps)
    for i, o in enumerate(problem.outlets):
        if o.rep is not None:
            carried[o.rep] += problem.visits(i)
    kept = sorted(sorted(range(len(problem.reps)), key=lambda r: (-carried[r], r))[:count])
    chosen: tuple[int | None, ...] = (*kept, *[None] * max(0, count - len(kept)))
    index = {r: k for k, r in enumerate(kept)}
    outlets = tuple(
        replace(o, rep=index.get(o.rep), locked=o.locked and o.rep in index) if o.rep is not None else o
        for o in problem.outlets
    )
    reps = tuple(problem.reps[r] if r is not None else new_rep for r in chosen)
    return replace(problem, outlets=outlets, reps=reps), chosen


def rep_counts(
    problem: TerritoryProblem,
    counts: range,
    new_rep: TerritoryRep,
    options: TerritoryOptions = TerritoryOptions(),
    planner: CyclePlanner | None = None,
) -> RepCountAnswer:
    if not counts or counts.start < 1:
        raise ValueError(f"rep counts must be a non-empty range of positive counts, not {counts}")
    rows = []
    for count in counts:
        variant, chosen = with_reps(problem, count, new_rep)
        rows.append(RepCountRow(chosen, propose(variant, options, planner)))
    return RepCountAnswer(tuple(rows))
