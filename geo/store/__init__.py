"""The versioned dataset store (SQLite or PostgreSQL)."""
