"""bench_load's verdict: per replica count and per server (the app, or the no-queue baseline of the same run)."""

from __future__ import annotations

from bench.bench_load import baseline, first_over


def _row(replicas: int, server: str, sessions: int, p95: float) -> dict:
    return {"replicas": replicas, "server": server, "sessions": sessions, "p95_s": p95}


def test_verdict_is_the_first_session_count_whose_median_p95_is_over_the_limit_for_each_server():
    rows = [
        _row(1, "app", 30, 0.3), _row(1, "app", 30, 2.5), _row(1, "app", 30, 0.4),  # one bad step of three
        _row(1, "app", 60, 2.1), _row(1, "app", 60, 2.2),
        _row(1, "slots=0", 30, 3.4), _row(1, "slots=0", 30, 2.1),
        _row(2, "app", 30, 0.2), _row(2, "app", 60, 0.3),
    ]
    assert first_over(rows, 2.0) == {(1, "app"): 60, (1, "slots=0"): 30, (2, "app"): None}


def test_the_baseline_cluster_is_the_same_code_with_another_queue_on_its_own_folder_and_port():
    cluster = baseline(0)
    assert cluster.name == "slots=0" and dict(cluster.settings) == {"VNCHILD_RERUN_SLOTS": "0"}
    env = cluster.env()
    assert env["VNCHILD_RERUN_SLOTS"] == "0" and env["VNCHILD_CLUSTER_DIR"].endswith(".cluster-bench-baseline")
    assert cluster.replica_urls(2) == [f"http://127.0.0.1:{cluster.port + 1}", f"http://127.0.0.1:{cluster.port + 2}"]
