"""Run one heavy, untrusted-input job (checking an upload) in a forked child with a time and a memory bound.

Why: a small hostile file can make pure-Python parsing run for minutes and take gigabytes, and in the server
process that work holds the GIL (every other user's rerun slows down) and the memory is never given back to
the system (the allocator keeps it). In a child process the work runs on the other core, the memory goes
back when the child exits, and the parent can stop it: after ``timeout_s`` seconds, or as soon as the
child's resident memory grows more than ``max_growth_mb`` above what it started with.

``fork`` (not spawn) so the child starts at once with the parent's already loaded registry and commune index;
the child only computes and writes one pickled answer to a pipe, then leaves with ``os._exit`` (no atexit
handlers, no flushing of the parent's buffers). On systems without fork the job simply runs in-process.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from geo.errors import DataError

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_GROWTH_MB = 500.0
_POLL_S = 0.05


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _child(write_fd: int, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    code = 0
    try:
        try:
            answer: tuple = ("ok", fn(*args, **kwargs))
        except DataError as err:  # sent field by field: DataError's constructor does not unpickle from args
            answer = ("data_error", err.vi, err.en, err.fix_vi, err.fix_en)
        except MemoryError:
            answer = ("memory",)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which logs and explains it
            answer = ("crash", type(exc).__name__, "".join(traceback.format_exception(exc))[-4000:])
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - nothing may escape the child
        code = 1
    finally:
        os._exit(code)


def run_bounded(fn: Callable[..., Any], *args: Any, timeout_s: float = DEFAULT_TIMEOUT_S,
                max_growth_mb: float = DEFAULT_MAX_GROWTH_MB, on_crash: Callable[[str, str], None] | None = None,
                **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` computed in a child process; its DataError is raised here as is.

    Raises the catalogue's ``err.check.timeout`` / ``err.check.memory`` / ``err.check.crashed`` DataError when
    the child runs too long, grows too big or dies; ``on_crash(kind, traceback_text)`` lets the caller log it.
    """
    from geo.text.catalogue import error

    if not hasattr(os, "fork"):
        return fn(*args, **kwargs)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(write_fd, fn, args, kwargs)
    os.close(write_fd)
    baseline = _rss_mb(pid)
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    outcome = None
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], _POLL_S)
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                continue
            if time.monotonic() > deadline:
                outcome = "timeout"
                break
            if _rss_mb(pid) - baseline > max_growth_mb:
                outcome = "memory"
                break
    finally:
        os.close(read_fd)
        if outcome is not None:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if outcome == "timeout":
        raise error("err.check.timeout", seconds=f"{timeout_s:g}")
    if outcome == "memory":
        raise error("err.check.memory", megabytes=f"{max_growth_mb:g}")
    try:
        answer = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - the child died before it could answer (killed, crashed)
        answer = ("crash", f"exit status {status}", "")
    if answer[0] == "ok":
        return answer[1]
    if answer[0] == "data_error":
        raise DataError(*answer[1:])
    if answer[0] == "memory":
        raise error("err.check.memory", megabytes=f"{max_growth_mb:g}")
    if on_crash is not None:
        on_crash(answer[1], answer[2])
    raise error("err.check.crashed", kind=answer[1])
