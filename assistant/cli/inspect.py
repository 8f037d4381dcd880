"""`shopfloor inspect ...`: train, evaluate and run the image models (defect classes, anomalies)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from shopfloor.assistant.cli._common import JsonOpt, audit, emit

app = typer.Typer(no_args_is_help=True)


def _progress(quiet: bool = False):
    """A progress callback printing 'stage done/total, ~ETA' to stderr (at most twice a second)."""
    state: dict[str, Any] = {"stage": None, "t0": 0.0, "last": 0.0}

    def report(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if stage != state["stage"]:
            state.update(stage=stage, t0=now, last=0.0)
        if quiet or (now - state["last"] < 0.5 and done < total):
            return
        state["last"] = now
        eta = (now - state["t0"]) / done * (total - done) if done else 0
        sys.stderr.write(f"\r{stage}: {done}/{total}" + (f", ~{eta:.0f} s left" if done < total else "") + " " * 8)
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return report


@app.command("train", help="Train a defect classifier on DIR/<class>/*.jpg|png, or an anomaly model on good parts.")
def train(data: Annotated[Path, typer.Option("--data", help="Folder of class folders: DIR/<class>/*.jpg|png.")],
          out: Annotated[Path | None, typer.Option("--out", help="Model folder (default: the workspace's "
                                                   "models/vision/classifier or models/vision/anomaly).")] = None,
          anomaly: Annotated[bool, typer.Option("--anomaly", help="Fit an anomaly model on the normal class only.")]
          = False,
          normal_class: Annotated[str, typer.Option("--normal-class", help="Folder of good parts (with --anomaly).")]
          = "good",
          views: Annotated[int, typer.Option("--views", min=1, max=8, help="Views per photo: 1 = no augmentation "
                                             "(the measured default); 2+ adds random flips, turns, crops, lighting.")]
          = 1,
          target_precision: Annotated[float, typer.Option("--target-precision", min=0.5, max=1.0,
                                                          help="Results below the confidence that reached this "
                                                          "precision in cross-validation need review.")] = 0.95,
          false_alarm: Annotated[float, typer.Option("--false-alarm", min=0.001, max=0.49,
                                                     help="Anomaly threshold: share of good parts flagged.")] = 0.05,
          seed: Annotated[int, typer.Option("--seed")] = 13, as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.vision.images import read_folder

    out = out or workspace().vision_dir("anomaly" if anomaly else "classifier")
    model: Any
    if anomaly:
        from shopfloor.vision.anomaly import AnomalyModel

        good = read_folder(data, only=[normal_class])
        model = AnomalyModel.train(good.paths, normal_class=normal_class, target_false_alarm=false_alarm, seed=seed,
                                   progress=_progress(as_json))
        human = (f"saved anomaly model to {out}: {model.meta['images']} good photos, memory of "
                 f"{model.meta['bank_size']} patches, threshold for {false_alarm:.0%} false alarms")
    else:
        from shopfloor.vision.classifier import DefectClassifier

        model = DefectClassifier.train(read_folder(data), augment_views=views, target_precision=target_precision,
                                       seed=seed, source=str(data.resolve()), progress=_progress(as_json))
        m = model.meta
        human = (f"saved classifier to {out}: {len(model.classes)} classes, cross-validated accuracy "
                 f"{m['cv_accuracy']:.3f}, macro-F1 {m['cv_macro_f1']:.3f}, {m['cv_review_rate']:.0%} would need review")
    model.save(out)
    audit("inspect_train", f"{model.kind} -> {out}")
    emit({"out": str(out), **model.meta}, as_json, human + "".join(f"\n  skipped: {s}" for s in model.meta["skipped"]))


@app.command("eval", help="Accuracy and macro-F1 (classifier) or AUROC (anomaly model) on labelled class folders.")
def evaluate(model: Annotated[Path, typer.Option("--model", help="Model folder.")],
             data: Annotated[Path, typer.Option("--data", help="Folder of class folders.")],
             masks: Annotated[Path | None, typer.Option("--masks", help="Anomaly model: defect masks as "
                                                        "MASKS/<class>/<photo name>.png (white = defect) for the "
                                                        "pixel AUROC; default: a masks/ folder beside DATA.")] = None,
             as_json: JsonOpt = False) -> None:
    from shopfloor.errors import InputError
    from shopfloor.vision.images import read_folder
    from shopfloor.vision.model import evaluate as run_eval
    from shopfloor.vision.model import load_model

    if masks is not None and not masks.is_dir():
        raise InputError(f"--masks {masks}: no such folder")
    m = load_model(model)
    folder = read_folder(data)
    r = run_eval(m, folder, progress=_progress(as_json))
    masks = masks or (data.resolve().parent / "masks")
    if m.kind == "anomaly" and masks.is_dir():
        from shopfloor.vision.anomaly import pixel_auroc

        _progress(as_json)("scoring pixels against the masks", 0, 1)
        r |= pixel_auroc(m, folder.paths, folder.labels, masks) or {}
    emit(r, as_json, "\n".join(f"{k}: {v}" for k, v in r.items()))


@app.command("run", help="Inspect one photo, a folder or a zip; results as a table (and heatmap PNGs).")
def run(model: Annotated[list[Path], typer.Option("--model", help="Model folder; repeat to combine a classifier "
                                                  "and an anomaly model.")],
        input: Annotated[Path, typer.Option("--input", help="Image file, folder or .zip.")],
        output: Annotated[Path | None, typer.Option("--output", help="CSV to write (one row per image).")] = None,
        heatmaps: Annotated[Path | None, typer.Option("--heatmaps", help="Folder for heatmap overlay PNGs.")] = None,
        as_json: JsonOpt = False) -> None:
    import tempfile

    from shopfloor.errors import InputError
    from shopfloor.vision.images import collect_inputs
    from shopfloor.vision.model import load_model
    from shopfloor.vision.model import run as run_models

    models = [load_model(m) for m in model]
    if output is not None and output.suffix.lower() != ".csv":
        raise InputError(f"--output must be a .csv file, not {output.name}")
    for target in [p for p in (output.parent if output else None, heatmaps) if p is not None]:
        target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shopfloor-inspect-") as tmp:
        files = collect_inputs(input, Path(tmp))
        root = input if input.is_dir() else files[0].parent
        names = [str(f.relative_to(root)) if f.is_relative_to(root) else f.name for f in files]
        t0 = time.perf_counter()
        results = run_models(models, list(zip(names, files, strict=True)), heatmaps=heatmaps is not None,
                             progress=_progress(as_json))
        seconds = time.perf_counter() - t0
        if heatmaps is not None:
            _write_heatmaps(results, files, heatmaps)
    rows = [r.to_dict() for r in results]
    if output is not None:
        _write_csv(rows, output)
    summary = {"images": len(rows), "errors": sum(1 for r in rows if r["error"]),
               "needs_review": sum(1 for r in rows if r["needs_review"]),
               "anomalous": sum(1 for r in rows if r["anomalous"]), "images_per_s": round(len(rows) / seconds, 2),
               "output": str(output) if output else None, "heatmaps": str(heatmaps) if heatmaps else None,
               "results": rows}
    lines = [f"{r['image']}: " + (f"ERROR {r['error']}" if r["error"] else ", ".join(
        x for x in [f"{r['label']} ({r['confidence']:.0%})" if r["label"] else "",
                    "needs review" if r["needs_review"] else "",
                    f"anomaly score {r['anomaly_score']:.2f}" + (" ANOMALOUS" if r["anomalous"] else "")
                    if r["anomaly_score"] is not None else ""] if x)) for r in rows[:50]]
    if len(rows) > 50:
        lines.append(f"... {len(rows) - 50} more" + (f" in {output}" if output else " (use --output to keep all)"))
    emit(summary, as_json, "\n".join(lines))


def _write_csv(rows: list[dict], path: Path) -> None:
    import csv

    from shopfloor.tables import safe_row

    cols = ["image", "label", "confidence", "needs_review", "review_reason", "alternatives", "anomaly_score", "anomalous",
            "error"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow(safe_row({**{c: r[c] for c in cols}, "alternatives": "; ".join(
                f"{a['label']} {a['confidence']:.2f}" for a in r["alternatives"])}))


def _write_heatmaps(results, files, folder: Path) -> None:
    from PIL import Image

    from shopfloor.vision.images import load_image
    from shopfloor.vision.results import overlay

    for i, (r, f) in enumerate(zip(results, files, strict=True)):
        if r.heatmap is not None:
            Image.fromarray(overlay(load_image(f), r.heatmap)).save(folder / f"{i:05d}_{Path(r.image).stem}.png")
