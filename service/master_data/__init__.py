"""An office's master data: offices, supervisors, reps, outlets, territories, imports and bundles."""
