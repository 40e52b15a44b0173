"""Translation lookup bound to the current language (strings come from data/strings.csv)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo import config
from ui.cache import load_strings


def translator() -> Callable[..., str]:
    """t(key, **fields) in the session's language; a missing key shows itself rather than crashing."""
    table = load_strings(str(config.registry_dir() / "strings.csv"))
    lang = st.session_state.get("lang") or st.query_params.get("lang", "vi")
    lang = lang if lang in table else "vi"

    def t(key: str, **fields) -> str:
        text = table[lang].get(key, key)
        return text.format(**fields) if fields else text

    return t
