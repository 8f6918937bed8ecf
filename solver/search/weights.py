"""Adaptive choice of the ruin and repair operators (Ropke and Pisinger's ALNS)."""

from __future__ import annotations

import numpy as np


class OperatorWeights:
    """Operators that lead to new best, better or accepted plans are drawn more often in the next segment of
    iterations. Operators are known by their index in the search's tuple of them."""

    SCORES = (33.0, 9.0, 13.0)  # new best, better than current, accepted though worse
    NEW_BEST, BETTER, ACCEPTED = range(3)  # outcomes, indexes of SCORES
    SEGMENT = 100
    REACTION = 0.2

    def __init__(self, count: int):
        self.weights = np.ones(count)
        self.scores = np.zeros(count)
        self.uses = np.zeros(count)

    def draw(self, rng: np.random.Generator) -> int:
        return int(rng.choice(len(self.weights), p=self.weights / self.weights.sum()))

    def record(self, op: int, outcome: int | None, iteration: int) -> None:
        """Operator `op` led to `outcome` (None: rejected) in this iteration of the search."""
        self.uses[op] += 1
        if outcome is not None:
            self.scores[op] += self.SCORES[outcome]
        if iteration % self.SEGMENT == 0:
            used = self.uses > 0
            self.weights[used] = (1 - self.REACTION) * self.weights[used] + self.REACTION * self.scores[
                used
            ] / self.uses[used]
            self.weights = np.maximum(self.weights, 0.05)
            self.scores[:] = 0
            self.uses[:] = 0
