"""The search after the first plan: ruin and recreate over whole patterns, OR-Tools and the compiled tour search
reordering days.

- budget: what a time limit buys, as deterministic work counts priced in estimated CPU microseconds (or as
  iterations), and the wall clock guarding the limit;
- stop: the stopping rules of a phase, built on the budget;
- operators: the ruin and repair operators, and weights: their adaptive choice (ALNS);
- improve: the loop, with simulated annealing and an adaptive price of overrunning duration limits;
- strings: the search of a free-day week, where compiled string removals take over from the loop;
- polish: reordering days, during the search and on the best plan at the end (on the budget's last share).
"""

from solver.search.budget import MICROSECONDS_PER_UNIT, PRICE_SCALE_BOUNDS, WORK_SHARE_OF_LIMIT, Budget
from solver.search.config import SearchConfig
from solver.search.improve import improve
from solver.search.polish import final_polish, tour_search_days
from solver.search.stop import phase_end

__all__ = [
    "MICROSECONDS_PER_UNIT",
    "PRICE_SCALE_BOUNDS",
    "WORK_SHARE_OF_LIMIT",
    "Budget",
    "SearchConfig",
    "final_polish",
    "improve",
    "phase_end",
    "tour_search_days",
]
