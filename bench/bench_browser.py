"""Browser benchmark: the app's commune map against an afternoon baseline, in real headless Chromium.

Both servers run at once on loopback; every run measures the app and then the baseline (interleaved,
so the load other processes put on the machine hits both alike). Per step:
  * time from the action to the map drawn: an init script counts WebGL draw calls; "seconds" is the last
    draw call of the burst the action started, "painted" the second animation frame after it (with
    software WebGL the browser holds the next frame until the GPU thread has executed the draws: the map
    is on screen and the page answers again; the page waits on these conditions, never on a sleep);
    for the app also "shown": the first frame with the rerun's colours in the area's view (its map marks
    each such frame); on a province's first visit that frame is drawn on the country's geometry and the
    province's own detailed geometry replaces it when it has arrived (the last draw);
  * bytes: HTTP bytes as received (CDP Network.loadingFinished encodedDataLength, so compressed when the
    server compresses; JavaScript counted apart) and websocket message bytes (CDP frame payloads,
    decompressed: an upper bound of what travels when websocket compression is on);
  * server CPU seconds (utime + stime of the server process, /proc/<pid>/stat) used by the step.
Steps: cold-browser load of the national map (server warm), rerun after an indicator change (national),
rerun after a province change, and for the app also a lagging-page rerun (province change).

Run: .venv/bin/python bench/bench_browser.py [--runs 5] [--proxy] [--only ours|baseline]
--proxy puts the documented nginx (deploy/nginx-single.conf) in front of the app, as deployed.
--before DIR measures another checkout of the app (e.g. `git worktree add /tmp/before <rev>`) interleaved
with this one, the same steps and proxy: before/after figures from one run.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
QUIET_MS = 1200  # a burst of draw calls has ended when none followed for this long
TIMEOUT_MS = 300_000  # generous: the baseline takes minutes to load when the 2 cores are shared

# Counts draw calls on every WebGL context, with the time of the last one (page clock).
DRAW_HOOK = """
(() => {
  window.__draws = {n: 0, last: 0, painted: 0, pending: false};
  const wrap = (proto) => {
    if (!proto) return;
    for (const name of ["drawArrays", "drawElements", "drawArraysInstanced", "drawElementsInstanced",
                        "drawRangeElements"]) {
      const orig = proto[name];
      if (!orig) continue;
      proto[name] = function (...args) {
        const w = window.top.__draws || window.__draws;
        w.n += 1; w.last = window.top.performance.now();
        // Painted: two animation frames later. The frame that holds these draws is composited first, and
        // with software WebGL the compositor waits there until the GPU thread has executed them.
        if (!w.pending) {
          w.pending = true;
          window.top.requestAnimationFrame(() => window.top.requestAnimationFrame(() => {
            w.pending = false; w.painted = window.top.performance.now();
          }));
        }
        return orig.apply(this, args);
      };
    }
  };
  wrap(window.WebGLRenderingContext && WebGLRenderingContext.prototype);
  wrap(window.WebGL2RenderingContext && WebGL2RenderingContext.prototype);
  if (window.top !== window) return;
  // Script runs Streamlit reports on its root element: count the finished ones.
  window.__runs = {finished: 0, last: 0, state: ""};
  new MutationObserver(() => {
    const el = document.querySelector("[data-testid='stApp']");
    const state = el ? el.getAttribute("data-test-script-state") : "";
    if (state === window.__runs.state) return;
    if (window.__runs.state === "running" && state !== "running") {
      window.__runs.finished += 1; window.__runs.last = performance.now();
    }
    window.__runs.state = state;
  }).observe(document, {subtree: true, attributes: true, childList: true,
                        attributeFilter: ["data-test-script-state"]});
  // The app's map marks each frame that shows a rerun's colours (data-rendered = that rerun's version).
  window.__shown = [];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.getAttribute("data-rendered") !== r.oldValue) window.__shown.push(performance.now());
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-rendered"]});
})();
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_health(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server did not start: {log.read_text(errors='replace')[-2000:]}")


def start_streamlit(script: str, tmp: Path, extra: list[str] | None = None,
                    root: Path = ROOT) -> tuple[str, subprocess.Popen]:
    port = _free_port()
    log = tmp / f"{Path(script).stem}-{port}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(root),
           "VNCHILD_STORE_URL": f"sqlite:///{tmp / f'store-{port}.db'}"}
    with log.open("wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                                 "--server.address", "127.0.0.1", "--server.headless", "true", *(extra or [])],
                                cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_health(url, proc, log)
    return url, proc


def start_proxy(upstream: str, tmp: Path) -> tuple[str, subprocess.Popen]:
    """nginx with the repository's deploy/nginx-single.conf, pointed at the app's loopback port."""
    port = _free_port()
    tmp = tmp / f"nginx-{port}"
    tmp.mkdir()
    conf = (ROOT / "deploy" / "nginx-single.conf").read_text()
    conf = conf.replace("127.0.0.1:8501", upstream.removeprefix("http://"))
    conf = conf.replace("listen 80;", f"listen 127.0.0.1:{port};")
    main = tmp / "nginx.conf"
    main.write_text(f"daemon off; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err;\n"
                    f"events {{}}\nhttp {{ access_log off; client_body_temp_path {tmp}/body;"
                    f" proxy_temp_path {tmp}/proxy; types {{ application/javascript js; text/css css; }}\n"
                    f"{conf}\n}}\n")
    proc = subprocess.Popen([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(main), "-p", str(tmp)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_health(url, proc, tmp / "nginx.err")
    return url, proc


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its reaped children (clock ticks → seconds)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Probe:
    """One browser context with CDP byte counters and the draw hook."""

    def __init__(self, browser, pid: int):
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.ctx.add_init_script(DRAW_HOOK)
        self.page = self.ctx.new_page()
        self.pid = pid
        self.cdp = self.ctx.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.http = 0
        self.js = 0
        self.ws = 0
        self.ws_deflated = 0
        self._types: dict[str, str] = {}
        self.cdp.on("Network.responseReceived", lambda e: self._types.__setitem__(e["requestId"], e["type"]))
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)
        self.cdp.on("Network.webSocketFrameSent", self._frame)

    def _finished(self, e) -> None:
        self.http += e["encodedDataLength"]
        if self._types.get(e["requestId"]) == "Script":
            self.js += e["encodedDataLength"]

    def _frame(self, e) -> None:
        r = e["response"]
        data = r.get("payloadData", "")
        raw = base64.b64decode(data) if r.get("opcode") == 2 else data.encode()
        self.ws += len(raw)
        # What permessage-deflate sends for this message at most (it also reuses earlier messages' context).
        self.ws_deflated += len(zlib.compress(raw, 6)) - 6

    def step(self, action, settle=None, prepare=None) -> dict:
        """Run an action and wait for the draw burst it causes to end (or for `settle` when given).

        `prepare` runs before the clock starts: typing into a picker is the user's time, not the app's, so a
        choice is timed from the Enter that commits it.
        """
        if prepare:
            prepare()
        before = (self.http, self.js, self.ws, cpu_seconds(self.pid), self.ws_deflated)
        live = self.page.url.startswith("http")
        n0, f0, t0 = self.page.evaluate("() => [window.__draws.n, window.__runs.finished, performance.now()]") \
            if live else (0, 0, 0.0)  # a navigation: the new page's clock starts at its own navigation
        action()
        # Done when the rerun the action caused has finished and the draw calls after it have stopped.
        cond = ("([n0, f0, quiet]) => window.__draws && window.__runs.finished > f0 && window.__draws.n > n0 && "
                "!window.__draws.pending && "
                "performance.now() - Math.max(window.__draws.painted, window.__runs.last) > quiet")
        self.page.wait_for_function(cond, arg=[n0, f0, QUIET_MS], timeout=TIMEOUT_MS, polling=100)
        if settle:
            settle()
        draws = self.page.evaluate("() => window.__draws")
        # the first frame with this rerun's colours in the area's view (the app's map says; NaN elsewhere)
        shown = self.page.evaluate("(t0) => { const s = (window.__shown || []).find((x) => x > t0); "
                                   "return s === undefined ? null : s; }", t0)
        self.page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        http, js, ws, cpu = self.http, self.js, self.ws, cpu_seconds(self.pid)
        return {"seconds": (draws["last"] - t0) / 1000, "painted": (draws["painted"] - t0) / 1000,
                "draw_calls": draws["n"] - n0,
                "shown": (shown - t0) / 1000 if shown is not None else float("nan"),
                "http": http - before[0], "js": js - before[1], "ws": ws - before[2], "cpu": cpu - before[3],
                "ws_deflated": self.ws_deflated - before[4]}

    def close(self) -> None:
        self.ctx.close()


def type_choice(page, label: str, option: str) -> None:
    """Type an option into a Streamlit selectbox, as a keyboard user would, until the list offers it."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(has_text=label).first
    box.locator("input").click()
    page.keyboard.type(option)
    # an option shows its name, then " · " and the name without diacritics (what typing also finds)
    page.get_by_role("option", name=re.compile("^" + re.escape(option) + r"( ·|$)")).first.wait_for(
        timeout=TIMEOUT_MS)


def run_once(browser, url: str, pid: int, lagging: bool) -> dict:
    probe = Probe(browser, pid)
    page = probe.page
    out = {"load": probe.step(lambda: page.goto(f"{url}/", wait_until="commit"))}
    enter = lambda: page.keyboard.press("Enter")  # noqa: E731 - the timed part of a choice
    out["rerun_indicator"] = probe.step(enter, prepare=lambda: type_choice(
        page, "Chỉ số", "Tỷ lệ suy dinh dưỡng thể nhẹ cân ở trẻ em dưới 5 tuổi"))
    out["rerun_province"] = probe.step(enter, prepare=lambda: type_choice(page, "Tỉnh / thành phố", "Lào Cai"))
    if lagging:
        # The lagging page has no map: time its rerun on the server only (CPU of the step).
        page.get_by_role("link", name="Xã chậm tiến độ").first.click()
        page.get_by_text("xã chưa đạt mục tiêu").first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle")
        type_choice(page, "Tỉnh / thành phố", "Điện Biên")
        before_cpu, before_ws, before_wsd = cpu_seconds(pid), probe.ws, probe.ws_deflated
        t0 = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.body.innerText.includes('— Điện Biên — năm')", timeout=TIMEOUT_MS,
                               polling=50)
        page.wait_for_load_state("networkidle")
        out["lagging_rerun"] = {"seconds": time.perf_counter() - t0, "cpu": cpu_seconds(pid) - before_cpu,
                                "ws": probe.ws - before_ws, "ws_deflated": probe.ws_deflated - before_wsd,
                                "http": 0, "js": 0, "draw_calls": 0}
    probe.close()
    return out


def _fmt(key: str, v: float) -> str:
    if key in ("http", "js", "ws", "ws_deflated"):
        return f"{v / 1e6:.2f} MB" if v >= 1e6 else f"{v / 1e3:.0f} KB"
    return f"{v:.2f} s"


def table(results: dict[str, list[dict]]) -> str:
    steps = ["load", "rerun_indicator", "rerun_province", "lagging_rerun"]
    extra = [n for n in results if n not in ("app", "baseline")]
    rows = ["| step | measure | app (median) | baseline (median) | app / baseline |"
            + "".join(f" {n} | {n} / baseline |" for n in extra),
            "|---|---|---|---|---|" + "---|---|" * len(extra)]
    for step in steps:
        for key in ("seconds", "painted", "shown", "http", "js", "ws", "ws_deflated", "cpu"):
            med = {}
            for name, runs in results.items():
                vals = [r[step][key] for r in runs if step in r and key in r[step] and r[step][key] == r[step][key]]
                if vals:
                    med[name] = statistics.median(vals)
            if not med or (key == "js" and step != "load"):
                continue
            ours, base = med.get("app"), med.get("baseline")
            ratio = f"{ours / base:.2f}×" if ours is not None and base else "—"
            cells = ""
            for n in extra:
                v = med.get(n)
                cells += (f" {_fmt(key, v)} | {v / base:.2f}× |" if v is not None and base else
                          f" {_fmt(key, v) if v is not None else '—'} | — |")
            rows.append(f"| {step} | {key} | {_fmt(key, ours) if ours is not None else '—'} | "
                        f"{_fmt(key, base) if base is not None else '—'} | {ratio} |" + cells)
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--proxy", action="store_true", help="put deploy/nginx-single.conf in front of the app")
    ap.add_argument("--only", choices=("app", "baseline"))
    ap.add_argument("--extra", nargs="*", default=[], help="prototype scripts measured like the baseline")
    ap.add_argument("--before", type=Path, help="another checkout of the app, measured interleaved as 'before'")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "browser.json")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers on a plain kill too

    tmp = Path(tempfile.mkdtemp(prefix="bench-browser-"))
    procs: list[subprocess.Popen] = []
    targets: dict[str, tuple[str, int]] = {}
    try:
        if args.only != "baseline":
            checkouts = {"app": ROOT, **({"before": args.before.resolve()} if args.before else {})}
            for name, root in checkouts.items():  # the app, and the earlier checkout measured beside it
                url, proc = start_streamlit("app.py", tmp, root=root)
                procs.append(proc)
                if args.proxy:
                    url, nginx = start_proxy(url, tmp)
                    procs.append(nginx)
                targets[name] = (url, proc.pid)
        if args.only != "app":
            url, proc = start_streamlit("bench/baseline_app.py", tmp)
            procs.append(proc)
            targets["baseline"] = (url, proc.pid)
        static = ROOT / "bench" / "static"  # Streamlit serves static/ next to the script it runs
        if args.extra and not static.exists():
            static.symlink_to(ROOT / "static")
        for script in args.extra:
            url, proc = start_streamlit(script, tmp)
            procs.append(proc)
            targets[Path(script).stem] = (url, proc.pid)
        results: dict[str, list[dict]] = {name: [] for name in targets}
        load_before = os.getloadavg()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for name, (url, pid) in list(targets.items()):  # warm the servers' caches; not measured
                try:
                    run_once(browser, url, pid, lagging=False)
                except Exception as exc:  # noqa: BLE001 - report the target as failed, measure the others
                    print(f"{name}: FAILED ({type(exc).__name__}: {str(exc).splitlines()[0]})", flush=True)
                    del targets[name]
                    del results[name]
            for i in range(args.runs):
                for name, (url, pid) in targets.items():
                    res = run_once(browser, url, pid, lagging=name in ("app", "before"))
                    results[name].append(res)
                    print(f"run {i + 1} {name}: " + ", ".join(
                        f"{k} {v['seconds']:.2f}s (shown {v.get('shown', float('nan')):.2f}s) "
                        f"{v['http'] / 1e3:.0f}KB+ws{v['ws'] / 1e3:.0f}KB cpu{v['cpu']:.2f}s"
                        for k, v in res.items()), flush=True)
            browser.close()
        load_after = os.getloadavg()
        print()
        print(table(results))
        print(f"\nload average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f}; "
              f"runs: {args.runs}; proxy: {args.proxy}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"results": results, "load": [load_before, load_after],
                                        "proxy": args.proxy}, indent=1))
    finally:
        for proc in procs[::-1]:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
