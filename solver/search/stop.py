"""Stopping rules of the search's phases, as PyVRP's `stop` module has them: objects asked before each
iteration whether to stop. They read the Budget; none looks at the plan's cost, so they are called bare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from solver.search.budget import Budget


class StoppingCriterion(Protocol):
    def __call__(self) -> bool:
        """Whether the search should stop now."""
        ...


@dataclass(frozen=True)
class MaxBudget:
    """This share of the budget is spent: of its iterations when it has an iteration limit, else of its priced
    work (a deterministic limit)."""

    budget: Budget
    share: float

    def __call__(self) -> bool:
        return self.budget.progress() >= self.share


@dataclass(frozen=True)
class MaxRuntime:
    """This share of the time limit has gone by on the wall clock, or a stop was requested: the guard for a
    machine slower or busier than the prices say."""

    budget: Budget
    share: float

    def __call__(self) -> bool:
        return self.budget.elapsed_share() >= self.share


@dataclass(frozen=True)
class MultipleCriteria:
    """Stop as soon as one of the criteria says so, asked in their order."""

    criteria: tuple[StoppingCriterion, ...]

    def __call__(self) -> bool:
        return any(stop() for stop in self.criteria)


def phase_end(budget: Budget, share: float) -> MultipleCriteria:
    """A phase ends at its share of the budget or of the time limit, whichever comes first, so that a slow
    machine keeps the reserve after it for what comes next too."""
    return MultipleCriteria((MaxBudget(budget, share), MaxRuntime(budget, share)))
