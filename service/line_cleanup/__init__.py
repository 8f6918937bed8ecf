"""Line cleanup: change sets folded into the published plan with the least disruption, and their diff."""
