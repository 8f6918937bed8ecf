"""propose(): the reps' territories, balanced on workloads measured from planned cycles.

1. The current territories are planned (when every outlet has a rep), which calibrates the workload prediction:
   seconds of travel per visit, each rep's commute to its area, and a factor per rep for what the prediction misses.
2. A linear program splits the outlets on the prediction (solver.territory.split), a few times over, in turn into
   round areas around the territories' medoids (which pack a tight office's days) and into petals out from each
   rep's start (shaped like day routes, less travel); each split is planned and the prediction calibrated again,
   while the rounds and the time last.
3. Boundary moves from the split with the least travel among those near enough to balance (and, when the moves
   run out with time left, from the next): while a rep leaves visits out or the workloads spread beyond the aim,
   the busiest rep hands its outlets nearest a lighter neighbour to that neighbour, as much workload as evens the
   two; once they are balanced, neighbours exchange the outlets that lie nearer the other's territory than their
   own, as much workload each way. Both cycles are planned and the move kept if it helps: fewer unplaced visits, a
   lower pair's busiest rep, or less travel within the aim.
4. Every rep's cycle is planned once more with the longer final time limit when the time left allows it; the
   proposal reports these plans, or a rep's plan from the search where that places more visits.

Territories are scored lexicographically: unplaced visits, then the workload spread beyond the aim, then travel.
"""

from __future__ import annotations

import math
import time

import numpy as np

from solver.model import SolveParams
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
ROUND_OVERHEAD = 1.3  # wall time of planning a batch of cycles over their time limit, until a batch is measured
# The final plans take at most this share of the time limit, and are made only at this many times the search's
# limit per cycle or more (else the search's plans are reported and the search has all the time).
FINAL_SHARE = 0.4
FINAL_MIN_FACTOR = 2.0
MIN_GAIN = 0.002  # of utilisation: a boundary move must lower the pair's busier rep by this much
MIN_STEP = 0.2  # a pair whose moves were halved below this share of the even-out amount is not tried again
NEAREST = 3  # how near an outlet lies to a territory: the mean travel to its nearest outlets there
MIN_TRAVEL_GAIN = 0.005  # share of the pair's travel an exchange must save (the search's plans are noisy)
# The search's plans get their whole work budget on a machine up to this many times busier or slower than the
# work prices say (SolveParams.clock_guard): the moves are judged on the same plans whatever the load, fewer of
# them when the machine is busy. The final plans keep the time limit.
SEARCH_CLOCK_GUARD = 3.0


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
        self.searching = SolveParams(options.eval_time_limit_s, options.seed, clock_guard=SEARCH_CLOCK_GUARD)
        self.best: tuple[tuple, np.ndarray, dict[int, Planned]] | None = None
        self.batches_s = self.batches_nominal_s = 0.0  # wall time of the batches planned, and their time limits

    # --- time ---------------------------------------------------------------------------------------------------

    def _rounds(self, cycles: int) -> int:
        return math.ceil(cycles / max(1, self.planner.workers()))

    def _overhead(self) -> float:
        """Wall time of a batch over its rounds' time limits, as measured on the batches planned so far."""
        return self.batches_s / self.batches_nominal_s if self.batches_nominal_s else ROUND_OVERHEAD

    def _batch_s(self, cycles: int, time_limit_s: float) -> float:
        """Wall time of the search planning `cycles` cycles."""
        return self._rounds(cycles) * time_limit_s * self._overhead()

    def _final_batch_s(self, time_limit_s: float) -> float:
        """Wall time of the final plans: the clock ends each at its limit, so a busy machine (which lengthens the
        search's batches) does not lengthen them beyond the batch's own overhead."""
        return self._rounds(len(self.reps)) * time_limit_s * min(self._overhead(), ROUND_OVERHEAD)

    def _final_s(self, time_s: float, cap_s: float) -> float:
        """The final plans' time limit in `time_s` (at most `cap_s`); the search's when that is not worth it."""
        per_cycle = min(cap_s, time_s / max(1e-9, self._final_batch_s(1.0)))
        eval_s = self.options.eval_time_limit_s
        return per_cycle if per_cycle >= FINAL_MIN_FACTOR * eval_s else eval_s

    def _planned_final_s(self) -> float:
        """The final plans' time limit the search keeps time for."""
        return self._final_s(FINAL_SHARE * self.options.time_limit_s, self.options.final_time_limit_s)

    def _final_limit_s(self) -> float:
        """The final plans' time limit: as asked, less if the time left is short."""
        left = self.options.time_limit_s - (time.perf_counter() - self.started)
        return self._final_s(left, self.options.final_time_limit_s)

    def _time_for(self, cycles: int) -> bool:
        """Whether planning `cycles` cycles now still leaves the time the final plans need."""
        final_limit_s = self._planned_final_s()
        final_s = self._final_batch_s(final_limit_s) if final_limit_s > self.options.eval_time_limit_s else 0
        search_s = self._batch_s(cycles, self.options.eval_time_limit_s)
        return time.perf_counter() - self.started + search_s + final_s <= self.options.time_limit_s

    def _plan(self, rep_of: np.ndarray, reps: list[int], params: SolveParams | None = None) -> dict[int, Planned]:
        """The evaluator's plans (the search's unless `params` say otherwise), the batch's wall time measured."""
        params = params or self.searching
        before, started = self.evaluator.cycles_planned, time.perf_counter()
        planned = self.evaluator.plan(rep_of, reps, params)
        if self.evaluator.cycles_planned > before:
            self.batches_s += time.perf_counter() - started
            self.batches_nominal_s += self._rounds(self.evaluator.cycles_planned - before) * params.time_limit_s
        return planned

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

    def _aim(self) -> float:
        """The workload spread the search aims at."""
        return self.options.balance_tolerance * TARGET_SHARE

    def _score(self, rep_of: np.ndarray, planned: dict[int, Planned]) -> tuple:
        """Lower is better: unplaced visits, then the workload spread beyond the aim, then travel (or the outlets
        moved, for the fewest)."""
        unplaced = sum(p.load.unplaced_visits for p in planned.values())
        if self.options.fewest_moves:
            return (unplaced, int(((rep_of != self.original) & (self.original >= 0)).sum()))
        travel = sum(p.load.travel_s for p in planned.values())
        return (unplaced, max(0.0, self._spread(planned) - self._aim()), travel)

    def _spread(self, planned: dict[int, Planned]) -> float:
        """The busiest rep's utilisation over the lightest's, less 1 (infinite while a rep has nothing to do)."""
        util = self._utilisation(planned)
        return float(util.max() / util.min() - 1) if util.min() > 0 else math.inf

    def _good(self, score: tuple) -> bool:
        """Whether the search may stop: every visit placed with the fewest moves (a free search goes on to lower
        travel)."""
        return self.options.fewest_moves and score[0] == 0

    def _remember(self, rep_of: np.ndarray, planned: dict[int, Planned]) -> tuple:
        score = self._score(rep_of, planned)
        if self.best is None or score < self.best[0]:
            self.best = (score, rep_of.copy(), dict(planned))
        return score

    # --- calibration and splits ---------------------------------------------------------------------------------

    def _anchors(self, rep_of: np.ndarray, outward: bool = False) -> np.ndarray:
        """Each rep's medoid outlet location (by visits and travel), or `outward` the outlet its outlets' detours
        (solver.territory.split) are least to, which lies out from its start; a rep without outlets gets the outlet
        farthest from the other anchors."""
        anchors = np.full(len(self.reps), -1, dtype=np.int64)
        for r, rep in enumerate(self.problem.reps):
            mine = np.flatnonzero(rep_of == r)
            if len(mine):
                matrix = self.problem.duration_s[rep.matrix]
                cut = matrix[np.ix_(self.locations[mine], self.locations[mine])].astype(float)
                cost = cut @ self.visits[mine]
                if outward:
                    way = matrix[rep.start, self.locations[mine]] + matrix[self.locations[mine], rep.end]
                    cost = (cost + self.visits[mine] @ cut - self.visits[mine].sum() * way) / 2
                anchors[r] = self.locations[mine[int(np.argmin(cost))]]
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

    def _split(self, rep_of: np.ndarray, petals: bool) -> np.ndarray:
        for _ in range(LLOYD_ROUNDS):
            anchors = self._anchors(rep_of)
            self.prediction = Prediction(
                self.prediction.visit_travel_s, self._commute_s(anchors), self.prediction.factor
            )
            ways = self._anchors(rep_of, outward=True) if petals else anchors
            rep_of = split(self.problem, ways, self.prediction, self.keep, self.options.fewest_moves, petals)
        return rep_of

    def _start_key(self, candidate: tuple[np.ndarray, dict[int, Planned]]) -> tuple:
        """Which planned split the boundary moves start from: the fewest unplaced visits, then one whose spread
        the moves can bring within the aim, then the least travel (for the fewest moves: the score)."""
        rep_of, planned = candidate
        score = self._score(rep_of, planned)
        if self.options.fewest_moves:
            return score
        return (score[0], score[1] > self._aim(), score[2])

    def starts(self) -> list[np.ndarray]:
        """The current territories (when every outlet has a rep) and the splits, planned, in the order the boundary
        moves start from them (_start_key)."""
        rep_of = self.original.copy()
        candidates = []
        if (rep_of >= 0).all():
            planned = self._plan(rep_of, self.reps)
            candidates.append((rep_of, planned))
            if self._good(self._remember(rep_of, planned)):
                return [rep_of]
            self._calibrate(rep_of, planned)
        for round_ in range(CALIBRATION_ROUNDS):
            if self.best is not None and not self._time_for(len(self.reps)):
                break
            rep_of = self._split(rep_of, petals=round_ % 2 == 1)  # round areas first, then petals, in turn
            planned = self._plan(rep_of, self.reps)
            candidates.append((rep_of, planned))
            if self._good(self._remember(rep_of, planned)):
                break
            self._calibrate(rep_of, planned)
        return [rep_of for rep_of, _ in sorted(candidates, key=self._start_key)]

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

    def _nearness(self, rep_of: np.ndarray, outlets: np.ndarray, rep: int) -> np.ndarray:
        """Per outlet of `outlets`: the mean travel to its NEAREST nearest outlets of `rep` (itself left out)."""
        theirs = np.flatnonzero(rep_of == rep)
        count = min(NEAREST, len(theirs) - 1)
        if count < 1:
            return np.full(len(outlets), np.inf)
        matrix = self.problem.duration_s[self.problem.reps[rep].matrix]
        cut = matrix[np.ix_(self.locations[outlets], self.locations[theirs])].astype(float)
        cut[outlets[:, None] == theirs[None, :]] = np.inf
        return np.partition(cut, count - 1, axis=1)[:, :count].mean(axis=1)

    def _exchange(self, rep_of: np.ndarray, a: int, b: int, util: np.ndarray) -> np.ndarray | None:
        """`rep_of` with the outlets of `a` that lie nearer `b`'s territory than `a`'s handed to `b` and the
        converse, most out of place first, the busier rep of the two giving, while the predicted spread of all
        reps stays within the aim (locked outlets stay, the keep count holds); None when nothing can move."""
        out_of_place = {}
        for x, y in ((a, b), (b, a)):
            mine = np.flatnonzero((rep_of == x) & ~self.locked)
            gain = self._nearness(rep_of, mine, x) - self._nearness(rep_of, mine, y)
            order = np.argsort(-gain, kind="stable")
            out_of_place[x] = [int(i) for i in mine[order][gain[order] > 0]]
        load = self.prediction.outlet_load(self.problem) * self.prediction.factor[None, :]
        others = np.delete(util, [a, b])
        predicted = {a: float(util[a]), b: float(util[b])}
        left = {a: int((rep_of == a).sum()), b: int((rep_of == b).sum())}
        kept = int(((rep_of == self.original) & (self.original >= 0)).sum())
        moved = rep_of.copy()
        while True:
            for x in sorted((a, b), key=lambda r: -predicted[r]):
                y = b if x == a else a
                if not out_of_place[x] or left[x] <= 1:
                    continue
                i = out_of_place[x][0]
                change = int(self.original[i] == y) - int(self.original[i] == x)
                after = {
                    x: predicted[x] - load[i, x] / self.capacity[x],
                    y: predicted[y] + load[i, y] / self.capacity[y],
                }
                spread = np.append(others, list(after.values()))
                if kept + change < self.keep or spread.max() / spread.min() - 1 > self._aim():
                    continue
                out_of_place[x].pop(0)
                moved[i] = y
                kept += change
                left[x] -= 1
                left[y] += 1
                predicted.update(after)
                break
            else:
                break
        return moved if (moved != rep_of).any() else None

    def _exchange_pairs(self, rep_of: np.ndarray, planned: dict[int, Planned], settled: set) -> list[tuple]:
        """(a, b, 0) for up to one pair of neighbours per two workers that has not settled, the reps travelling
        most per visit first."""
        wanted = max(1, self.planner.workers() // 2)
        per_visit = {r: planned[r].load.travel_s / max(1, planned[r].load.visits_placed) for r in self.reps}
        taken: set[int] = set()
        pairs = []
        for a in sorted(self.reps, key=lambda r: -per_visit[r]):
            if a in taken:
                continue
            options = [b for b in self._neighbours(rep_of, a) if b not in taken and frozenset((a, b)) not in settled]
            if options:
                pairs.append((a, options[0], 0.0))
                taken |= {a, options[0]}
                if len(pairs) == wanted:
                    break
        return pairs

    def rebalance(self, rep_of: np.ndarray) -> None:
        """Boundary moves from `rep_of`: balancing handovers until every visit is placed and the spread is within
        the aim, then exchanges that lower travel, until none helps or the time is up (the best territories met
        are remembered)."""
        planned = self._plan(rep_of, self.reps)
        tabu: set[tuple[int, int]] = set()
        step: dict[tuple[int, int], float] = {}
        settled: set[frozenset[int]] = set()  # pairs whose exchange did not lower travel since either changed
        while not self._good(score := self._score(rep_of, planned)):
            util = self._utilisation(planned)
            unplaced = {r: planned[r].load.unplaced_visits for r in self.reps}
            balancing = self.options.fewest_moves or score[0] > 0 or score[1] > 0
            if balancing:
                pairs = self._pairs(rep_of, util, unplaced, tabu)
            else:
                pairs = self._exchange_pairs(rep_of, planned, settled)
            if not pairs or not self._time_for(2 * len(pairs)):
                break
            trials = []
            for donor, receiver, amount in pairs:
                if balancing:
                    moved = self._handover(rep_of, donor, receiver, amount * step.get((donor, receiver), 1.0))
                else:
                    moved = self._exchange(rep_of, donor, receiver, util)
                if moved is not None:
                    trials.append((donor, receiver, moved))
                elif balancing:
                    tabu.add((donor, receiver))
                else:
                    settled.add(frozenset((donor, receiver)))
            if not trials:
                continue
            tried_all = rep_of.copy()  # the pairs are disjoint: every trial planned in one batch
            for _, _, moved in trials:
                tried_all[moved != rep_of] = moved[moved != rep_of]
            tried = self._plan(tried_all, [r for d, v, _ in trials for r in (d, v)])
            accepted = rep_of.copy()
            for donor, receiver, moved in trials:
                pair = [donor, receiver]
                if balancing:
                    helps = self._balances(planned, tried, pair)
                else:
                    helps = self._saves_travel(planned, tried, pair)
                if helps:
                    accepted[moved != rep_of] = moved[moved != rep_of]
                    planned.update({r: tried[r] for r in pair})
                    step.pop((donor, receiver), None)
                    settled = {s for s in settled if not s & set(pair)}
                elif balancing:
                    step[donor, receiver] = step.get((donor, receiver), 1.0) / 2
                    if step[donor, receiver] < MIN_STEP:
                        tabu.add((donor, receiver))
                else:
                    settled.add(frozenset(pair))
            rep_of = accepted
            self._remember(rep_of, planned)

    def finished(self) -> bool:
        """Whether the search is done: the fewest moves found, or no time left for a pair's move."""
        return (self.best is not None and self._good(self.best[0])) or not self._time_for(2)

    def _balances(self, planned: dict[int, Planned], tried: dict[int, Planned], pair: list[int]) -> bool:
        """Whether the pair's tried cycles leave fewer visits out, or (not for the fewest moves) as many with the
        pair's busier rep lighter."""
        before = (sum(planned[r].load.unplaced_visits for r in pair), max(self._utilisation(planned)[pair]))
        after_util = self._utilisation({**planned, **{r: tried[r] for r in pair}})[pair]
        after = (sum(tried[r].load.unplaced_visits for r in pair), max(after_util))
        return after[0] < before[0] or (
            after[0] == before[0] and not self.options.fewest_moves and after[1] < before[1] - MIN_GAIN
        )

    def _saves_travel(self, planned: dict[int, Planned], tried: dict[int, Planned], pair: list[int]) -> bool:
        """Whether the pair's tried cycles place as many visits with less travel, every rep's workload still
        within the aim."""
        if sum(tried[r].load.unplaced_visits for r in pair) > sum(planned[r].load.unplaced_visits for r in pair):
            return False
        before = sum(planned[r].load.travel_s for r in pair)
        after = sum(tried[r].load.travel_s for r in pair)
        with_pair = {**planned, **{r: tried[r] for r in pair}}
        return after < before * (1 - MIN_TRAVEL_GAIN) and self._spread(with_pair) <= self._aim()

    # --- the answer ---------------------------------------------------------------------------------------------

    def answer(self) -> TerritoryAnswer:
        """The best territories met, their cycles planned once more for the final time limit."""
        assert self.best is not None
        rep_of = self.best[1]
        final_s = self._final_limit_s()
        searched = self._plan(rep_of, self.reps)
        final = (
            searched
            if final_s <= self.searching.time_limit_s
            else self._plan(rep_of, self.reps, SolveParams(final_s, self.options.seed))
        )
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
    search = _Search(problem, options, planner or SequentialPlanner())
    for start in search.starts():  # the next start when the moves from one run out with time left
        search.rebalance(start)
        if search.finished():
            break
    return search.answer()
