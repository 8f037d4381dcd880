"""Run every benchmark in this folder, one after another, and print their tables.

Usage:
    python benchmarks/run_all.py [--data-dir ../shared/data] [--only index,sensors] [--out results.md]

Each ``bench_*.py`` script is self-contained (it prints its own table and compares against a
baseline in the same run); this runner only sequences them, times them and collects the output,
so one command reproduces every figure quoted in the README and docs/.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "data"


def discover(only: list[str] | None) -> list[Path]:
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        scripts = [s for s in scripts if any(name in s.stem for name in only)]
    return scripts


def run_one(script: Path, data_dir: Path) -> tuple[int, float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script), "--data-dir", str(data_dir)],
                          capture_output=True, text=True)
    return proc.returncode, time.perf_counter() - t0, proc.stdout + (proc.stderr[-2000:] if proc.returncode else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="Folder with the real public data.")
    ap.add_argument("--only", default="", help="Comma-separated substrings of benchmark names to run.")
    ap.add_argument("--out", type=Path, help="Also write the collected output (Markdown) here.")
    args = ap.parse_args()
    if not args.data_dir.is_dir():
        print(f"Data folder not found: {args.data_dir} (pass --data-dir)", file=sys.stderr)
        return 2
    sections, failed = [], 0
    for script in discover([s for s in args.only.split(",") if s]):
        print(f"== {script.name} ...", file=sys.stderr, flush=True)
        rc, secs, out = run_one(script, args.data_dir)
        failed += rc != 0
        sections.append(f"## {script.stem} (exit {rc}, {secs:.0f} s)\n\n```\n{out.rstrip()}\n```\n")
        print(sections[-1], flush=True)
    if args.out:
        args.out.write_text("\n".join(sections), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
