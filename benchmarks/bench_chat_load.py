"""Chat load test: N concurrent sessions against a real shopfloor server on loopback for a bounded time.

Usage:
    python benchmarks/bench_chat_load.py [--workspace WS] [--sessions 20] [--diagnoses 10] [--seconds 60] [--llm]

Without --workspace it builds the demo plant into a temporary workspace first. Each session sends
questions to the OpenAI-compatible streaming endpoint in a loop; we record time to first token,
total latency, streamed characters per second and errors; then --diagnoses sessions post logs to
/api/diagnose (summary requested, as the API's default). The server runs with the product defaults
(language model loaded, ``llm.synthesis: auto``: off for the bundled 135M model); --llm forces the
synthesis and the diagnosis summary on (one generation at a time on a CPU box). The process's resident
memory (server and clients share it) is reported before, at its peak and after.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

QUESTIONS = ["What causes cavitation on the cooling water pump?", "How do I fix a slipping conveyor belt?",
             "What does error E-42 mean on the mill?", "Why is the compressor discharge temperature high?",
             "How is HP-601 doing, any alarms?", "P101 brg nse rumbling, vib up", "What oil goes in the gearbox?"]
KIND = {"How is HP-601 doing, any alarms?": "status", "P101 brg nse rumbling, vib up": "diagnose"}  # the rest: ask


def session(url: str, stop_at: float, out: list, errors: list, idx: int) -> None:
    import httpx

    n = idx
    with httpx.Client(timeout=120) as client:
        while time.perf_counter() < stop_at:
            q = QUESTIONS[n % len(QUESTIONS)]
            n += 1
            t0 = time.perf_counter()
            ttft, chars = None, 0
            try:
                with client.stream("POST", f"{url}/v1/chat/completions",
                                   json={"messages": [{"role": "user", "content": q}], "stream": True}) as r:
                    if r.status_code != 200:
                        errors.append(r.status_code)
                        continue
                    for line in r.iter_lines():
                        if line.startswith("data:") and line[5:].strip() != "[DONE]":
                            delta = json.loads(line[5:])["choices"][0]["delta"].get("content")
                            if delta:
                                ttft = ttft or time.perf_counter() - t0
                                chars += len(delta)
                out.append((ttft or 0.0, time.perf_counter() - t0, chars, KIND.get(q, "ask")))
            except httpx.HTTPError as e:
                errors.append(type(e).__name__)


LOGS = ["P101 brg nse rumbling, vib up since monday", "conveyor CV-401 belt slipping at startup, squeal",
        "HP-601 hydraulic press slow, pressure drops under load", "compressor AC-501 trips on high discharge temp"]


def diagnose_session(url: str, stop_at: float, out: list, errors: list, idx: int) -> None:
    import httpx

    n = idx
    with httpx.Client(timeout=120) as client:
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                r = client.post(f"{url}/api/diagnose", json={"log": LOGS[n % len(LOGS)]})
                n += 1
                if r.status_code != 200:
                    errors.append(r.status_code)
                    continue
                t = time.perf_counter() - t0
                out.append((t, t, len(r.text), "diagnose (API)"))
            except httpx.HTTPError as e:
                errors.append(type(e).__name__)


def rss_mb() -> float:
    """This process's resident memory now (Linux /proc), MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PeakRSS(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.running = rss_mb(), True

    def run(self):
        while self.running:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.2)


def pct(xs: list[float], p: float) -> float:
    return sorted(xs)[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workspace", type=Path)
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--diagnoses", type=int, default=10, help="concurrent /api/diagnose sessions (0: none)")
    ap.add_argument("--llm", action="store_true", help="force llm.synthesis on (chat synthesis, diagnosis summary)")
    ap.add_argument("--data-dir", type=Path, help="unused; accepted so run_all.py can call every benchmark alike")
    args = ap.parse_args()
    import uvicorn

    from shopfloor.assistant.api.app import create_app
    from shopfloor.assistant.demo.build import build_demo
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.workspace import Workspace

    tmp = tempfile.TemporaryDirectory()
    ws = Workspace.open(args.workspace or Path(tmp.name) / "ws")
    if not (ws.root / "index").exists():
        build_demo(ws)
    if args.llm:
        ws.config.llm.synthesis = "on"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Assistant(ws, use_llm=True), ui=False), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    mode = "synthesis forced on (--llm)" if args.llm else f"product defaults (llm.synthesis: {ws.config.llm.synthesis})"
    before, peak = rss_mb(), PeakRSS()
    peak.start()
    print(f"\n## Chat load on loopback, {mode}, {args.seconds:.0f} s per row\n")
    print("| sessions | route | answers | answers/s | TTFT p50 s | TTFT p95 s | latency p50 s | latency p95 s "
          "| chars/s per stream | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in (1, args.sessions):  # one session first: the baseline the concurrent run is compared with
        results, errors, wall = load(f"http://127.0.0.1:{port}", n, args.seconds)
        for kind in ("all", "ask", "diagnose", "status"):
            rows = [r for r in results if kind == "all" or r[3] == kind]
            print(row(n, kind, rows, errors if kind == "all" else [], wall))
        if errors:
            print(f"\nerrors with {n} sessions: {sorted(set(map(str, errors)))}\n")
    if args.diagnoses:
        results, errors, wall = load(f"http://127.0.0.1:{port}", args.diagnoses, args.seconds, diagnose_session)
        print(row(args.diagnoses, "diagnose (API)", results, errors, wall))
    peak.running = False
    print(f"\nresident memory (server + clients, one process): {before:.0f} MB before, {peak.peak:.0f} MB peak, "
          f"{rss_mb():.0f} MB after")
    server.should_exit = True


def load(url: str, sessions: int, seconds: float, target=session) -> tuple[list, list, float]:
    results: list = []
    errors: list = []
    stop_at = time.perf_counter() + seconds
    threads = [threading.Thread(target=target, args=(url, stop_at, results, errors, i)) for i in range(sessions)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors, time.perf_counter() - t0


def row(sessions: int, kind: str, rows: list, errors: list, wall: float) -> str:
    ttft, lat = [r[0] for r in rows], [r[1] for r in rows]
    cps = [r[2] / r[1] for r in rows if r[1] > 0]
    return (f"| {sessions} | {kind} | {len(rows)} | {len(rows) / wall:.2f} | {pct(ttft, 50):.2f} | {pct(ttft, 95):.2f} | "
            f"{pct(lat, 50):.2f} | {pct(lat, 95):.2f} | {statistics.median(cps) if cps else float('nan'):.0f} | "
            f"{len(errors) if kind == 'all' else ''} |")


if __name__ == "__main__":
    main()
