"""Pure data and geometry layer of the app: no Streamlit here (ruff bans it), so it is testable alone."""
