"""Territory proposals and rep-count studies (issue 20): the office shared among its reps, applied as a line
cleanup."""
