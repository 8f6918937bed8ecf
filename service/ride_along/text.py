"""A plain-text rendering of a ride-along week in the supervisor's language, for printing or a chat message (GET
/supervisors/{id}/ride-along?format=text documents the layout)."""

from __future__ import annotations

from service.core.i18n import Translator
from service.ride_along.reasons import Reason, said
from service.ride_along.schemas import RideAlongWeekPublic


def week_text(week: RideAlongWeekPublic, t: Translator) -> str:
    def joined(reasons: list[Reason]) -> str:
        return t.messages["ride_along.separator"].join(said(reasons, t))

    lines = [
        t(
            "ride_along.text.title",
            code=week.supervisor_code,
            monday=week.start_date.isoformat(),
            start=week.period_start.isoformat(),
            end=week.period_end.isoformat(),
        )
    ]
    for day in week.days:
        m, a = day.morning, day.afternoon
        day_line = t(
            "ride_along.text.day",
            weekday=t.weekday(day.weekday),
            date=day.date.isoformat(),
            rep=day.rep_code,
            name=day.rep_name,
            why=joined(day.why),
        )
        meet_at = t.messages["ride_along.meet_at"][m.meets_rep_at]
        lines += ["", day_line, "  " + t("ride_along.text.morning", place=meet_at)]
        for s in m.stops:
            if not s.with_supervisor:
                continue
            mark = "  " + t("ride_along.text.coaching", minutes=s.coaching_min) if s.coaching else ""
            lines.append(
                f"    {s.seq:>3}  {t('ride_along.text.arrive')} {s.arrival}  {s.start}-{s.departure}  {s.outlet_code}  "
                f"{s.outlet_name}{mark}"
            )
        lines.append("  " + t("ride_along.text.leave", time=m.leave.time, seq=m.leave.after_seq, notes=joined(m.notes)))
        orders = (
            t("ride_along.text.orders_of", date=a.orders_from.isoformat())
            if a.orders_from
            else t("ride_along.text.no_orders")
        )
        lines.append("  " + t("ride_along.text.afternoon", start=a.start, orders=orders))
        for spot in a.stops:
            lines.append(
                f"    {spot.order:>3}  {t('ride_along.text.arrive')} {spot.arrival}  {spot.start}-{spot.departure}  "
                f"{spot.outlet_code}  {spot.outlet_name}  {t('ride_along.text.value', value=spot.value)}: "
                f"{joined(spot.why)}"
            )
        lines.append("  " + t("ride_along.text.back", time=a.return_time, meeting=a.meeting))
    k = week.kpis
    summary = t(
        "ride_along.text.summary",
        ridden=", ".join(k.reps_ridden_this_week) or "-",
        not_yet=", ".join(k.reps_not_ridden_in_period) or "-",
        checks=k.spot_checks_planned,
        minutes=k.supervisor_travel_s // 60,
        km=f"{k.supervisor_distance_m / 1000:.1f}",
    )
    return "\n".join([*lines, "", summary]) + "\n"
