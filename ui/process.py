"""Settings of the server process itself (not of a page or a session), applied when the app first runs."""

from __future__ import annotations

import gc
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from geo import config

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


class RerunSlots:
    """First come, first served admission of page reruns: at most ``n`` compute at once, the rest queue.

    Why: a Streamlit server runs every rerun in its own thread, and Python's GIL shares one core among all of
    them, so after any stall 15-20 reruns run interleaved and all finish together at the end of the burst
    (each waits for the whole burst), and the sessions' next clicks then fall into step again (bench_load,
    30 sessions: p95 0.8-2.5 s). Queued, the same reruns finish one after another: the first in ~0.05 s, the
    last when the burst is done, and the finishing times spread the next clicks out (bench_load, one replica,
    same window: 50 sessions p95 4.0-4.6 s unlimited, 1.2-2.0 s with two slots, 0.44-0.53 s with one).

    Waiting is bounded: a rerun that has queued ``max_wait_s`` runs anyway (without a slot), so a stuck holder
    can slow the others but never stop them. Slow work that waits on another process (an upload check in its
    child, a Chromium render) gives its slot back meanwhile with :meth:`released`.
    """

    def __init__(self, n: int, max_wait_s: float = 5.0) -> None:
        self.n = n
        self.max_wait_s = max_wait_s
        self._lock = threading.Lock()
        self._free = n
        self._queue: deque[threading.Lock] = deque()
        self._mine = threading.local()

    def _acquire(self) -> bool:
        """True when this thread got a slot, False when it gave up waiting (and runs without one)."""
        with self._lock:
            if self._free and not self._queue:
                self._free -= 1
                return True
            gate = threading.Lock()
            gate.acquire()
            self._queue.append(gate)
        if gate.acquire(timeout=self.max_wait_s):
            return True  # handed over by a releasing holder
        with self._lock:
            if gate in self._queue:
                self._queue.remove(gate)
                return False
        return True  # handed over between the timeout and the lock

    def _release(self) -> None:
        with self._lock:
            if self._queue:
                self._queue.popleft().release()  # the slot passes straight to the longest waiter
            else:
                self._free += 1

    @contextmanager
    def held(self) -> Iterator[None]:
        """Run the block in a slot (nested use in the same thread does not take a second one)."""
        if self.n <= 0 or getattr(self._mine, "held", False):
            yield
            return
        self._mine.held = self._acquire()
        try:
            yield
        finally:
            if self._mine.held:  # not when released() gave it back and could not take one again
                self._release()
            self._mine.held = False

    @contextmanager
    def released(self) -> Iterator[None]:
        """Give this thread's slot to the queue while the block waits on another process; take one back after."""
        if not getattr(self._mine, "held", False):
            yield
            return
        self._mine.held = False
        self._release()
        try:
            yield
        finally:
            self._mine.held = self._acquire()

    def queued(self) -> int:
        """Reruns waiting for a slot now (for logs and tests)."""
        with self._lock:
            return len(self._queue)


_SLOTS: RerunSlots | None = None
_SLOTS_LOCK = threading.Lock()


def rerun_slots() -> RerunSlots:
    """The process's one admission queue, sized from VNCHILD_RERUN_SLOTS (geo.config) when first used."""
    global _SLOTS
    with _SLOTS_LOCK:
        if _SLOTS is None:
            _SLOTS = RerunSlots(config.rerun_slots())
        return _SLOTS
