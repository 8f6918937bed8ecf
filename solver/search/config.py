"""The search's tuning knobs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class SearchConfig:
    polish_every: int = 100  # iterations between reorderings of the changed days
    polish_solutions: int = 30  # OR-Tools descent: improving solutions per day during the search
    final_polish_solutions: int = 100  # guided local search per day on the best plan, with an iteration budget
    min_final_polish_solutions: int = 10  # fewer are not worth building a day's model for
    final_polish_tour_us: float = 250_000.0  # tour search per day on the best plan, with an iteration budget
    min_final_polish_tour_us: float = 10_000.0  # less does not get through the first generation
    gls_branches_per_solution: float = 7.0  # first guess of the price of a GLS solution, until one is measured
    polish_slice: float = 0.03  # share of the time limit one OR-Tools call may take at most (a guard)
    min_remove: int = 3
    max_remove: int = 25
    remove_share: float = 0.25  # at most this share of the placed clients per iteration
    max_removed_visits: int = 50  # and about this many visits (frequent clients count several times)
    overrun_focus: float = 0.5  # share of the cuts made around a route that overruns its limit, when one does
    balance_focus: float = 0.3  # share of the cuts made around a crew's busiest day, when its days are unbalanced
    # At the start a worsening by this share of the average cost per visit is accepted half the time.
    start_accept_per_visit: float = 0.7
    end_temperature_ratio: float = 0.01
    noise: float = 0.0  # relative noise on insertion costs; off, as it did not pay on these problems
    restart_after: int = 400  # iterations without a new best before going back to the best plan
    weight_period: int = 20  # iterations between adjustments of the overrun price
    first_weight_period: int = 5  # the same while no plan within the limits has been found
    target_overrunning_share: float = 0.3
    weight_step: float = 1.3
    urgent_progress: float = 0.2
    # A free-day week (solver.search.strings): the Python loop's share of the search, and the string search's
    # priced work per iteration of the budget when the budget is counted in iterations.
    strings_from: float = 0.05
    strings_us_per_iteration: float = 5_000.0
