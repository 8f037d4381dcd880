"""A quality engineer's cold start, through the facade as the UI drives it (issue 30).

A workspace with only a taxonomy (5 ISO 14224 failure modes with one-line descriptions), 200 of the shared
failure-mode logs with those labels classified in the Batch tab (every row goes to review), the first N rows of the
queue reviewed (their true labels), the task retrained from the Admin tab, then the other 156 logs classified.
Reported per N: what the retrain said (held-out figures, reviews still needed, labels kept without examples),
how many rows the new model auto-accepts and how right those are, its accuracy against always picking the most
common label.

    python benchmarks/bench_cold_start.py [--reviews 20 60] [--json]

Data: ../shared/data/logs/failure_modes_{train,dev}.csv (Apache-2.0), read in place.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "logs"
TAXONOMY = {  # ISO 14224 table B.15 one-liners, as a plant would write them
    "Minor in-service problems": "small faults found in service: loose, worn or damaged parts, housekeeping",
    "Breakdown": "serious damage, the equipment broke down or seized and stopped",
    "Structural deficiency": "material damage: cracks, wear, fracture, corrosion of the structure",
    "Electrical": "electrical fault: wiring, cable, power supply, sensor signal, short circuit",
    "Plugged / choked": "flow restriction: blocked, plugged or choked lines, filters, chutes",
}


def _rows(seed: int = 0) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(first 200 to classify and review, the others (156) to test on) of the logs with one of the five labels."""
    import pandas as pd

    df = pd.concat([pd.read_csv(DATA / "failure_modes_train.csv"), pd.read_csv(DATA / "failure_modes_dev.csv")])
    df = df[df["label"].isin(list(TAXONOMY))].drop_duplicates("text").sample(frac=1.0, random_state=seed)
    pairs = list(zip(df["text"].astype(str), df["label"].astype(str), strict=True))
    return pairs[:200], pairs[200:]


def run(n_reviews: int, seed: int = 0) -> dict:
    import pandas as pd
    import yaml

    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.policy import Role, User
    from shopfloor.workspace import Workspace

    first, test = _rows(seed)
    truth = dict(first)
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        ws = Workspace.open(Path(tmp) / "ws")
        ws.taxonomy_path.write_text(yaml.safe_dump({"failure_mode": TAXONOMY}, allow_unicode=True))
        a = Assistant(ws, use_llm=False, user=User("qe", Role.admin))
        src = Path(tmp) / "logs.csv"
        pd.DataFrame({"text": [t for t, _ in first]}).to_csv(src, index=False)
        a.texts.classify_file(src, "text", "failure_mode", output=Path(tmp) / "out.csv")
        items, waiting = a.reviews.page("failure_mode", limit=n_reviews)
        for it in items:
            a.reviews.correct("failure_mode", it.id, truth[it.subject])
        check = a.texts.cold_start_check("failure_mode")
        t0 = time.monotonic()
        steps: list[float] = []
        r = a.texts.retrain("failure_mode", progress=lambda stage, done, total: steps.append(done / total))
        seconds = time.monotonic() - t0
        preds = a.texts.classify([t for t, _ in test], "failure_mode")
    y = [lab for _, lab in test]
    right = [p.label == lab for p, lab in zip(preds, y, strict=True)]
    auto = [ok for p, ok in zip(preds, right, strict=True) if not p.needs_review]
    return {"reviews": len(items), "queued": waiting, "cold_start": check.model_dump() if check else None,
            "retrain": r.model_dump(),
            "retrain_seconds": round(seconds, 1), "progress_updates": len(steps),
            "test_rows": len(test), "accuracy": sum(right) / len(right),
            "majority_accuracy": Counter(y).most_common(1)[0][1] / len(y),
            "auto_accepted": len(auto) / len(preds), "auto_accepted_accuracy": (sum(auto) / len(auto)) if auto else None,
            "labels_predicted": sorted(set(p.label for p in preds))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reviews", type=int, nargs="+", default=[20, 60])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = [run(n) for n in args.reviews]
    if args.json:
        print(json.dumps(out, indent=1, default=str))
        return 0
    for o in out:
        r = o["retrain"]
        print(f"{o['reviews']} reviewed: retrain {o['retrain_seconds']} s ({o['progress_updates']} progress updates); "
              f"held-out {r.get('calib_accuracy')}; reviews still needed {r.get('reviews_needed')}; kept without "
              f"examples {r.get('labels_without_examples')}; test accuracy {o['accuracy']:.3f} vs majority "
              f"{o['majority_accuracy']:.3f}; auto-accepted {o['auto_accepted']:.0%}"
              + (f" at {o['auto_accepted_accuracy']:.3f}" if o["auto_accepted_accuracy"] is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
