"""Streamlit glue: cached loaders, URL state, the shared sidebar. Logic lives in geo/."""
