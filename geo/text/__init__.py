"""Words and numbers for people: the message catalogue and number formatting."""
