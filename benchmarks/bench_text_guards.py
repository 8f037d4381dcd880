"""False-positive rate of the document guards (instruction filter, safety-text guard) on real public text.

Every sentence of the shared data (lathe handbook, haul-truck FMEA, maintenance logs, vehicle complaints) is
written by people for people: none is an instruction to a model and none (we read the hits) weakens a safety
step in a manual. So every hit here is a false positive. Prints a Markdown table; run:

    python benchmarks/bench_text_guards.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import glob
import time
from pathlib import Path


def groups(data: Path) -> dict[str, list[str]]:
    import pandas as pd
    from pypdf import PdfReader

    out: dict[str, list[str]] = {}
    for f in sorted(glob.glob(str(data / "manuals" / "lathe" / "*"))):
        text = " ".join(p.extract_text() or "" for p in PdfReader(f).pages) if f.endswith(".pdf") else \
            Path(f).read_text(errors="replace")
        out.setdefault("lathe handbook (md/pdf)", []).append(text)
    tables = [data / "manuals" / "haul_truck_fmea.csv", *sorted((data / "logs").glob("*.csv")),
              *sorted((data / "complaints").glob("*.csv"))]
    for f in tables:
        out[f.name] = pd.read_csv(f, dtype=str).fillna("").astype(str).agg(" . ".join, axis=1).tolist()
    return out


def main() -> None:
    from shopfloor.assistant.safety import _sentences, is_instruction, unsafe_reason

    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    print("| text | documents/rows | sentences | flagged as instruction | flagged as unsafe | µs/sentence |")
    print("|---|---|---|---|---|---|")
    examples = []
    for name, texts in groups(args.data).items():
        n = inj = uns = 0
        t0 = time.perf_counter()
        for text in texts:
            for s in _sentences(text):
                n += 1
                inj += is_instruction(s)
                if unsafe_reason(s):
                    uns += 1
                    examples.append(f"{name}: {s[:140]}")
        us = (time.perf_counter() - t0) / max(n, 1) * 1e6
        print(f"| {name} | {len(texts)} | {n} | {inj} | {uns} | {us:.0f} |")
    if examples:
        print("\nFlagged as unsafe (read them: these are the false positives):\n")
        print("\n".join(f"- {e}" for e in examples[:20]))


if __name__ == "__main__":
    main()
