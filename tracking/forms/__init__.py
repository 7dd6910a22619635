"""Forms of the tracker, one module per feature."""
