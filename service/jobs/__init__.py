"""Durable background jobs and where reps are solved (worker processes, Dask)."""
