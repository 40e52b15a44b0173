"""A user's file in: read, map headers, parse cells, validate, match communes, carry old units to 2025."""
