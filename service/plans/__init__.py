"""Journey plans: a rep's problem built from master data, solved, stored, read and published."""
