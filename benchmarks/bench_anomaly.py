"""Anomaly detection on the magnetic tiles: baselines, the shipped model and its variants, from one run.

Data: ``../shared/data/images/magnetic_tile`` (212 defect-free tiles, 263 with defects and pixel masks;
the project's evaluation tiles are kept back). 3 folds over the defect-free tiles (seed 13): each method
fits on two thirds of them and scores the other third plus every defect tile. Reported per method, as
mean ± sd over the folds: image AUROC (defect vs free), pixel AUROC of the heatmap against the masks
(5 % of each tile's pixels, seeded; pooled over all tiles, and the mean over defect types of each type's
tiles with the free ones), false-alarm rate and defect recall at the method's own threshold
(the 95th percentile of leave-one-out scores on its training tiles), training seconds, coreset seconds
and milliseconds per photo (reading the file, features, search, heatmap; one photo at a time).

Methods:

- **nearest good tile**: pooled 1280-d EfficientNet-Lite0 features, distance to the nearest training tile
  (no heatmap);
- **PatchCore, previous default**: 224 px, blocks 4+7, memory bank of 10,000, raw maximum;
- variants of the shipped settings, one change at a time, and the shipped model.

    python benchmarks/bench_anomaly.py [--folds 3] [--json] [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

SEED = 13
FA = 0.05


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def variants() -> list[tuple[str, dict]]:
    from shopfloor.vision.anomaly import PatchSettings

    old = PatchSettings(224, (4, 7), 0, False)
    ship = PatchSettings()
    return [("PatchCore, previous default (224 px, blocks 4+7, raw maximum)",
             {"settings": old, "by_position": False, "bank_size": 10_000}),
            ("previous + lighting normalised + mirrored edges", {"settings": PatchSettings(224, (4, 7), 32, True),
                                                                 "by_position": False}),
            ("previous + lighting + edges + position standardised", {"settings": PatchSettings(224, (4, 7), 32, True)}),
            ("shipped without position standardisation", {"settings": ship, "by_position": False}),
            ("shipped without lighting normalisation", {"settings": PatchSettings(256, (7, 10), 32, False)}),
            ("shipped at 224 px", {"settings": PatchSettings(224, (7, 10), 32, True)}),
            ("shipped with blocks 4+7+10", {"settings": PatchSettings(256, (4, 7, 10), 32, True)}),
            ("shipped with a bank of 10,000", {"bank_size": 10_000}),
            ("**shipped** (256 px, blocks 7+10, lighting, edges, position; bank 5,000)", {})]


def global_baseline(paths: list[Path], train: list[int], test: list[int], backbone) -> dict:
    import torch

    from shopfloor.vision.images import load_image

    t0 = time.perf_counter()
    tr = torch.from_numpy(backbone.embed([load_image(paths[i]) for i in train]))
    d = torch.cdist(tr, tr)
    d.fill_diagonal_(float("inf"))
    threshold = float(np.quantile(d.min(1).values.numpy(), 1 - FA))
    train_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    s = np.array([float(torch.cdist(torch.from_numpy(backbone.embed([load_image(paths[i])])), tr).min())
                  for i in test]) / threshold
    return {"scores": s, "maps": None, "train_s": train_s, "coreset_s": 0.0,
            "ms_per_photo": (time.perf_counter() - t1) / len(test) * 1000}


def patch_method(paths: list[Path], train: list[int], test: list[int], backbone, kw: dict) -> dict:
    from shopfloor.vision.anomaly import AnomalyModel
    from shopfloor.vision.images import load_image

    t0 = time.perf_counter()
    model = AnomalyModel.train([paths[i] for i in train], normal_class="free", target_false_alarm=FA, seed=SEED,
                               backbone=backbone, **kw)
    train_s = time.perf_counter() - t0
    scores, maps = [], []
    t1 = time.perf_counter()
    for i in test:
        s, m = model.score_maps([load_image(paths[i])], backbone)
        scores.append(float(s[0]))
        maps.append(m[0])
    return {"scores": np.array(scores), "maps": maps, "model": model, "train_s": train_s,
            "coreset_s": model.meta["coreset_seconds"], "ms_per_photo": (time.perf_counter() - t1) / len(test) * 1000}


def measure(root: Path, folds: int, backbone) -> dict:
    from sklearn.metrics import roc_auc_score

    from shopfloor.vision.anomaly import pixel_auroc
    from shopfloor.vision.images import read_folder

    data = read_folder(root / "images")
    labels = np.array(data.labels)
    free = list(np.random.default_rng(SEED).permutation(np.flatnonzero(labels == "free")))
    defects = list(np.flatnonzero(labels != "free"))
    parts = [free[k::3] for k in range(3)]
    methods = [("nearest good tile (pooled features, no heatmap)", None), *variants()]
    rows = []
    for name, kw in methods:
        per = []
        for k in range(folds):
            train = [i for j, f in enumerate(parts) if j != k for i in f]
            test = parts[k] + defects
            r = (global_baseline(data.paths, train, test, backbone) if kw is None
                 else patch_method(data.paths, train, test, backbone, kw))
            y = labels[test] != "free"
            s = r["scores"]
            pix = (pixel_auroc(r["model"], [data.paths[i] for i in test], list(labels[test]), root / "masks",
                               maps=r["maps"], seed=SEED) or {}) if r["maps"] is not None else {}
            pix_by = pix.get("pixel_auroc_by_class")
            per.append({"image_auroc": roc_auc_score(y, s), "pixel_auroc": pix.get("pixel_auroc"),
                        "pixel_auroc_by_type_mean": float(np.mean(list(pix_by.values()))) if pix_by else None,
                        "pixel_auroc_by_type": pix_by,
                        "false_alarm_rate": float((s[~y] >= 1).mean()), "defect_recall": float((s[y] >= 1).mean()),
                        "train_s": r["train_s"], "coreset_s": r["coreset_s"], "ms_per_photo": r["ms_per_photo"],
                        "recall_by_class": {c: float((s[labels[test] == c] >= 1).mean())
                                            for c in sorted(set(labels[defects]))}})
        rows.append({"method": name, "folds": per, **summary(per)})
        log(f"{name}: {json.dumps({k: v for k, v in rows[-1].items() if k != 'folds'})}")
    return {"data": "magnetic_tile", "free": len(free), "defects": len(defects), "folds": folds, "rows": rows}


def unknown_bench(root: Path, backbone) -> dict:
    """Leave one defect class out of the classifier: how often are its photos an "unknown kind"?

    Fold 1's free split; the anomaly model (shipped settings) fits on its training tiles; for each defect class
    the classifier learns the free training tiles and half of every other class's photos (seeded), then
    inspects the held-out class, the other halves and the free test tiles with both models.
    """
    from shopfloor.vision.anomaly import AnomalyModel
    from shopfloor.vision.classifier import DefectClassifier
    from shopfloor.vision.images import ImageSet, read_folder
    from shopfloor.vision.model import run

    data = read_folder(root / "images")
    labels = np.array(data.labels)
    rng = np.random.default_rng(SEED)
    free = list(rng.permutation(np.flatnonzero(labels == "free")))
    parts = [free[k::3] for k in range(3)]
    an = AnomalyModel.train([data.paths[i] for i in parts[1] + parts[2]], normal_class="free", seed=SEED,
                            backbone=backbone)
    halves = {c: rng.permutation(np.flatnonzero(labels == c)) for c in sorted(set(labels) - {"free"})}
    rows = []
    for held in halves:
        train = parts[1] + parts[2] + [i for c, idx in halves.items() if c != held for i in idx[: len(idx) // 2]]
        known = [i for c, idx in halves.items() if c != held for i in idx[len(idx) // 2:]]
        sub = data.subset(sorted(train))
        clf = DefectClassifier.train(ImageSet(sub.paths, sub.labels, [c for c in data.classes if c != held]),
                                     seed=SEED, backbone=backbone)
        groups = {"held out": list(halves[held]), "known classes": known, "free": parts[0]}
        row: dict = {"held_out": held}
        for g, idx in groups.items():
            res = run([clf, an], [(str(data.paths[i]), data.paths[i]) for i in idx], heatmaps=False, backbone=backbone)
            row[g] = {"unknown": round(float(np.mean([r.unknown for r in res])), 3),
                      "needs_review": round(float(np.mean([r.needs_review for r in res])), 3), "photos": len(idx)}
        rows.append(row)
        log(f"unknown, {held} held out: {row}")
    return {"rows": rows}


def summary(per: list[dict]) -> dict:
    out = {}
    for key in ("image_auroc", "pixel_auroc", "pixel_auroc_by_type_mean", "false_alarm_rate", "defect_recall",
                "train_s", "coreset_s", "ms_per_photo"):
        v = [f[key] for f in per if f[key] is not None]
        out[key] = [round(float(np.mean(v)), 4), round(float(np.std(v)), 4)] if v else None
    out["recall_by_class"] = {c: round(float(np.mean([f["recall_by_class"][c] for f in per])), 3)
                              for c in per[0]["recall_by_class"]}
    if per[0]["pixel_auroc_by_type"]:
        out["pixel_auroc_by_type"] = {c: round(float(np.mean([f["pixel_auroc_by_type"][c] for f in per])), 3)
                                      for c in per[0]["pixel_auroc_by_type"]}
    return out


def table(result: dict) -> str:
    def ms(v, digits=3):
        return "–" if v is None else f"{v[0]:.{digits}f} ± {v[1]:.{digits}f}"

    if not result["rows"]:
        return table_unknown_only(result)
    lines = [f"magnetic tile, {result['folds']} fold(s) over {result['free']} defect-free tiles, "
             f"{result['defects']} defect tiles in every test fold; threshold for {FA:.0%} false alarms\n",
             "| method | image AUROC | pixel AUROC (pooled) | pixel AUROC (mean of types) | false alarms | "
             "defect recall | train s | coreset s | ms / photo |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['method']} | {ms(r['image_auroc'])} | {ms(r['pixel_auroc'])} | "
                     f"{ms(r['pixel_auroc_by_type_mean'])} | "
                     f"{r['false_alarm_rate'][0]:.3f} | {r['defect_recall'][0]:.3f} | {r['train_s'][0]:.1f} | "
                     f"{r['coreset_s'][0]:.1f} | {r['ms_per_photo'][0]:.0f} |")
    lines += shipped_lines(result["rows"][-1]) + unknown_lines(result)
    lines.append(f"\nrun time {result['seconds'] / 60:.1f} min")
    return "\n".join(lines)


def table_unknown_only(result: dict) -> str:
    return "\n".join([*unknown_lines(result), f"\nrun time {result['seconds'] / 60:.1f} min"])


def shipped_lines(last: dict) -> list[str]:
    lines: list[str] = []
    lines.append("\nshipped, defect recall by class at the threshold: "
                 + ", ".join(f"{c} {v:.2f}" for c, v in last["recall_by_class"].items())
                 + "; pixel AUROC by type: "
                 + ", ".join(f"{c} {v:.3f}" for c, v in last.get("pixel_auroc_by_type", {}).items()))
    return lines


def unknown_lines(result: dict) -> list[str]:
    if not result.get("unknown"):
        return []
    lines = ["\nnew kinds of defect (one class left out of the classifier; share of photos called an unknown kind /"
             " sent to review):\n", "| held out | its photos | other classes' photos | free tiles |", "|---|---|---|---|"]
    for u in result["unknown"]["rows"]:
        cells = [f"{u[g]['unknown']:.2f} / {u[g]['needs_review']:.2f} (n={u[g]['photos']})"
                 for g in ("held out", "known classes", "free")]
        lines.append(f"| {u['held_out']} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--folds", type=int, default=3, choices=[1, 2, 3])
    ap.add_argument("--skip-unknown", action="store_true", help="Leave out the new-kind-of-defect check.")
    ap.add_argument("--only-unknown", action="store_true", help="Only the new-kind-of-defect check.")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from shopfloor.vision.backbone import Backbone

    t0 = time.perf_counter()
    root, backbone = args.data_dir / "images" / "magnetic_tile", Backbone()
    result = {"rows": [], "folds": args.folds} if args.only_unknown else measure(root, args.folds, backbone)
    if not args.skip_unknown:
        result["unknown"] = unknown_bench(root, backbone)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(result) if args.json else table(result))


if __name__ == "__main__":
    main()
