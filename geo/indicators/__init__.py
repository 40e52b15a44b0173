"""Indicators and targets: the registry, aggregation from counts, status, trends, uncertainty, the selection."""
