"""Command-line entry points of ``python -m geo`` (one module per command); no Streamlit here."""
