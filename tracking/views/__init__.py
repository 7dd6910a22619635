"""Pages of the tracker, one module per feature."""
