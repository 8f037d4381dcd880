"""Classifier benchmark on the real data: repeated stratified cross-validation of the shipped default against
simple baselines in the same folds, a simulated review session, and complaint training within the time budget.

Usage:
    python benchmarks/bench_classifier.py [--data-dir ../shared/data] [--repeats 3] [--folds 5]
                                          [--complaints] [--json]

Failure modes: all labelled rows we have (train + dev, 564 logs, 22 classes) in R x K stratified folds.
Every model sees the same folds. Rows (models):
  majority class; TF-IDF word+char + logistic regression (the baseline to beat); frozen MiniLM + LR;
  the shipped default (`shopfloor classify train` defaults: an ensemble of a LoRA-tuned MiniLM head,
  n-gram TF-IDF LR and frozen-sentence LR, calibrated) and each of its members alone, as trained inside it.
Accuracy and macro-F1 are computed on the pooled out-of-fold predictions of each repeat and averaged;
95 % CIs by bootstrap over rows (the same resampled rows for every repeat), and the paired difference
shipped minus TF-IDF with its CI.
Review simulation (one fold): 50 rows of the held-out fold are "reviewed" (their true labels recorded);
accuracy on the other held-out rows before, at once (review memory, no retraining) and after retraining.
Complaints (--complaints): one 80/20 split of the 2,596 complaints, shipped defaults, training time vs
the 10-minute budget, accuracy against TF-IDF + LR on the same split.
Inference (--inference-only): one model trained with the defaults on 80 % of the failure-mode logs; the
shipped path (int8 ONNX Runtime encoder) against torch fp32 on the same model in the same run: accuracy
on the other 20 %, label agreement and speed on 2,000 excavator work orders and 500 complaints.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tfidf_lr(train_texts, train_y, test_texts):
    """The classic baseline: word 1-2 + char_wb 2-5 TF-IDF, class-balanced logistic regression (C=10)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    model = make_pipeline(make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                                     TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
                          LogisticRegression(C=10, max_iter=3000, class_weight="balanced"))
    return list(model.fit(train_texts, train_y).predict(test_texts))


def frozen_lr(train_vecs, train_y, test_vecs):
    from sklearn.linear_model import LogisticRegression

    return list(LogisticRegression(C=10, max_iter=3000, class_weight="balanced").fit(train_vecs, train_y)
                .predict(test_vecs))


def train_default(texts, labels, out: Path, extra=None, **kw):
    """The shipped `classify train` defaults on (texts, labels); returns the loaded Classifier and seconds."""
    import pandas as pd

    from shopfloor.finetune import Classifier, TrainConfig, train

    out.mkdir(parents=True, exist_ok=True)
    f = out / "train.csv"
    pd.DataFrame({"text": texts, "label": labels}).to_csv(f, index=False)
    t0 = time.perf_counter()
    train(TrainConfig(out=out / "model", task="label", resume=False, extra_rows=extra or [], **kw), [f], progress=False)
    return Classifier.load(out / "model"), time.perf_counter() - t0


def metrics(y_true, y_pred) -> tuple[float, float]:
    """(accuracy, macro-F1 over the classes present in ``y_true``): sklearn's definitions, in numpy (the
    bootstrap calls this tens of thousands of times)."""
    import numpy as np

    t, p = np.asarray(y_true), np.asarray(y_pred)
    f1 = []
    for c in np.unique(t):
        tp = np.sum((p == c) & (t == c))
        denom = 2 * tp + np.sum((p == c) & (t != c)) + np.sum((p != c) & (t == c))
        f1.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(t == p)), float(np.mean(f1))


def bootstrap(y, preds_by_repeat: list[list[str]], base_by_repeat=None, n: int = 1000, seed: int = 0):
    """Mean (accuracy, macro-F1) over repeats and 95 % CIs; with ``base_by_repeat``: of the paired difference."""
    import numpy as np

    rng = np.random.default_rng(seed)
    y = np.array(y)
    preds = [np.array(p) for p in preds_by_repeat]
    bases = [np.array(p) for p in base_by_repeat] if base_by_repeat is not None else None

    def stat(idx):
        out = []
        for r, p in enumerate(preds):
            m = np.array(metrics(y[idx], p[idx]))
            if bases is not None:
                m = m - np.array(metrics(y[idx], bases[r][idx]))
            out.append(m)
        return np.mean(out, axis=0)

    point = stat(np.arange(len(y)))
    boots = np.array([stat(rng.integers(0, len(y), len(y))) for _ in range(n)])
    lo, hi = np.percentile(boots, [2.5, 97.5], axis=0)
    return {"accuracy": float(point[0]), "accuracy_ci": [float(lo[0]), float(hi[0])],
            "macro_f1": float(point[1]), "macro_f1_ci": [float(lo[1]), float(hi[1])]}


def failure_modes_cv(data: Path, repeats: int, folds: int, tmp: Path, log) -> dict:
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold

    from shopfloor.finetune.ensemble import sentence_vectors

    d = data / "logs"
    df = pd.concat([pd.read_csv(d / "failure_modes_train.csv"), pd.read_csv(d / "failure_modes_dev.csv")])
    texts, y = df["text"].astype(str).tolist(), df["label"].astype(str).tolist()
    vecs = sentence_vectors(texts)
    names = ["majority class", "TF-IDF word+char + LR (baseline)", "frozen MiniLM + LR",
             "shipped default (ensemble)", "  its LoRA encoder member alone", "  its keywords member alone",
             "  its sentence member alone"]
    preds = {n: [] for n in names}
    train_s, sim = [], None
    for rep in range(repeats):
        oof = {n: [None] * len(y) for n in names}
        skf = StratifiedKFold(folds, shuffle=True, random_state=rep)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # classes with fewer members than folds
            splits = list(skf.split(texts, y))
        for f, (tr, te) in enumerate(splits):
            tr_t, tr_y, te_t = [texts[i] for i in tr], [y[i] for i in tr], [texts[i] for i in te]
            put = _putter(oof, te)
            put("majority class", [max(set(tr_y), key=tr_y.count)] * len(te))
            put("TF-IDF word+char + LR (baseline)", tfidf_lr(tr_t, tr_y, te_t))
            put("frozen MiniLM + LR", frozen_lr(vecs[tr], tr_y, vecs[te]))
            clf, secs = train_default(tr_t, tr_y, tmp / f"r{rep}f{f}")
            train_s.append(secs)
            put("shipped default (ensemble)", [p.label for p in clf.predict(te_t)])
            parts, _ = clf._rt.member_probabilities(te_t, clf.task)
            for member, name in (("encoder", "  its LoRA encoder member alone"),
                                 ("keywords", "  its keywords member alone"),
                                 ("sentence", "  its sentence member alone")):
                put(name, [clf.labels[i] for i in parts[member].argmax(1)])
            if rep == 0 and f == 0:
                sim = review_simulation(clf, te_t, [y[i] for i in te], tr_t, tr_y, tmp / "sim")
            log(f"repeat {rep + 1}/{repeats} fold {f + 1}/{folds}: trained in {secs:.0f} s")
        for n in names:
            preds[n].append(oof[n])
    base = preds["TF-IDF word+char + LR (baseline)"]
    rows = {n: bootstrap(y, preds[n]) for n in names}
    diff = bootstrap(y, preds["shipped default (ensemble)"], base)
    return {"rows": len(y), "classes": len(set(y)), "repeats": repeats, "folds": folds, "models": rows,
            "shipped_minus_tfidf": diff, "train_s_mean": float(np.mean(train_s)), "review_simulation": sim}


def _putter(oof: dict, te):
    def put(name, labels):
        for i, lab in zip(te, labels, strict=True):
            oof[name][i] = lab
    return put


def review_simulation(clf, texts, y, tr_t, tr_y, tmp: Path, n_review: int = 50) -> dict:
    """Accuracy on held-out rows before / at once after 50 reviews (memory) / after retraining with them."""
    import random

    idx = list(range(len(texts)))
    random.Random(0).shuffle(idx)
    rev, rest = idx[:n_review], idx[n_review:]
    rest_t, rest_y = [texts[i] for i in rest], [y[i] for i in rest]

    def acc(c):
        return metrics(rest_y, [p.label for p in c.predict(rest_t)])[0]

    before = acc(clf)
    clf.remember([texts[i] for i in rev], [y[i] for i in rev])
    instant = acc(clf)
    retrained, _ = train_default(tr_t, tr_y, tmp, extra=[(texts[i], y[i]) for i in rev])
    return {"reviewed": n_review, "evaluated_on": len(rest), "before": before, "instant": instant,
            "after_retrain": acc(retrained)}


def complaints(data: Path, tmp: Path, log) -> dict:
    import pandas as pd
    from sklearn.model_selection import train_test_split

    df = pd.read_csv(data / "complaints" / "vehicle_complaints_train.csv")
    df = df[df["text"].fillna("").str.strip() != ""]
    counts = df["component"].value_counts()
    strat = df["component"].where(df["component"].map(counts) >= 2, "_rare")
    a, b = train_test_split(df, test_size=0.2, random_state=13, stratify=strat)
    log(f"complaints: training the default on {len(a)} rows")
    clf, secs = train_default(a["text"].tolist(), a["component"].tolist(), tmp / "complaints")
    meta = clf.meta
    preds = clf.predict(b["text"].tolist())
    acc, f1 = metrics(b["component"].tolist(), [p.label for p in preds])
    review = sum(p.needs_review for p in preds) / len(preds)
    accepted = [p.label == t for p, t in zip(preds, b["component"], strict=True) if not p.needs_review]
    base = metrics(b["component"].tolist(), tfidf_lr(a["text"].tolist(), a["component"].tolist(), b["text"].tolist()))
    return {"train_rows": len(a), "test_rows": len(b), "classes": int(df["component"].nunique()),
            "train_s": secs, "budget_s": meta["training"]["budget_s"], "plan": meta["training"],
            "accuracy": acc, "macro_f1": f1, "tfidf_accuracy": base[0], "tfidf_macro_f1": base[1],
            "needs_review_rate": review, "accepted_accuracy": sum(accepted) / max(len(accepted), 1)}


def inference(data: Path, tmp: Path, log) -> dict:
    """Shipped inference path vs torch fp32 on one model: speed, accuracy, agreement."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    from shopfloor.finetune import Classifier

    d = data / "logs"
    df = pd.concat([pd.read_csv(d / "failure_modes_train.csv"), pd.read_csv(d / "failure_modes_dev.csv")])
    counts = df["label"].value_counts()
    strat = df["label"].where(df["label"].map(counts) >= 2, "_rare")
    a, b = train_test_split(df, test_size=0.2, random_state=13, stratify=strat)
    log(f"inference: training the default on {len(a)} rows")
    shipped, _ = train_default(a["text"].astype(str).tolist(), a["label"].tolist(), tmp / "inf")
    torch_fp32 = Classifier.load(shipped.folder, runtime="torch")
    if not shipped._rt._ort:
        raise SystemExit("the shipped model has no int8 ONNX encoder (is onnxruntime installed?)")
    work = pd.read_csv(d / "excavator_work_orders.csv")["OriginalShorttext"].dropna().astype(str).head(2000).tolist()
    comp = pd.read_csv(data / "complaints" / "vehicle_complaints_train.csv")["text"].dropna().astype(str)
    comp = comp.head(500).tolist()
    out = {"test_rows": len(b)}
    for name, clf in (("shipped", shipped), ("torch_fp32", torch_fp32)):
        clf.predict(work[:64])  # warm-up
        t0 = time.perf_counter()
        labels = [p.label for p in clf.predict(work)] + [p.label for p in clf.predict(comp)]
        secs = time.perf_counter() - t0
        acc, f1 = metrics(b["label"].tolist(), [p.label for p in clf.predict(b["text"].astype(str).tolist())])
        t0 = time.perf_counter()
        clf._rt.member_probabilities(comp, clf.task)
        out[name] = {"texts_per_s": (len(work) + len(comp)) / secs, "accuracy": acc, "macro_f1": f1,
                     "labels": labels, "complaint_members_s": time.perf_counter() - t0}
    same = sum(x == y for x, y in zip(out["shipped"].pop("labels"), out["torch_fp32"].pop("labels"), strict=True))
    out["agreement"] = same / (len(work) + len(comp))
    out["batch_invariance"] = batch_invariance(shipped, comp)
    out["inference_speedup"] = out["shipped"]["texts_per_s"] / out["torch_fp32"]["texts_per_s"]
    out["accuracy_delta"] = out["shipped"]["accuracy"] - out["torch_fp32"]["accuracy"]
    return out


def batch_invariance(clf, texts: list[str]) -> dict:
    """The same texts labelled in file order and shuffled, and the first 20 each alone: a row's label and confidence
    must not depend on the rows it is batched with."""
    import random

    order = list(range(len(texts)))
    random.Random(7).shuffle(order)
    first = clf.predict(texts)
    shuffled = clf.predict([texts[i] for i in order])
    again = [None] * len(texts)
    for pos, i in enumerate(order):
        again[i] = shuffled[pos]
    alone = [clf.predict([t])[0] for t in texts[:20]]
    pairs = list(zip(first, again, strict=True)) + list(zip(first[:20], alone, strict=True))
    return {"rows": len(texts), "label_agreement": sum(a.label == b.label for a, b in pairs) / len(pairs),
            "max_confidence_diff": max(abs(a.confidence - b.confidence) for a, b in pairs)}


def table(cv: dict) -> str:
    lines = ["| model | accuracy [95 % CI] | macro-F1 [95 % CI] |", "|---|---|---|"]
    for name, m in cv["models"].items():
        lines.append(f"| {name} | {m['accuracy']:.3f} [{m['accuracy_ci'][0]:.3f}, {m['accuracy_ci'][1]:.3f}] | "
                     f"{m['macro_f1']:.3f} [{m['macro_f1_ci'][0]:.3f}, {m['macro_f1_ci'][1]:.3f}] |")
    d = cv["shipped_minus_tfidf"]
    lines.append(f"| shipped minus TF-IDF (paired) | {d['accuracy']:+.3f} [{d['accuracy_ci'][0]:+.3f}, "
                 f"{d['accuracy_ci'][1]:+.3f}] | {d['macro_f1']:+.3f} [{d['macro_f1_ci'][0]:+.3f}, "
                 f"{d['macro_f1_ci'][1]:+.3f}] |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--complaints", action=argparse.BooleanOptionalAction, default=False)
    ap.add_argument("--inference-only", action="store_true", help="only the inference comparison (~2 min)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    if args.inference_only:
        with tempfile.TemporaryDirectory() as tmp:
            r = inference(args.data_dir, Path(tmp), log)
        if args.json:
            print(json.dumps(r, indent=2))
        else:
            print(f"inference on one model ({r['test_rows']} test rows; 2,000 work orders + 500 complaints timed):")
            for k in ("shipped", "torch_fp32"):
                m = r[k]
                print(f"  {k}: {m['texts_per_s']:.0f} texts/s, accuracy {m['accuracy']:.3f}, macro-F1 "
                      f"{m['macro_f1']:.3f}")
            print(f"  speed-up {r['inference_speedup']:.2f}x, accuracy delta {r['accuracy_delta']:+.3f}, "
                  f"label agreement {r['agreement']:.3f}")
            b = r["batch_invariance"]
            print(f"  batch invariance ({b['rows']} complaints in file order vs shuffled, 20 alone): label agreement "
                  f"{b['label_agreement']:.4f}, largest confidence difference {b['max_confidence_diff']:.2e}")
        return
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        cv = failure_modes_cv(args.data_dir, args.repeats, args.folds, Path(tmp), log)
        out["failure_modes_cv"] = cv
        if args.complaints:
            out["complaints"] = complaints(args.data_dir, Path(tmp), log)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"## Failure modes: {cv['repeats']} x {cv['folds']}-fold CV over {cv['rows']} rows, {cv['classes']} classes\n")
    print(table(cv))
    print(f"\nshipped default: {cv['train_s_mean']:.0f} s to train per fold (2 cores here)")
    s = cv["review_simulation"]
    print(f"\nreview simulation ({s['reviewed']} reviewed, accuracy on the other {s['evaluated_on']} held-out rows): "
          f"before {s['before']:.3f}, at once {s['instant']:.3f}, after retraining {s['after_retrain']:.3f}")
    if "complaints" in out:
        c = out["complaints"]
        print(f"\n## Complaints -> component ({c['train_rows']} / {c['test_rows']}, {c['classes']} classes)\n")
        print(f"shipped default: accuracy {c['accuracy']:.3f}, macro-F1 {c['macro_f1']:.3f}, trained in "
              f"{c['train_s']:.0f} s (budget {c['budget_s']:.0f} s; plan {c['plan']}); TF-IDF + LR "
              f"{c['tfidf_accuracy']:.3f} / {c['tfidf_macro_f1']:.3f}; review rate {c['needs_review_rate']:.2f}, "
              f"accepted rows {c['accepted_accuracy']:.3f} correct")


if __name__ == "__main__":
    main()
