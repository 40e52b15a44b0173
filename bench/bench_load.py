"""Load bench of the server (not of browsers): many sessions over Streamlit's own websocket protocol.

Each simulated session speaks what the browser speaks: it opens ``/_stcore/stream`` with the ``streamlit``
subprotocol, sends ``BackMsg.rerun_script`` (streamlit.proto) and reads ``ForwardMsg``s until
``script_finished``. It opens the map, then in a loop changes the indicator, the province, the year or the
page, waiting a random "think time" between clicks like a person. A rerun's latency is from the BackMsg sent to
its ``script_finished``.

For 1 and 2 replicas behind nginx (started with scripts/cluster.sh in a private folder and port) and for each
session count it reports: sessions held, errors, rerun latency p50/p95, server CPU (all replicas, % of one
core), peak RSS per replica, and RSS per replica after every session closed. Bounded: at most ``--max-sessions``
sessions and ``--seconds`` per step; only loopback addresses are accepted. ``--baseline-slots 0`` starts a
second cluster of the same code without the rerun queue (ui/process.py) and runs each of its steps right
after the app's, with the same clicks, so both columns come from the same hour of this shared machine.

    .venv/bin/python bench/bench_load.py                       # 1, 10, 25, 50, 100 sessions; 1 and 2 replicas
    .venv/bin/python bench/bench_load.py --counts 1,10 --replicas 1 --seconds 20
    .venv/bin/python bench/bench_load.py --counts 30,50 --replicas 1 --repeat 3 --baseline-slots 0
    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:8501 --pids 1234   # an already running server
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CLUSTER_DIR = ROOT / ".cluster-bench"
CLUSTER_PORT = 8700
CLICK_KEYS = ("ind", "prov", "year")  # sidebar widgets the bench changes (their keys end the widget id)
PAGES = ("map", "overview", "lagging", "equity", "funnel")


def require_loopback(url: str) -> None:
    host = urllib.parse.urlparse(url).hostname or ""
    try:
        loop = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loop = host == "localhost"
    if not loop:
        raise SystemExit(f"bench_load: refusing {url}: load tests run against loopback addresses only")


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    held: int = 0
    in_flight: int = 0  # reruns sent and not finished, now
    in_flight_peak: int = 0  # the most at once: how bursty the load became


class Session:
    """One simulated browser tab."""

    def __init__(self, base: str, stats: Stats, rng: random.Random) -> None:
        self.base = base
        self.stats = stats
        self.rng = rng
        self.widgets: dict[str, tuple[str, list[str]]] = {}  # key -> (widget id, options)
        self.state: dict[str, str] = {}  # widget id -> chosen option
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""
        self.alerts: list[str] = []  # st.error/warning/info bodies of the last rerun

    async def run(self, until: float, think: tuple[float, float]) -> None:
        ws_url = self.base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        try:
            async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=self.base, max_size=2**28,
                                          open_timeout=30, ping_interval=None, close_timeout=2) as ws:
                await self._rerun(ws)
                self.stats.held += 1
                while time.monotonic() < until:
                    await asyncio.sleep(self.rng.uniform(*think))
                    if time.monotonic() >= until:
                        break
                    self._click()
                    await self._rerun(ws)
        except (OSError, websockets.WebSocketException, TimeoutError) as exc:
            self.stats.errors.append(f"{type(exc).__name__}: {exc}"[:200])

    def _click(self) -> None:
        choice = self.rng.choice([*CLICK_KEYS, "page"])
        if choice == "page" and self.pages:
            self.page_hash = self.pages[self.rng.choice([p for p in PAGES if p in self.pages] or list(self.pages))]
            return
        found = self.widgets.get(choice)
        if found and len(found[1]) > 1:
            widget_id, options = found
            self.state[widget_id] = self.rng.choice(options)

    async def _rerun(self, ws) -> None:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash
        for widget_id, value in self.state.items():
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = widget_id
            widget.string_value = value
        started = time.monotonic()
        self.alerts = []
        self.stats.in_flight += 1
        self.stats.in_flight_peak = max(self.stats.in_flight_peak, self.stats.in_flight)
        try:
            await ws.send(msg.SerializeToString())
            await self._until_finished(ws, started)
        finally:
            self.stats.in_flight -= 1

    async def _until_finished(self, ws, started: float) -> None:
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=120)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                for page in fwd.new_session.app_pages:
                    self.pages[page.url_pathname or "map"] = page.page_script_hash
            elif kind == "navigation":
                for page in fwd.navigation.app_pages:
                    self.pages[page.url_pathname or "map"] = page.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._note_element(fwd.delta.new_element)
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.stats.errors.append("compile error")
                self.stats.latencies.append(time.monotonic() - started)
                return

    def _note_element(self, element) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.stats.errors.append(f"exception: {element.exception.type}: {element.exception.message[:120]}")
        elif kind == "selectbox":  # keyed widgets: the id ends with "-<key>"
            widget = element.selectbox
            self.widgets[widget.id.rsplit("-", 1)[-1]] = (widget.id, [o for o in widget.options if o])
        elif kind == "alert":
            self.alerts.append(element.alert.body)


async def visit(base: str, page: str | None = None) -> Session:
    """Open one session, run the default page (then ``page``, by URL path) and close: what a first visit sees."""
    session = Session(base, Stats(), random.Random(0))
    ws_url = base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], origin=base, max_size=2**28,
                                  open_timeout=30, ping_interval=None, close_timeout=2) as ws:
        await session._rerun(ws)
        if page is not None:
            session.page_hash = session.pages[page]
            await session._rerun(ws)
    return session


# --- Server side measurements (from /proc, no extra package) ----------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def run_step(base: str, pids: list[int], sessions: int, seconds: float, think: tuple[float, float],
                   seed: int) -> dict:
    stats = Stats()
    cpu0 = {p: cpu_seconds(p) for p in pids}
    peak = {p: rss_mb(p) for p in pids}
    wall0 = time.monotonic()
    until = wall0 + seconds
    rng = random.Random(seed)
    tasks = []
    for _ in range(sessions):  # open gradually (as people arrive), all within the first quarter of the step
        tasks.append(asyncio.create_task(Session(base, stats, random.Random(rng.random())).run(until, think)))
        await asyncio.sleep(min(0.25 * seconds / max(sessions, 1), 0.2))

    async def _sample() -> None:
        while not all(t.done() for t in tasks):
            for p in pids:
                peak[p] = max(peak[p], rss_mb(p))
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(_sample())
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 180)
    await sampler
    wall = time.monotonic() - wall0
    cpu = sum(cpu_seconds(p) - cpu0[p] for p in pids)
    await asyncio.sleep(5)  # sessions are closed: what does the server keep?
    lat = sorted(stats.latencies)
    return {
        "sessions": sessions, "held": stats.held, "errors": len(stats.errors), "reruns": len(lat),
        "p50_s": round(statistics.median(lat), 3) if lat else None,
        "p95_s": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 3) if lat else None,
        "cpu_pct": round(100 * cpu / wall, 1), "in_flight_peak": stats.in_flight_peak,
        "rss_peak_mb": [round(peak[p]) for p in pids], "rss_after_mb": [round(rss_mb(p)) for p in pids],
        "error_samples": stats.errors[:3],
    }


@dataclass(frozen=True)
class Cluster:
    """One scripts/cluster.sh deployment: its state folder, proxy port and the settings its replicas get."""

    name: str
    folder: Path
    port: int
    settings: tuple[tuple[str, str], ...] = ()

    def env(self) -> dict[str, str]:
        return {**os.environ, "VNCHILD_CLUSTER_DIR": str(self.folder), "VNCHILD_CLUSTER_PORT": str(self.port),
                **dict(self.settings)}

    def start(self, replicas: int) -> tuple[str, list[int]]:
        self.stop()
        done = subprocess.run(["bash", "scripts/cluster.sh", "start", str(replicas)], cwd=ROOT, env=self.env(),
                              check=True, capture_output=True, text=True)
        pids = [int((self.folder / f"replica-{i}.pid").read_text()) for i in range(1, replicas + 1)]
        return done.stdout.strip().splitlines()[-1], pids

    def replica_urls(self, replicas: int) -> list[str]:
        """Each replica's own address (scripts/cluster.sh: the proxy's port + i), to warm every one of them."""
        return [f"http://127.0.0.1:{self.port + i}" for i in range(1, replicas + 1)]

    def stop(self) -> None:
        subprocess.run(["bash", "scripts/cluster.sh", "stop"], cwd=ROOT, env=self.env(), check=False,
                       capture_output=True)


APP = Cluster("app", CLUSTER_DIR, CLUSTER_PORT)


def baseline(slots: int) -> Cluster:
    """The same code with another rerun queue (VNCHILD_RERUN_SLOTS; 0 = every rerun at once, as before)."""
    return Cluster(f"slots={slots}", ROOT / ".cluster-bench-baseline", CLUSTER_PORT + 100,
                   (("VNCHILD_RERUN_SLOTS", str(slots)),))


def print_table(rows: list[dict]) -> None:
    print("| replicas | server | sessions | run | held | errors | reruns | most in flight | p50 s | p95 s "
          "| server CPU % | RSS peak MB | RSS after MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['replicas']} | {r.get('server', 'app')} | {r['sessions']} | {r.get('run', 1)} | {r['held']} | "
              f"{r['errors']} | {r['reruns']} | {r['in_flight_peak']} | {r['p50_s']} | {r['p95_s']} | "
              f"{r['cpu_pct']} | {' / '.join(map(str, r['rss_peak_mb']))} | "
              f"{' / '.join(map(str, r['rss_after_mb']))} |")
    for (replicas, server), over in first_over(rows, 2.0).items():
        print(f"{replicas} replica(s), {server}: median p95 first above 2 s at {over or 'none of the'} sessions")


def first_over(rows: list[dict], seconds: float) -> dict:
    """Per replica count, the first session count whose median p95 (over its runs) is above ``seconds``.

    One 40 s step's p95 swings by several seconds at the edge of capacity (the sessions' clicks fall into
    step after a stall and arrive in bursts), so the verdict is on the median of repeated steps.
    """
    out = {}
    for key in sorted({(r["replicas"], r.get("server", "app")) for r in rows}, key=str):
        mine = [r for r in rows if (r["replicas"], r.get("server", "app")) == key]
        counts = sorted({r["sessions"] for r in mine})
        medians = {n: statistics.median((r["p95_s"] or 99) for r in mine if r["sessions"] == n) for n in counts}
        out[key] = next((n for n in counts if medians[n] > seconds), None)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1,10,25,50,100")
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--seconds", type=float, default=40.0, help="length of each step")
    parser.add_argument("--think", default="2,5", help="seconds between a session's clicks (min,max)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="steps per session count (p95 varies from step to step: the summary takes the median)")
    parser.add_argument("--max-sessions", type=int, default=150)
    parser.add_argument("--baseline-slots", type=int, default=None,
                        help="also run every step on a second cluster with VNCHILD_RERUN_SLOTS=N (0: no rerun "
                             "queue), interleaved with the app's steps, and print both")
    parser.add_argument("--url", help="bench an already running server instead (with --pids)")
    parser.add_argument("--pids", default="", help="server process ids to measure, with --url")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.counts.split(",")]
    if max(counts) > args.max_sessions:
        raise SystemExit(f"bench_load: {max(counts)} sessions is above --max-sessions {args.max_sessions}")
    think = tuple(float(x) for x in args.think.split(","))
    rows = []
    clusters = [APP] + ([baseline(args.baseline_slots)] if args.baseline_slots is not None else [])
    if args.url:
        targets = [[("given", args.url, [int(p) for p in args.pids.split(",") if p], None)]]
    else:
        targets = [[(int(r), None, None, c) for c in clusters] for r in args.replicas.split(",")]
    try:
        for group in targets:
            servers = []
            for replicas, url, pids, cluster in group:
                if url is None:
                    url, pids = cluster.start(replicas)
                require_loopback(url)
                servers.append((replicas, cluster.name if cluster else "app", url, pids))
                # Warm-up, not measured: every replica's caches filled once (through the proxy a lone session
                # lands on one replica only, and the other's first step then times a cold start).
                for warm in (cluster.replica_urls(replicas) if cluster else [url]):
                    asyncio.run(run_step(warm, pids, 1, 8, think, seed=0))
            for i, n in enumerate(counts):
                for run in range(args.repeat):
                    # With a baseline, its step follows the app's with the same seed: same clicks, same hour.
                    for replicas, name, url, pids in servers:
                        row = asyncio.run(run_step(url, pids, n, args.seconds, think, seed=(i + 1) + 1000 * run))
                        row["replicas"], row["server"], row["run"] = replicas, name, run + 1
                        rows.append(row)
                        print(json.dumps(row), file=sys.stderr, flush=True)
            if args.url is None:
                for cluster in clusters:
                    cluster.stop()
    finally:
        if args.url is None:
            for cluster in clusters:
                cluster.stop()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_load.json").write_text(json.dumps(rows, indent=1))
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
