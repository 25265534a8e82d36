"""Many cases at once, in pipeline order: sources (files and tables in), cells (rows into cases),
runner (a chunk of cases through the knowledge base, into rows), output (the JSONL/CSV row format),
executors (this process, local worker processes, Dask), summary (counts over the batch)."""
