"""Geometry: the commune boundaries, their levels of detail and the derived border flag."""
