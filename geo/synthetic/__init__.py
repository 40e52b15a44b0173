"""The deterministic illustrative dataset (never official statistics)."""
