"""Where reps' problems are solved: worker processes of this machine or a Dask cluster, behind one interface."""
