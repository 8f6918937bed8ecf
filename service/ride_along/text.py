"""A plain-text rendering of a ride-along week, for printing or a chat message (GET
/supervisors/{id}/ride-along?format=text documents the layout)."""

from __future__ import annotations

from service.core.time_of_day import WEEKDAYS
from service.ride_along.schemas import RideAlongWeekPublic


def week_text(week: RideAlongWeekPublic) -> str:
    lines = [
        f"Ride-along plan of supervisor {week.supervisor_code}, week of {week.start_date.isoformat()} "
        f"(period {week.period_start.isoformat()} to {week.period_end.isoformat()})"
    ]
    for day in week.days:
        m, a = day.morning, day.afternoon
        lines += [
            "",
            f"{WEEKDAYS[day.weekday].capitalize()} {day.date.isoformat()}: ride with {day.rep_code} "
            f"{day.rep_name} ({'; '.join(day.why)})",
            f"  morning (meet at the {m.meets_rep_at}):",
        ]
        for s in m.stops:
            if not s.with_supervisor:
                continue
            mark = f"  COACHING {s.coaching_min} min" if s.coaching else ""
            lines.append(
                f"    {s.seq:>3}  arrive {s.arrival}  {s.start}-{s.departure}  {s.outlet_code}  {s.outlet_name}{mark}"
            )
        lines.append(f"  leave the route at {m.leave.time} after seq {m.leave.after_seq} ({m.note})")
        orders = f"orders of {a.orders_from.isoformat()}" if a.orders_from else "no earlier working day's orders"
        lines.append(f"  afternoon from {a.start}, {orders}:")
        for spot in a.stops:
            lines.append(
                f"    {spot.order:>3}  arrive {spot.arrival}  {spot.start}-{spot.departure}  {spot.outlet_code}  "
                f"{spot.outlet_name}  value {spot.value}: {spot.why}"
            )
        lines.append(f"  back at the office {a.return_time} (meeting {a.meeting})")
    k = week.kpis
    lines += [
        "",
        f"reps ridden this week: {', '.join(k.reps_ridden_this_week) or '-'}; not yet in the period: "
        f"{', '.join(k.reps_not_ridden_in_period) or '-'}; spot checks: {k.spot_checks_planned}; "
        f"supervisor travel {k.supervisor_travel_s // 60} min, {k.supervisor_distance_m / 1000:.1f} km",
    ]
    return "\n".join(lines) + "\n"
