"""The supervisor's ride-along week: the morning with a rep, the afternoon's delivery spot checks."""
