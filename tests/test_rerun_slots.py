"""The server's rerun admission queue (ui/process.py RerunSlots): plain threads, no Streamlit.

Waits in these tests are on events and joins, never on sleeps; the only timeouts are RerunSlots' own
max_wait_s, which is the behaviour under test.
"""

from __future__ import annotations

import threading

import pytest

from geo import config
from geo.errors import DataError
from ui.process import RerunSlots


def _holders(slots: RerunSlots, n: int, body) -> list[threading.Thread]:
    return [threading.Thread(target=_hold, args=(slots, i, body)) for i in range(n)]


def _hold(slots: RerunSlots, i: int, body) -> None:
    with slots.held():
        body(i)


def _wait_for(condition) -> None:
    """Poll a condition (bounded), for states no event marks, such as a thread having joined the queue."""
    tick = threading.Event()
    for _ in range(2000):
        if condition():
            return
        tick.wait(0.005)
    raise AssertionError("condition not reached")


def _wait_queued(slots: RerunSlots, n: int) -> None:
    _wait_for(lambda: slots.queued() >= n)


def test_reruns_run_one_after_another_in_the_order_they_came():
    slots = RerunSlots(1, max_wait_s=30)
    gate = threading.Event()
    order: list[int] = []
    running = []
    peak = []

    def body(i: int) -> None:
        running.append(i)
        peak.append(len(running))
        if i == 0:
            gate.wait(10)  # the first holds its slot until every other one has queued
        order.append(i)
        running.remove(i)

    threads = _holders(slots, 6, body)
    threads[0].start()
    _wait_for(lambda: running == [0])
    for k, th in enumerate(threads[1:], start=1):
        th.start()
        _wait_queued(slots, k)  # queued in start order
    gate.set()
    for th in threads:
        th.join(10)
    assert order == [0, 1, 2, 3, 4, 5]
    assert max(peak) == 1
    assert slots.queued() == 0


def test_two_slots_let_two_reruns_compute_at_once_and_no_more():
    slots = RerunSlots(2, max_wait_s=30)
    inside = threading.Semaphore(0)
    go = threading.Event()
    lock = threading.Lock()
    now, peak = [0], [0]

    def body(_i: int) -> None:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        inside.release()
        go.wait(10)
        with lock:
            now[0] -= 1

    threads = _holders(slots, 5, body)
    for th in threads:
        th.start()
    assert inside.acquire(timeout=10) and inside.acquire(timeout=10)
    _wait_queued(slots, 3)
    assert now[0] == 2
    go.set()
    for th in threads:
        th.join(10)
    assert peak[0] == 2 and now[0] == 0


def test_a_rerun_that_waited_too_long_runs_anyway_and_the_slot_count_stays_right():
    slots = RerunSlots(1, max_wait_s=0.2)
    stuck = threading.Event()
    entered = threading.Event()

    def holder() -> None:
        with slots.held():
            entered.set()
            stuck.wait(10)

    th = threading.Thread(target=holder)
    th.start()
    assert entered.wait(10)
    ran = []
    late = threading.Thread(target=lambda: _hold(slots, 1, ran.append))
    late.start()
    late.join(10)  # gives up waiting after 0.2 s, while the holder is still stuck
    assert ran == [1] and th.is_alive() and slots.queued() == 0
    stuck.set()
    th.join(10)
    # One slot again, not two (the late rerun never had one) and not zero.
    with slots.held():
        assert slots._free == 0
    assert slots._free == 1


def test_work_waiting_on_another_process_gives_its_slot_to_the_queue():
    slots = RerunSlots(1, max_wait_s=30)
    in_child = threading.Event()
    child_done = threading.Event()
    other_ran = threading.Event()

    def uploader() -> None:
        with slots.held():
            with slots.released():  # e.g. run_bounded waiting for its child process
                in_child.set()
                child_done.wait(10)
            assert slots._mine.held  # took a slot back before going on

    up = threading.Thread(target=uploader)
    up.start()
    assert in_child.wait(10)
    other = threading.Thread(target=lambda: _hold(slots, 0, lambda _i: other_ran.set()))
    other.start()
    assert other_ran.wait(10)  # ran while the upload's check was still going
    child_done.set()
    up.join(10)
    other.join(10)
    assert slots._free == 1 and slots.queued() == 0


def test_nested_use_takes_one_slot_and_zero_slots_means_no_limit():
    slots = RerunSlots(1, max_wait_s=30)
    with slots.held():
        with slots.held():  # a page that calls into code that also asks for a slot
            assert slots._free == 0
    assert slots._free == 1
    with slots.released():  # not holding one: nothing to give back
        assert slots._free == 1
    unlimited = RerunSlots(0)
    with unlimited.held(), unlimited.held():
        assert unlimited.queued() == 0


def test_a_failing_rerun_gives_its_slot_back():
    slots = RerunSlots(1, max_wait_s=30)
    with pytest.raises(RuntimeError):
        with slots.held():
            raise RuntimeError("a page error (or Streamlit stopping the script for a newer click)")
    assert slots._free == 1 and not slots._mine.held


def test_the_slot_count_comes_from_the_setting(monkeypatch):
    monkeypatch.delenv(config.RERUN_SLOTS_ENV, raising=False)
    assert config.rerun_slots() == config.DEFAULT_RERUN_SLOTS == 1
    monkeypatch.setenv(config.RERUN_SLOTS_ENV, " 0 ")
    assert config.rerun_slots() == 0
    for bad in ("two", "-1", "1.5"):
        monkeypatch.setenv(config.RERUN_SLOTS_ENV, bad)
        with pytest.raises(DataError) as err:
            config.rerun_slots()
        assert config.RERUN_SLOTS_ENV in err.value.en and config.RERUN_SLOTS_ENV in err.value.vi
