"""Visit outcomes the reps report and the sales standard's KPIs computed from them."""
