"""OR-Tools lives here and nowhere else: the day-routing model used to reorder a day's routes."""

from solver.routing.day_model import reoptimize_day

__all__ = ["reoptimize_day"]
