"""Coordinates and travel times. Imports nothing of ours and never sees solver types.

- geo.travel: the TravelModel interface, TravelMatrix, TRAVEL_MODES and travel_model(mode, speed_kmh)
- geo.sphere: great-circle distances
- geo.checks: validate_lonlat, looks_swapped
"""
