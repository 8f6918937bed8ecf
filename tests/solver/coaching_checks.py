"""The ride-along morning's coaching rule, checked from the outside (solver and API tests alike)."""

from __future__ import annotations


def assert_coaching_spaced(
    coached: list[int], dropped: set[int], every: int, departures_s: list[int], morning_end_s: int, coaching_s: int
) -> None:
    """Coaching falls on the every-th supervised stop (`departures_s` are theirs) and then on the every-th after
    the last coaching; where it was due but left out (`dropped`), it lands at a later stop or nowhere. The last
    coaching due and not given is reported unless it would have run past the end of the morning."""
    due = every - 1
    for k in coached:
        assert k >= due, f"coaching at stop {k} before it was due at {due}"
        assert k == due or due in dropped, f"coaching due at stop {due} neither given nor reported left out"
        due = k + every
    if due < len(departures_s) and due not in dropped:
        assert departures_s[due] + coaching_s > morning_end_s, f"coaching due at stop {due} silently left out"
