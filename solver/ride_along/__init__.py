"""Supervisor ride-alongs: which rep each morning (CP-SAT), the morning re-timed with coaching, and the
afternoon delivery spot-check route (OR-Tools routing). OR-Tools types stay inside this package."""

from solver.ride_along.morning import (
    DayStop,
    DroppedCoaching,
    Lunch,
    MorningRules,
    RepDay,
    RideAlongMorning,
    TimedStop,
    plan_morning,
    retimed,
)
from solver.ride_along.rep_choice import RepChoice, RepChoiceProblem, choose_reps
from solver.ride_along.spot_check import (
    FIRST_CANDIDATE_LOCATION,
    SpotCandidate,
    SpotCheckProblem,
    SpotCheckRoute,
    SpotStop,
    plan_spot_checks,
    timed_route,
)

__all__ = [
    "FIRST_CANDIDATE_LOCATION",
    "DayStop",
    "DroppedCoaching",
    "Lunch",
    "MorningRules",
    "RepChoice",
    "RepChoiceProblem",
    "RepDay",
    "RideAlongMorning",
    "SpotCandidate",
    "SpotCheckProblem",
    "SpotCheckRoute",
    "SpotStop",
    "TimedStop",
    "choose_reps",
    "plan_morning",
    "plan_spot_checks",
    "retimed",
    "timed_route",
]
