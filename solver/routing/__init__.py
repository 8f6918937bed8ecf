"""The routing models used to reorder a day's routes and to reroute a week of single-day clients: OR-Tools
lives here and nowhere else, beside the compiled tour search for days of one vehicle (single_route)."""

from solver.routing.day_model import reoptimize_day
from solver.routing.routing_model import lateness_priced
from solver.routing.tour_model import retour, tour_searchable
from solver.routing.week_model import reoptimize_week

__all__ = ["lateness_priced", "reoptimize_day", "reoptimize_week", "retour", "tour_searchable"]
