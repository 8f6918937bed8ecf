"""Requests sent at once from threads, as phones and browsers do."""

from __future__ import annotations

import threading
from collections.abc import Callable

WAIT_S = 120  # a call still unanswered after this is a hang, reported as such


def at_once(*calls: Callable) -> list:
    """Run the calls in threads released together; their answers in order (a hang fails the caller's test)."""
    start = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=WAIT_S)
    assert not any(t.is_alive() for t in threads), f"calls still unanswered after {WAIT_S} s"
    return answers
