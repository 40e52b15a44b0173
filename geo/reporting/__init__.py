"""Figures and files for people: maps and charts, publication exports, downloads, the briefing pack."""
