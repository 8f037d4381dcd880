"""What a trained classifier folder holds, and how it is written.

    adapter/               peft LoRA adapter (adapter_config.json + weights)
    head.safetensors       the task head (saved explicitly; see modeling.py)
    classifier.json        task, base, pooling, labels, temperature, review threshold, held-out metrics
    train_config.json      the TrainConfig that produced it
    README.md              a model card with the numbers
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from shopfloor.calibration import expected_calibration_error, fit_temperature, softmax, threshold_for_precision
from shopfloor.finetune.config import TrainConfig
from shopfloor.finetune.modeling import save_head

META = "classifier.json"


def predict_logits(model, head, tok, texts: list[str], pooling: str, max_length: int, batch_size: int = 64):
    """(n, n_labels) logits, batches sorted by length so padding stays small."""
    import numpy as np
    import torch

    from shopfloor.finetune.modeling import forward_logits

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), head[-1].out_features), dtype="float32")
    with torch.inference_mode():
        for s in range(0, len(order), batch_size):
            idx = order[s:s + batch_size]
            enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            dev = next(head.parameters()).device
            batch = {k: v.to(dev) for k, v in enc.items() if k in ("input_ids", "attention_mask")}
            out[idx] = forward_logits(model, head, batch, pooling).float().cpu().numpy()
    return out


def calibration(logits, y, target_precision: float) -> dict:
    """Temperature, review threshold and held-out figures from a calibration slice."""
    import numpy as np

    if len(y) < 10:
        return {"temperature": 1.0, "threshold": 0.5, "calibrated": False, "n_calib": len(y)}
    t = fit_temperature(logits, y)
    p = softmax(logits, t)
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    correct = pred == y
    thr = threshold_for_precision(conf, correct, target_precision)
    accepted = conf >= thr
    return {"temperature": t, "threshold": thr, "calibrated": True, "n_calib": int(len(y)),
            "calib_accuracy": float(correct.mean()),
            "ece_before": expected_calibration_error(softmax(logits).max(1), correct),
            "ece_after": expected_calibration_error(conf, correct), "coverage_at_target": float(accepted.mean()),
            "precision_at_target": float(correct[accepted].mean()) if accepted.any() else None,
            "target_precision": target_precision, "uncalibrated_accuracy": float(np.mean(logits.argmax(1) == y))}


def save(out: Path, cfg: TrainConfig, model, head, tok, classes: list[str], pooling: str,
         calib: list[tuple[str, int]], n_train: int) -> None:
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out / "adapter"))
    save_head(head, out / "head.safetensors")
    logits = predict_logits(model, head, tok, [t for t, _ in calib], pooling, cfg.max_length) if calib else \
        np.zeros((0, len(classes)), "float32")
    cal = calibration(logits, np.array([y for _, y in calib], dtype=int), cfg.target_precision)
    meta = {"task": cfg.task, "base": cfg.base, "pooling": pooling, "max_length": cfg.max_length, "labels": classes,
            "hidden_size": int(head[-1].in_features), "n_train": n_train, "text_kind": cfg.text_kind,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), **cal}
    (out / META).write_text(json.dumps(meta, indent=2))
    (out / "train_config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    (out / "README.md").write_text(model_card(meta))


def model_card(meta: dict) -> str:
    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    rows = "\n".join(f"| {k} | {fmt(meta[k])} |" for k in ("n_train", "n_calib", "calib_accuracy", "temperature",
                                                               "ece_before", "ece_after", "threshold", "coverage_at_target",
                                                               "precision_at_target") if k in meta)
    return (f"# shopfloor classifier: {meta['task']}\n\nLoRA adapter + linear head on `{meta['base']}` "
            f"({meta['pooling']} pooling), {len(meta['labels'])} labels, created {meta['created']}.\n\n"
            f"Figures on the held-out calibration slice (not a test set):\n\n| | |\n|---|---|\n{rows}\n\n"
            f"Predictions with calibrated confidence under the threshold are marked `needs_review`.\n\n"
            f"Labels: {', '.join(meta['labels'])}\n")
