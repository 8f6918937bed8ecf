"""An independent check of a plan against its problem: recomputes every time from the matrix.

Used by the product tests; knows nothing of the engine's internals, only the model's dataclasses.
"""

from __future__ import annotations

from collections import defaultdict

from solver.model import Problem, Solution


def plan_violations(problem: Problem, solution: Solution) -> list[str]:
    out: list[str] = []
    T, dist = problem.duration_s, problem.distance_m
    days_of: dict[int, list[int]] = defaultdict(list)
    crews_of: dict[int, set[int]] = defaultdict(set)
    for route in solution.routes:
        v = problem.vehicles[route.vehicle]
        loc, t = v.start, route.start_s
        if route.start_s < v.shift_start_s:
            out.append(f"vehicle {route.vehicle} leaves at {route.start_s} before its shift {v.shift_start_s}")
        travel = distance = load = 0
        for i, stop in enumerate(route.stops):
            c = problem.clients[stop.client]
            days_of[stop.client].append(v.day)
            crews_of[stop.client].add(v.crew)
            leg = int(T[loc, c.location])
            t = _take_breaks(route, i, t, out)
            if stop.travel_s != leg or stop.distance_m != int(dist[loc, c.location]):
                out.append(f"client {stop.client}: travel {stop.travel_s} s, matrix says {leg} s")
            if stop.arrival_s < t + leg:
                out.append(f"client {stop.client}: arrives at {stop.arrival_s}, cannot before {t + leg}")
            if stop.start_s < stop.arrival_s or stop.departure_s != stop.start_s + c.service_s:
                out.append(f"client {stop.client}: start {stop.start_s} / departure {stop.departure_s} inconsistent")
            if c.windows is not None and not any(
                w.start_s <= stop.start_s and stop.departure_s <= w.end_s for w in c.windows[v.day]
            ):
                out.append(
                    f"client {stop.client}: visit {stop.start_s}-{stop.departure_s} outside its windows on day {v.day}"
                )
            travel, distance, load = travel + leg, distance + int(dist[loc, c.location]), load + c.demand
            loc, t = c.location, stop.departure_s
        leg = int(T[loc, v.end])
        t = _take_breaks(route, len(route.stops), t, out)
        if route.end_s < t + leg:
            out.append(f"vehicle {route.vehicle}: reaches the end at {route.end_s}, cannot before {t + leg}")
        travel, distance = travel + leg, distance + int(dist[loc, v.end])
        if route.end_s > v.shift_end_s:
            out.append(f"vehicle {route.vehicle}: ends at {route.end_s} after the shift end {v.shift_end_s}")
        if v.max_duration_s is not None and route.end_s - route.start_s > v.max_duration_s:
            out.append(f"vehicle {route.vehicle}: lasts longer than {v.max_duration_s} s")
        if v.capacity is not None and load > v.capacity:
            out.append(f"vehicle {route.vehicle}: load {load} above capacity {v.capacity}")
        if travel != route.travel_s or distance != route.distance_m:
            out.append(
                f"vehicle {route.vehicle}: travel {route.travel_s}/{route.distance_m}, recomputed {travel}/{distance}"
            )
        out += _break_violations(problem, route)
    for c, client in enumerate(problem.clients):
        unplaced = any(u.client == c for u in solution.unplaced)
        days = tuple(sorted(days_of.get(c, [])))
        if unplaced:
            if days:
                out.append(f"client {c} reported unplaced but visited on days {days}")
            continue
        if days not in {tuple(p) for p in client.patterns}:
            out.append(f"client {c} visited on days {days}, not an allowed pattern")
        elif solution.patterns[c] != days:
            out.append(f"client {c}: solution says pattern {solution.patterns[c]}, routes say {days}")
        if problem.consistent and len(crews_of.get(c, ())) > 1:
            out.append(f"client {c} visited by crews {sorted(crews_of[c])}")
    if sum(r.travel_s for r in solution.routes) != solution.travel_s:
        out.append("solution travel_s is not the sum of its routes")
    return out


def _take_breaks(route, after_stops: int, t: int, out: list[str]) -> int:
    """Time when the breaks taken before the next leg are over (they cannot start before `t`)."""
    for b in route.breaks:
        if b.after_stops == after_stops:
            if b.start_s < t:
                out.append(f"vehicle {route.vehicle}: break at {b.start_s} starts before the rep is free at {t}")
            t = max(t, b.start_s + b.duration_s)
    return t


def _break_violations(problem: Problem, route) -> list[str]:
    v = problem.vehicles[route.vehicle]
    out = []
    if len(route.breaks) != len(v.breaks):
        return [f"vehicle {route.vehicle}: {len(route.breaks)} breaks taken, {len(v.breaks)} required"]
    busy = [(s.start_s, s.departure_s) for s in route.stops]
    for taken, rule in zip(route.breaks, v.breaks):
        if not rule.earliest_start_s <= taken.start_s <= rule.latest_start_s:
            out.append(
                f"vehicle {route.vehicle}: break at {taken.start_s} "
                f"outside [{rule.earliest_start_s}, {rule.latest_start_s}]"
            )
        if taken.duration_s != rule.duration_s:
            out.append(f"vehicle {route.vehicle}: break of {taken.duration_s} s, {rule.duration_s} s required")
        end = taken.start_s + taken.duration_s
        if any(a < end and taken.start_s < b for a, b in busy):
            out.append(f"vehicle {route.vehicle}: break {taken.start_s}-{end} overlaps a visit")
    return out
