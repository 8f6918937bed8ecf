"""OR-Tools lives here and nowhere else: the routing models used to reorder a day's routes and to reroute a
week of single-day clients."""

from solver.routing.day_model import reoptimize_day
from solver.routing.routing_model import lateness_priced
from solver.routing.week_model import reoptimize_week

__all__ = ["lateness_priced", "reoptimize_day", "reoptimize_week"]
