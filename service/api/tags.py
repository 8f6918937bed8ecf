"""What each group of routes in the API reference (/docs, /redoc) is for, in the words of the people who use it."""

from __future__ import annotations

# name -> description, in the order the reference lists them
_TAGS = {
    "day list": "A rep's day: the ordered outlets with arrival times, travel from the previous stop, the lunch break "
    "and the return, as the rep follows it. Reps read their own; supervisors their team's.",
    "visits": "Visit outcomes the reps report (visited, or why not; order taken; where and when it was recorded), "
    "idempotent, and the KPIs computed from them: planned-visit compliance, success rate, suggested-order rate, "
    "coverage.",
    "plans": "Journey plans: an office's 4-week cycle planned as a job (which outlets on which days, each day's "
    "route within opening hours, the shift and the lunch), read as JSON, GeoJSON or a spreadsheet, and published "
    "so that the reps' day lists follow it.",
    "jobs": "Durable jobs (plans, territory proposals, rep-count studies): queued, running, done or failed; they "
    "survive a restart of the service.",
    "ride-along": "The supervisor's week: each morning a rep's route with coaching stops, each afternoon a delivery "
    "spot-check route, back before the evening meeting; and the office's ride-along settings.",
    "change sets": "Line cleanup: approved new outlets, closures, changes, moves and reps leaving or joining, "
    "folded into the published plan with the least disruption, with a diff per rep-day; the monthly OM file as a "
    "change set; the reps' territories.",
    "territories": "Territory proposals (which rep visits which outlet, balanced on planned workloads, keeping as "
    "many outlets with their rep as asked) and rep-count studies (how many reps the office needs).",
    "outlets": "Retail outlets: coordinates, channel, opening hours, service time, visit frequency; one at a time or "
    "as a file (CSV, XLSX, GeoJSON), all rows or none, with a preview that writes nothing.",
    "offices": "Sales offices: their place, time zone, shift, lunch window and the road engines their plans use.",
    "people": "Supervisors and the reps of their teams: start places, shifts, working days.",
    "access": "API tokens (one per person and role, bound to an office) and the audit trail of changes.",
    "sign-in": "Signing a phone or browser in to the pages: a pasted token or a one-time link.",
    "health": "Whether the service and its database answer (no token needed).",
    "pages": "Server-rendered pages (zh-CN and English) for reps, supervisors and coordinators.",
}


def api_tags() -> list[dict[str, str]]:
    """FastAPI's `openapi_tags`: every group's name and description."""
    return [{"name": name, "description": description} for name, description in _TAGS.items()]
