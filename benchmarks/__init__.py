"""Benchmarks: measured numbers with the commands that produced them (see RESULTS.md)."""
