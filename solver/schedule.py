"""Turn a route's node sequence into the timed stops and breaks the rep follows.

Service starts as early as the windows allow; the departure from the start location is put off so the rep
does not wait at the first stop.
"""

from __future__ import annotations

from solver.instance import Instance, earliest_start
from solver.model import BreakTaken, Route, Stop
from solver.routes import break_of


def timed_route(inst: Instance, vehicle: int, seq: list[int]) -> Route:
    T, dist = inst.travel, inst.problem.distance_m
    day = int(inst.veh_day[vehicle])
    loc = int(inst.veh_start[vehicle])
    t = int(inst.veh_depart[vehicle])
    if seq and seq[0] >= 0:
        first = seq[0]
        leg = int(T[loc, inst.client_loc[first]])
        t = max(t, earliest_start(inst, first, day, t + leg) - leg)
    route_start = t
    stops: list[Stop] = []
    breaks: list[BreakTaken] = []
    travel = distance = load = 0
    for node in seq:
        if node >= 0:
            nxt = int(inst.client_loc[node])
            leg, leg_m = int(T[loc, nxt]), int(dist[loc, nxt])
            arrival = t + leg
            start = earliest_start(inst, node, day, arrival)
            t = start + int(inst.service[node])
            stops.append(
                Stop(client=node, arrival_s=arrival, start_s=start, departure_s=t, travel_s=leg, distance_m=leg_m)
            )
            travel, distance, load, loc = travel + leg, distance + leg_m, load + int(inst.demand[node]), nxt
        else:
            b = break_of(inst, vehicle, node)
            start = max(t, b.earliest_start_s)
            breaks.append(BreakTaken(start_s=start, duration_s=b.duration_s, after_stops=len(stops)))
            t = start + b.duration_s
    end = int(inst.veh_end[vehicle])
    travel += int(T[loc, end])
    distance += int(dist[loc, end])
    return Route(
        vehicle=vehicle,
        stops=tuple(stops),
        breaks=tuple(breaks),
        start_s=route_start,
        end_s=t + int(T[loc, end]),
        travel_s=travel,
        distance_m=distance,
        load=load,
    )
