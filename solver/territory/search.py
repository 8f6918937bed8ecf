"""propose(): the reps' territories, balanced on workloads measured from planned cycles.

1. The current territories are planned (when every outlet has a rep), which calibrates the workload prediction:
   seconds of travel per visit, each rep's commute to its area, and a factor per rep for what the prediction misses.
2. A linear program splits the outlets on the prediction (solver.territory.split), a few times over with the
   territories' medoids as anchors (compact territories); the split is planned and the prediction calibrated
   again, until a split is good or the rounds are used.
3. Boundary moves: the busiest rep (or one that leaves visits out) hands its outlets nearest a lighter neighbour to
   that neighbour, as much workload as evens the two; both cycles are planned and the move kept if it helps.
4. Every rep's cycle is planned once more with the longer final time limit; the proposal reports these plans.
"""

from __future__ import annotations

import math
import time

import numpy as np

from solver.territory.evaluation import Evaluator, Planned, SequentialPlanner
from solver.territory.model import CyclePlanner, TerritoryAnswer, TerritoryOptions, TerritoryProblem
from solver.territory.split import Prediction, split

LLOYD_ROUNDS = 3  # splits and anchor updates per calibration
CALIBRATION_ROUNDS = 3  # splits planned and calibrated
# The search aims at this share of the balance tolerance: the final plans' workloads differ from the search's by a
# few percent.
TARGET_SHARE = 0.5
FACTOR_RANGE = (0.7, 1.5)  # a rep's calibration factor is kept inside
MIN_VISIT_TRAVEL_S = 30
NEIGHBOURS = 3  # reps a busy rep may hand outlets to: those whose outlets lie nearest its own
ROUND_OVERHEAD = 1.3  # wall time of planning a batch of cycles over their time limit
MIN_GAIN = 0.002  # of utilisation: a boundary move must lower the pair's busier rep by this much
MIN_STEP = 0.2  # a pair whose moves were halved below this share of the even-out amount is not tried again


class _Search:
    def __init__(self, problem: TerritoryProblem, options: TerritoryOptions, planner: CyclePlanner) -> None:
        self.problem = problem
        self.options = options
        self.planner = planner
        self.evaluator = Evaluator(problem, planner)
        self.started = time.perf_counter()
        n, reps = len(problem.outlets), len(problem.reps)
        self.reps = list(range(reps))
        self.original = np.array([-1 if o.rep is None else o.rep for o in problem.outlets], dtype=np.int64)
        self.locked = np.array([o.locked for o in problem.outlets], dtype=bool)
        self.with_rep = int((self.original >= 0).sum())
        self.keep = max(math.ceil(options.keep_share * self.with_rep - 1e-9), int(self.locked.sum()))
        self.visits = np.array([problem.visits(i) for i in range(n)], dtype=float)
        self.service = np.array([o.service_s for o in problem.outlets], dtype=float)
        self.capacity = np.array([r.capacity_s for r in problem.reps], dtype=float)
        self.locations = np.array([o.location for o in problem.outlets], dtype=np.int64)
        self.prediction = Prediction(
            visit_travel_s=np.full(reps, float(self._neighbour_travel_s())),
            commute_s=np.zeros(reps),
            factor=np.ones(reps),
        )
        self.best: tuple[tuple, np.ndarray, dict[int, Planned]] | None = None

    # --- time ---------------------------------------------------------------------------------------------------

    def _batch_s(self, cycles: int, time_limit_s: float) -> float:
        return math.ceil(cycles / max(1, self.planner.workers())) * time_limit_s * ROUND_OVERHEAD

    def _final_limit_s(self) -> float:
        """The final plans' time limit: as asked, less if the time left is short (never below the search's)."""
        left = self.options.time_limit_s - (time.perf_counter() - self.started)
        per_cycle = left / max(1e-9, self._batch_s(len(self.reps), 1.0))
        return max(self.options.eval_time_limit_s, min(self.options.final_time_limit_s, per_cycle))

    def _time_for(self, cycles: int) -> bool:
        """Whether planning `cycles` cycles now still leaves the time the final plans need."""
        final_s = self._batch_s(len(self.reps), self.options.final_time_limit_s)
        search_s = self._batch_s(cycles, self.options.eval_time_limit_s)
        return time.perf_counter() - self.started + search_s + final_s <= self.options.time_limit_s

    # --- measures -----------------------------------------------------------------------------------------------

    def _neighbour_travel_s(self) -> float:
        """Before any plan: a visit's travel guessed as the median travel to an outlet's third-nearest outlet."""
        if len(self.problem.outlets) < 4:
            return float(MIN_VISIT_TRAVEL_S)
        cut = self.problem.duration_s[0][np.ix_(self.locations, self.locations)]
        return max(float(np.median(np.partition(cut, 3, axis=1)[:, 3])), MIN_VISIT_TRAVEL_S)

    def _missing_s(self, planned: Planned, rep: int) -> float:
        """Workload the rep's unplaced visits would add."""
        out = [planned.outlets[u.client] for u in planned.solution.unplaced]
        travel = self.prediction.visit_travel_s[rep]
        return float(sum(self.visits[i] * (self.service[i] + travel) for i in out))

    def _utilisation(self, planned: dict[int, Planned]) -> np.ndarray:
        return np.array(
            [(planned[r].load.workload_s + self._missing_s(planned[r], r)) / self.capacity[r] for r in self.reps]
        )

    def _score(self, rep_of: np.ndarray, planned: dict[int, Planned]) -> tuple:
        """Lower is better: unplaced visits, then the workload spread (or the outlets moved, for the fewest)."""
        unplaced = sum(p.load.unplaced_visits for p in planned.values())
        if self.options.fewest_moves:
            return (unplaced, int(((rep_of != self.original) & (self.original >= 0)).sum()))
        return (unplaced, self._spread(planned))

    def _spread(self, planned: dict[int, Planned]) -> float:
        """The busiest rep's utilisation over the lightest's, less 1 (infinite while a rep has nothing to do)."""
        util = self._utilisation(planned)
        return float(util.max() / util.min() - 1) if util.min() > 0 else math.inf

    def _good(self, score: tuple) -> bool:
        if self.options.fewest_moves:
            return score[0] == 0
        return score[0] == 0 and score[1] <= self.options.balance_tolerance * TARGET_SHARE

    def _remember(self, rep_of: np.ndarray, planned: dict[int, Planned]) -> tuple:
        score = self._score(rep_of, planned)
        if self.best is None or score < self.best[0]:
            self.best = (score, rep_of.copy(), dict(planned))
        return score

    # --- calibration and splits ---------------------------------------------------------------------------------

    def _anchors(self, rep_of: np.ndarray) -> np.ndarray:
        """Each rep's medoid outlet location (by visits and travel); a rep without outlets gets the outlet farthest
        from the other anchors."""
        anchors = np.full(len(self.reps), -1, dtype=np.int64)
        for r, rep in enumerate(self.problem.reps):
            mine = np.flatnonzero(rep_of == r)
            if len(mine):
                cut = self.problem.duration_s[rep.matrix][np.ix_(self.locations[mine], self.locations[mine])]
                anchors[r] = self.locations[mine[int(np.argmin(cut @ self.visits[mine]))]]
        for empty in np.flatnonzero(anchors < 0).tolist():
            placed = anchors[anchors >= 0]
            if not len(placed):
                anchors[empty] = self.problem.reps[empty].start
                continue
            nearest = self.problem.duration_s[0][np.ix_(placed, self.locations)].min(axis=0)
            anchors[empty] = self.locations[int(np.argmax(nearest))]
        return anchors

    def _commute_s(self, anchors: np.ndarray) -> np.ndarray:
        return np.array(
            [
                len(rep.vehicles)
                * float(
                    self.problem.duration_s[rep.matrix][rep.start, a] + self.problem.duration_s[rep.matrix][a, rep.end]
                )
                for rep, a in zip(self.problem.reps, anchors)
            ]
        )

    def _calibrate(self, rep_of: np.ndarray, planned: dict[int, Planned]) -> None:
        anchors = self._anchors(rep_of)
        commute = self._commute_s(anchors)
        placed_service = travel_left = placed_visits = 0.0
        for r in self.reps:
            p = planned[r]
            unplaced = {p.outlets[u.client] for u in p.solution.unplaced}
            placed = [i for i in p.outlets if i not in unplaced]
            placed_service = float(sum(self.visits[i] * self.service[i] for i in placed))
            travel_left += p.load.workload_s - placed_service - (commute[r] if p.outlets else 0.0)
            placed_visits += p.load.visits_placed
        visit_travel = max(travel_left / placed_visits, MIN_VISIT_TRAVEL_S) if placed_visits else MIN_VISIT_TRAVEL_S
        raw = Prediction(np.full(len(self.reps), visit_travel), commute, np.ones(len(self.reps)))
        predicted = raw.workloads(self.problem, rep_of)
        factor = np.ones(len(self.reps))
        for r in self.reps:
            if planned[r].outlets and predicted[r] > 0:
                actual = planned[r].load.workload_s + self._missing_s(planned[r], r)
                factor[r] = np.clip(actual / predicted[r], *FACTOR_RANGE)
        with_outlets = [r for r in self.reps if planned[r].outlets]
        if with_outlets:  # a rep without outlets yet is predicted like the others on the mean
            factor[[r for r in self.reps if not planned[r].outlets]] = factor[with_outlets].mean()
        self.prediction = Prediction(raw.visit_travel_s, commute, factor)

    def _split(self, rep_of: np.ndarray) -> np.ndarray:
        for _ in range(LLOYD_ROUNDS):
            anchors = self._anchors(rep_of)
            self.prediction = Prediction(
                self.prediction.visit_travel_s, self._commute_s(anchors), self.prediction.factor
            )
            rep_of = split(self.problem, anchors, self.prediction, self.keep, self.options.fewest_moves)
        return rep_of

    def first_assignment(self) -> np.ndarray:
        eval_s = self.options.eval_time_limit_s
        rep_of = self.original.copy()
        if (rep_of >= 0).all():
            planned = self.evaluator.plan(rep_of, self.reps, eval_s)
            if self._good(self._remember(rep_of, planned)):
                return rep_of
            self._calibrate(rep_of, planned)
        for _ in range(CALIBRATION_ROUNDS):
            if self.best is not None and not self._time_for(len(self.reps)):
                break
            rep_of = self._split(rep_of)
            planned = self.evaluator.plan(rep_of, self.reps, eval_s)
            if self._good(self._remember(rep_of, planned)):
                break
            self._calibrate(rep_of, planned)
        assert self.best is not None
        return self.best[1]

    # --- boundary moves -----------------------------------------------------------------------------------------

    def _neighbours(self, rep_of: np.ndarray, rep: int) -> list[int]:
        mine = self.locations[rep_of == rep]
        gaps = []
        for r, other in enumerate(self.problem.reps):
            theirs = self.locations[rep_of == r]
            if r != rep and len(theirs) and len(mine):
                gaps.append((float(self.problem.duration_s[other.matrix][np.ix_(mine, theirs)].min()), r))
        return [r for _, r in sorted(gaps)[:NEIGHBOURS]]

    def _handover(self, rep_of: np.ndarray, donor: int, receiver: int, amount_s: float) -> np.ndarray | None:
        """`rep_of` with the donor's outlets nearest the receiver's handed over, about `amount_s` of predicted
        workload (locked outlets stay, the keep count holds); None when nothing can move."""
        mine = np.flatnonzero((rep_of == donor) & ~self.locked)
        theirs = self.locations[rep_of == receiver]
        if not len(mine) or not len(theirs):
            return None
        matrix = self.problem.duration_s[self.problem.reps[receiver].matrix]
        nearness = matrix[np.ix_(self.locations[mine], theirs)].min(axis=1)
        load = self.prediction.outlet_load(self.problem)[:, donor] * self.prediction.factor[donor]
        kept = int(((rep_of == self.original) & (self.original >= 0)).sum())
        moved = rep_of.copy()
        handed = 0.0
        for i in mine[np.argsort(nearness, kind="stable")]:
            if handed >= amount_s or len(mine) - (moved[mine] != donor).sum() <= 1:
                break
            change = int(self.original[i] == receiver) - int(self.original[i] == donor)
            if kept + change < self.keep:
                continue
            moved[i] = receiver
            kept += change
            handed += load[i]
        return moved if handed > 0 else None

    def _pairs(self, rep_of: np.ndarray, util: np.ndarray, unplaced: dict[int, int], tabu: set) -> list[tuple]:
        """(donor, receiver, amount_s) for up to one pair per two workers, busiest donors first."""
        wanted = max(1, self.planner.workers() // 2)
        taken: set[int] = set()
        pairs = []
        donors = [r for r in self.reps if unplaced[r]] if self.options.fewest_moves else self.reps
        for donor in sorted(donors, key=lambda r: (-unplaced[r], -util[r])):
            if donor in taken:
                continue
            options = [r for r in self._neighbours(rep_of, donor) if r not in taken and (donor, r) not in tabu]
            options = [r for r in options if util[r] < util[donor]]
            if not options:
                continue
            receiver = min(options, key=lambda r: util[r])
            cap_d, cap_r = self.capacity[donor], self.capacity[receiver]
            amount = (util[donor] - util[receiver]) * cap_d * cap_r / (cap_d + cap_r)
            pairs.append((donor, receiver, amount))
            taken |= {donor, receiver}
            if len(pairs) == wanted:
                break
        return pairs

    def rebalance(self, rep_of: np.ndarray) -> np.ndarray:
        assert self.best is not None
        eval_s = self.options.eval_time_limit_s
        planned = self.evaluator.plan(rep_of, self.reps, eval_s)
        tabu: set[tuple[int, int]] = set()
        step: dict[tuple[int, int], float] = {}
        while not self._good(self._score(rep_of, planned)):
            util = self._utilisation(planned)
            unplaced = {r: planned[r].load.unplaced_visits for r in self.reps}
            pairs = self._pairs(rep_of, util, unplaced, tabu)
            if not pairs or not self._time_for(2 * len(pairs)):
                break
            trials = []
            for donor, receiver, amount in pairs:
                factor = step.get((donor, receiver), 1.0)
                moved = self._handover(rep_of, donor, receiver, amount * factor)
                if moved is None:
                    tabu.add((donor, receiver))
                else:
                    trials.append((donor, receiver, moved))
            if not trials:
                continue
            tried_all = rep_of.copy()  # the pairs are disjoint: every trial planned in one batch
            for _, _, moved in trials:
                tried_all[moved != rep_of] = moved[moved != rep_of]
            tried = self.evaluator.plan(tried_all, [r for d, v, _ in trials for r in (d, v)], eval_s)
            accepted = rep_of.copy()
            for donor, receiver, moved in trials:
                pair = [donor, receiver]
                before = (sum(unplaced[r] for r in pair), max(util[pair]))
                after_util = self._utilisation({**planned, **tried})[pair]
                after = (sum(tried[r].load.unplaced_visits for r in pair), max(after_util))
                if after[0] < before[0] or (
                    after[0] == before[0] and not self.options.fewest_moves and after[1] < before[1] - MIN_GAIN
                ):
                    accepted[moved != rep_of] = moved[moved != rep_of]
                    planned.update({r: tried[r] for r in pair})
                    step.pop((donor, receiver), None)
                else:
                    step[donor, receiver] = step.get((donor, receiver), 1.0) / 2
                    if step[donor, receiver] < MIN_STEP:
                        tabu.add((donor, receiver))
            rep_of = accepted
            self._remember(rep_of, planned)
        assert self.best is not None
        return self.best[1]

    # --- the answer ---------------------------------------------------------------------------------------------

    def answer(self, rep_of: np.ndarray) -> TerritoryAnswer:
        final_s = self._final_limit_s()
        final = self.evaluator.plan(rep_of, self.reps, final_s)
        searched = self.evaluator.plan(rep_of, self.reps, self.options.eval_time_limit_s)
        chosen = {
            r: min((final[r], searched[r]), key=lambda p: (p.load.unplaced_visits, p.load.workload_s))
            for r in self.reps
        }
        return TerritoryAnswer(
            rep_of=tuple(int(r) for r in rep_of),
            loads=tuple(chosen[r].load for r in self.reps),
            solutions=tuple(chosen[r].solution for r in self.reps),
            kept=int(((rep_of == self.original) & (self.original >= 0)).sum()),
            with_rep=self.with_rep,
            cycles_planned=self.evaluator.cycles_planned,
            runtime_s=time.perf_counter() - self.started,
        )


def propose(
    problem: TerritoryProblem, options: TerritoryOptions = TerritoryOptions(), planner: CyclePlanner | None = None
) -> TerritoryAnswer:
    """Every outlet's rep, each rep's cycle planned: every visit placed where the reps' time allows, workloads
    balanced within the tolerance (or the fewest outlets moved), at least the keep share keeping their rep, locked
    outlets with theirs."""
    search = _Search(problem, options, planner or SequentialPlanner(options.seed))
    rep_of = search.first_assignment()
    rep_of = search.rebalance(rep_of)
    return search.answer(rep_of)
