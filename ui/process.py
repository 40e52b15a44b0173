"""Settings of the server process itself (not of a page or a session), applied when the app first runs."""

from __future__ import annotations

import gc

# Python's default (700, 10, 10) ran a full collection every ~7 s under bench_load, each 0.2-0.4 s with every
# session's rerun stopped meanwhile (400,000+ tracked objects: cached frames' pandas block references, plotly
# figures, Streamlit's own). With young collections every 20,000 allocations it ran 4 times in 200 s instead of
# 44 (bench_load, 30 sessions); cyclic garbage still goes, only later. Streamlit's own collection after every
# rerun is off in .streamlit/config.toml (runner.postScriptGC).
GC_THRESHOLDS = (20_000, 20, 10)


def tune_gc() -> None:
    """Fewer, not larger, stop-the-world collections on a server holding big caches."""
    if gc.get_threshold() != GC_THRESHOLDS:
        gc.set_threshold(*GC_THRESHOLDS)
