"""What a trained classifier folder holds, and how it is written.

    adapter/               peft LoRA adapter (adapter_config.json + weights)        } the encoder member
    head.safetensors       the task head (saved explicitly; see modeling.py)        }
    encoder.int8.onnx      the same adapter merged + head, int8 ONNX for fast inference (runtime.py)
    keywords.npz           n-gram TF-IDF + logistic regression (the keywords member; linear.py)
    sentence_lr.npz        logistic regression on frozen sentence embeddings (the sentence member)
    domain.npz             training-text embeddings: what text the classifier applies to (domain.py)
    classifier.json        task, base, pooling, labels, member weights, temperature, review threshold,
                           held-out metrics, the training plan and the time it took
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
from shopfloor.finetune.runtime import ENCODER_FILE, export_encoder

META = "classifier.json"
NO_AUTO_ACCEPT = 1.01  # a review threshold no confidence reaches: every prediction goes to review


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

    from shopfloor.finetune.data import MIN_CALIB

    if len(y) < MIN_CALIB:  # no held-out estimate supports any threshold: nothing is accepted without review
        return {"temperature": 1.0, "threshold": NO_AUTO_ACCEPT, "calibrated": False, "n_calib": len(y)}
    t = fit_temperature(logits, y)
    p = softmax(logits, t)
    conf, pred = p.max(axis=1), p.argmax(axis=1)
    correct = pred == y
    thr = threshold_for_precision(conf, correct, target_precision)
    accepted = conf >= thr
    return {"temperature": t, "threshold": thr, "calibrated": True, "n_calib": int(len(y)),
            "calib_accuracy": float(correct.mean()), "calib_majority_accuracy": float(np.bincount(y).max() / len(y)),
            "ece_before": expected_calibration_error(softmax(logits).max(1), correct),
            "ece_after": expected_calibration_error(conf, correct), "coverage_at_target": float(accepted.mean()),
            "precision_at_target": float(correct[accepted].mean()) if accepted.any() else None,
            "target_precision": target_precision, "uncalibrated_accuracy": float(np.mean(logits.argmax(1) == y))}


def save(out: Path, cfg: TrainConfig, model, head, tok, classes: list[str], pooling: str,
         calib: list[tuple[str, int]], n_train: int, linear: dict | None = None, calib_vectors=None,
         training: dict | None = None, sentence_engine: str = "torch", notes: dict | None = None) -> None:
    """Write every member, then calibrate their weighted mean on the held-out ``calib`` rows; ``notes`` (what
    the model card and a retrain report say: rows still needed for a held-out slice, labels kept from the taxonomy
    alone) go into classifier.json as they are."""
    import numpy as np

    from shopfloor.finetune.ensemble import as_logits, combine

    out.mkdir(parents=True, exist_ok=True)
    linear = linear or {}
    members = {m: 1.0 for m in cfg.members if m in linear or (m == "encoder" and model is not None)}
    texts = [t for t, _ in calib]
    parts = {}
    if model is not None:
        model.save_pretrained(str(out / "adapter"))
        save_head(head, out / "head.safetensors")
        (out / ENCODER_FILE).unlink(missing_ok=True)  # never keep an export of an older adapter
        if cfg.onnx:
            export_encoder(model, head, pooling, out)
        logits = predict_logits(model, head, tok, texts, pooling, cfg.max_length or 256) if calib else \
            np.zeros((0, len(classes)), "float32")
        parts["encoder"] = softmax(logits)
    for name, member in linear.items():
        member.save(out)
        parts[name] = member.probabilities(texts if name == "keywords" else calib_vectors) if calib else \
            np.zeros((0, len(classes)))
    w = {k: v / sum(members.values()) for k, v in members.items()}
    cal = calibration(as_logits(combine(parts, w)), np.array([y for _, y in calib], dtype=int), cfg.target_precision)
    meta = {"task": cfg.task, "base": cfg.base, "pooling": pooling, "max_length": cfg.max_length, "labels": classes,
            "hidden_size": int(head[-1].in_features) if head is not None else None, "n_train": n_train,
            "text_kind": cfg.text_kind, "members": w, "sentence_engine": sentence_engine, "training": training or {},
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), **cal, **(notes or {})}
    (out / META).write_text(json.dumps(meta, indent=2))
    (out / "train_config.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    (out / "README.md").write_text(model_card(meta))


def model_card(meta: dict) -> str:
    def fmt(v):
        return f"{v:.3f}" if isinstance(v, float) else str(v)

    rows = "\n".join(f"| {k} | {fmt(meta[k])} |" for k in ("n_train", "n_calib", "calib_accuracy", "temperature",
                                                               "ece_before", "ece_after", "threshold", "coverage_at_target",
                                                               "precision_at_target") if k in meta)
    members = ", ".join(f"{k} {v:.2f}" for k, v in meta.get("members", {"encoder": 1.0}).items())
    return (f"# shopfloor classifier: {meta['task']}\n\nEnsemble (weights: {members}) of a LoRA adapter + linear head on "
            f"`{meta['base']}` ({meta['pooling']} pooling), n-gram TF-IDF + logistic regression, and logistic "
            f"regression on frozen sentence embeddings; {len(meta['labels'])} labels, created {meta['created']}.\n\n"
            f"Figures on the held-out calibration slice (not a test set):\n\n| | |\n|---|---|\n{rows}\n\n"
            f"Predictions with calibrated confidence under the threshold are marked `needs_review`.\n\n"
            f"Labels: {', '.join(meta['labels'])}\n")
