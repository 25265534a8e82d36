"""Many cases at once: case sources, table cells, the runner, process and Dask executors, the summary."""
