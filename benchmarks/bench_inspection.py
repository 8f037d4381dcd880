"""Visual inspection on the shared images: which defect classifier ships (the anomaly model: bench_anomaly.py).

Data: ``../shared/data/images`` (NEU steel, 6 x 200; magnetic tile, 475 incl. 212 defect-free). The
evaluation images kept back by the project are not there: every figure is cross-validated on what is.

Classifiers (stratified 5-fold CV, seed 13; 95 % bootstrap CI over the pooled out-of-fold predictions):

- frozen EfficientNet-Lite0 features + logistic regression, 1 view per photo (the shipped default) or
  2 views (photo + one random flip/turn/crop/lighting change), a few C and class-weight settings;
- a small CNN trained from scratch (4 conv blocks, 128 px, augmentation), on fold 1 only (it is slow);
- the shipped ``DefectClassifier.train`` timed end to end on fold 1's training images, and its
  images/s on fold 1's test images.

The anomaly model has its own benchmark: ``benchmarks/bench_anomaly.py``.

    python benchmarks/bench_inspection.py [--quick] [--json] [--skip-cnn] [--data ../shared/data/images]

Measured: 8.6 min on 2 cores (docs/inspection.md has the tables).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

SEED = 13


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ci(values: np.ndarray, stat, n: int = 1000) -> list[float]:
    rng = np.random.default_rng(SEED)
    boots = [stat(rng.integers(0, len(values), len(values))) for _ in range(n)]
    return [round(float(np.percentile(boots, 2.5)), 4), round(float(np.percentile(boots, 97.5)), 4)]


def scores(true: np.ndarray, pred: np.ndarray, classes: list[str]) -> dict:
    from sklearn.metrics import f1_score

    def f1(idx):
        return f1_score(true[idx], pred[idx], average="macro")

    all_ = np.arange(len(true))
    ok = true == pred
    return {"accuracy": round(float(ok.mean()), 4), "accuracy_ci": ci(ok, lambda i: ok[i].mean()),
            "macro_f1": round(float(f1(all_)), 4), "macro_f1_ci": ci(true, f1, 300),
            "per_class_recall": {c: round(float((pred[true == k] == k).mean()), 3) for k, c in enumerate(classes)}}


def frozen_cv(data, backbone, folds: int) -> tuple[list[dict], dict]:
    from sklearn.model_selection import StratifiedKFold

    from shopfloor.vision.classifier import Head, embed_set

    t0 = time.perf_counter()
    x, owner, ok, _ = embed_set(data.paths, backbone, views=2, seed=SEED)
    embed_s = time.perf_counter() - t0
    labels = np.array([data.classes.index(lab) for lab in data.labels])
    first = np.r_[True, owner[1:] != owner[:-1]]
    read = np.asarray(ok)
    rows, splits = [], list(StratifiedKFold(folds, shuffle=True, random_state=SEED).split(read, labels[read]))
    for views in (1, 2):
        for c, balanced in ((0.5, True), (0.1, True), (2.0, True), (0.5, False)):
            if views == 2 and (c, balanced) not in ((0.5, True), (0.1, True)):
                continue
            pred = np.zeros(len(read), int)
            t1 = time.perf_counter()
            for tr, te in splits:
                rows_tr = np.isin(owner, read[tr]) & (first if views == 1 else True)
                head = Head.fit(x[rows_tr], labels[owner[rows_tr]], c, balanced, SEED)
                rows_te = np.isin(owner, read[te]) & first
                pred[np.searchsorted(read, owner[rows_te])] = head.logits(x[rows_te]).argmax(1)
            shipped = " (shipped)" if (views, c, balanced) == (1, 0.5, True) else ""
            rows.append({"method": f"frozen + LR, {views} view{'s' if views > 1 else ''}, C={c}"
                                   f"{', balanced' if balanced else ''}{shipped}",
                         **scores(labels[read], pred, data.classes),
                         "head_fit_s_per_fold": round((time.perf_counter() - t1) / folds, 2)})
            log(f"  {rows[-1]['method']}: accuracy {rows[-1]['accuracy']} macro-F1 {rows[-1]['macro_f1']}")
    return rows, {"embed_s_per_image_2_views": round(embed_s / len(read), 4), "splits": splits, "read": read}


def small_cnn(data, train_idx, test_idx, epochs: int) -> dict:
    """A 4-block CNN from scratch on 128 px grayscale, flips/turns/crops/lighting augmentation."""
    import torch
    from torch import nn

    from shopfloor.vision.augment import random_view
    from shopfloor.vision.images import load_image

    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    size = 128
    imgs = [load_image(p) for p in data.paths]
    labels = np.array([data.classes.index(lab) for lab in data.labels])

    def tensor(batch):
        from shopfloor.vision.backbone import to_tensor

        return to_tensor(batch, size)[:, :1]

    def block(i, o):
        return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2))

    net = nn.Sequential(block(1, 16), block(16, 32), block(32, 64), block(64, 128), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Dropout(0.3), nn.Linear(128, len(data.classes)))
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * ((len(train_idx) + 31) // 32))
    t0 = time.perf_counter()
    for ep in range(epochs):
        net.train()
        order = rng.permutation(train_idx)
        for s in range(0, len(order), 32):
            b = order[s:s + 32]
            x = tensor([random_view(imgs[i], rng) for i in b])
            loss = nn.functional.cross_entropy(net(x), torch.from_numpy(labels[b]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        log(f"  small CNN epoch {ep + 1}/{epochs}")
    train_s = time.perf_counter() - t0
    net.eval()
    t1 = time.perf_counter()
    with torch.inference_mode():
        pred = np.concatenate([net(tensor([imgs[i] for i in test_idx[s:s + 64]])).argmax(1).numpy()
                               for s in range(0, len(test_idx), 64)])
    per_s = len(test_idx) / (time.perf_counter() - t1)
    return {"method": f"small CNN from scratch, {epochs} epochs, 128 px (fold 1 only)",
            **scores(labels[test_idx], pred, data.classes), "train_s": round(train_s, 1),
            "images_per_s": round(per_s, 1)}


def shipped_timing(data, train_idx, test_idx, backbone) -> dict:
    from shopfloor.vision.classifier import DefectClassifier
    from shopfloor.vision.model import evaluate

    t0 = time.perf_counter()
    model = DefectClassifier.train(data.subset(train_idx), backbone=backbone)
    train_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    r = evaluate(model, data.subset(test_idx), backbone=backbone)
    return {"train_images": len(train_idx), "train_s": round(train_s, 1),
            "images_per_s": round(len(test_idx) / (time.perf_counter() - t1), 1),
            "fold1_accuracy": r["accuracy"], "fold1_review_rate": r["review_rate"],
            "fold1_accepted_accuracy": r["accepted_accuracy"], "cv_ece": model.meta["cv_ece"]}


def classifier_bench(root: Path, name: str, backbone, quick: bool, cnn: bool) -> dict:
    from shopfloor.vision.images import read_folder

    data = read_folder(root)
    if quick:
        rng = np.random.default_rng(SEED)
        keep = sorted(i for c in data.classes for i in rng.permutation(
            [j for j, lab in enumerate(data.labels) if lab == c])[:40])
        data = data.subset(keep)
    log(f"{name}: {len(data.paths)} images, {data.counts()}")
    rows, extra = frozen_cv(data, backbone, 5)
    tr, te = extra["splits"][0]
    read = extra["read"]
    if cnn:
        rows.append(small_cnn(data, read[tr], read[te], 5 if quick else 15))
    timing = shipped_timing(data, read[tr], read[te], backbone)
    return {"data": name, "images": len(data.paths), "classes": data.counts(), "rows": rows,
            "embed_s_per_image_2_views": extra["embed_s_per_image_2_views"], "shipped": timing}


def table(result: dict) -> str:
    lines = []
    for c in result["classifiers"]:
        lines += [f"\n{c['data']} ({c['images']} images), stratified 5-fold CV:\n",
                  "| method | accuracy [95 % CI] | macro-F1 [95 % CI] | lowest class recall |", "|---|---|---|---|"]
        for r in c["rows"]:
            worst = min(r["per_class_recall"].items(), key=lambda kv: kv[1])
            acc, lo, hi = r["accuracy"], *r["accuracy_ci"]
            lines.append(f"| {r['method']} | {acc:.3f} [{lo:.3f}, {hi:.3f}] | "
                         f"{r['macro_f1']:.3f} [{r['macro_f1_ci'][0]:.3f}, {r['macro_f1_ci'][1]:.3f}] | "
                         f"{worst[0]} {worst[1]:.2f} |")
        s = c["shipped"]
        lines.append(f"\nshipped train on {s['train_images']} images: {s['train_s']} s; inference {s['images_per_s']} "
                     f"images/s; fold 1 review rate {s['fold1_review_rate']}, accuracy of accepted "
                     f"{s['fold1_accepted_accuracy']}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "images")
    ap.add_argument("--data-dir", type=Path, help="The shared data root (run_all.py passes it); images/ under it.")
    ap.add_argument("--quick", action="store_true", help="40 images per class (a smoke run)")
    ap.add_argument("--skip-cnn", action="store_true")
    ap.add_argument("--only", choices=["neu", "magnetic_tile"], action="append")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.data_dir is not None:
        args.data = args.data_dir / "images"
    from shopfloor.vision.backbone import Backbone

    backbone = Backbone()
    only = set(args.only or ["neu", "magnetic_tile"])
    result = {"classifiers": []}
    t0 = time.perf_counter()
    if "neu" in only:
        result["classifiers"].append(classifier_bench(args.data / "neu", "neu", backbone, args.quick, not args.skip_cnn))
    if "magnetic_tile" in only:
        result["classifiers"].append(classifier_bench(args.data / "magnetic_tile" / "images", "magnetic_tile", backbone,
                                                      args.quick, False))
    result["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(result) if args.json else table(result))


if __name__ == "__main__":
    main()
