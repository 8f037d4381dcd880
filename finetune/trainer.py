"""Fine-tuning: LoRA adapter + head, class-weighted loss, epoch checkpoints (resumable), accelerate for multi-process;
the linear ensemble members beside it; a time budget that chooses epochs/steps before training starts.

Run on several processes (CPU with gloo, or GPUs) with:
    accelerate launch --cpu --num_processes 2 -m finetune.launch --data logs.csv --text-col text --label-col label --out DIR
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from shopfloor.finetune import artifacts
from shopfloor.finetune.budget import BucketBatches, Plan, auto_max_length, plan_steps
from shopfloor.finetune.config import TrainConfig
from shopfloor.finetune.data import calibration_split, class_weights, load_labelled, stratified_split
from shopfloor.finetune.modeling import forward_logits, load_base, load_tokenizer, lora_config, make_head, resolve_base

log = logging.getLogger(__name__)
Notify = Callable[[Plan], None]
Step = Callable[[str, int, int], None]  # (stage, done, total): progress a person can watch
POST_SHARE = 0.05  # of the budget kept for calibration, saving and the domain after the last step


def collate(tok, max_length: int):
    import torch

    def fn(batch):
        enc = tok([t for t, _ in batch], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                "labels": torch.tensor([y for _, y in batch])}
    return fn


def _subsample(texts: list[str], labels: list[str], n: int, seed: int) -> tuple[list[str], list[str]]:
    if len(texts) <= n:
        return texts, labels
    keep, _ = stratified_split(labels, 1 - n / len(texts), seed)
    return [texts[i] for i in keep], [labels[i] for i in keep]


def train(config: TrainConfig, data: Sequence[str | Path] | str | Path, progress: bool = True,
          notify: Notify | None = None, on_step: Step | None = None) -> Path:
    """Train ``config.task`` on the labelled tables ``data``; returns the output folder.

    One training at a time per output folder: a second one (a retrain from the Admin tab while ``classify
    train`` writes the same folder) is refused with a clear message instead of mixing two models' files.
    """
    import contextlib
    import os

    from shopfloor.locks import store_lock

    # under `accelerate launch` every rank runs this: the main one holds the folder for all of them
    main_rank = os.environ.get("RANK", os.environ.get("LOCAL_RANK", "0")) == "0"
    with store_lock(Path(config.out), "training of this model") if main_rank else contextlib.nullcontext():
        return _train(config, data, progress, notify, on_step)


def _train(config: TrainConfig, data: Sequence[str | Path] | str | Path, progress: bool = True,
           notify: Notify | None = None, on_step: Step | None = None) -> Path:
    """The training itself (see :func:`train`).

    ``on_step`` is told the stage and the steps done of the total as training goes; ``notify`` receives the
    training :class:`Plan` (epochs, steps, estimated seconds, budget) before the first step, so a caller can show
    it; the plan and the time taken are saved in ``classifier.json``.

    Example:
        >>> train(TrainConfig(text_col="text", label_col="failure_mode", out="m/fm"), ["logs.csv"])  # doctest: +SKIP
    """
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    t0 = time.perf_counter()
    cfg, out = config, Path(config.out)
    acc = Accelerator(cpu=not torch.cuda.is_available())
    set_seed(cfg.seed)
    files = [data] if isinstance(data, (str, Path)) else list(data)
    cfg.data = cfg.data or [str(Path(f).resolve()) for f in files]
    # no files: a task trained from reviewed rows alone (a cold-start task after people labelled some rows)
    texts, labels = load_labelled(files, cfg.text_col, cfg.label_col) if files or not cfg.extra_rows else ([], [])
    texts += [t for t, _ in cfg.extra_rows]
    labels += [y for _, y in cfg.extra_rows]
    if cfg.max_rows:
        texts, labels = _subsample(texts, labels, cfg.max_rows, cfg.seed)
    classes = sorted(set(labels))
    y = [classes.index(v) for v in labels]
    train_idx, calib_idx, rows_needed = calibration_split(labels, cfg.calib_fraction, cfg.seed)
    step = on_step or (lambda stage, done, total: None)
    step("reading the texts", 0, 1)
    path = resolve_base(cfg.base)
    tok = load_tokenizer(path)
    cfg.max_length = cfg.max_length or auto_max_length(tok, [texts[i] for i in train_idx])
    from shopfloor.finetune.ensemble import sentence_engine, sentence_vectors

    engine = sentence_engine("auto" if cfg.onnx else "torch")
    vectors = sentence_vectors(texts, engine=engine)  # frozen: the sentence member, the domain guard, the review memory
    linear = _fit_linear(cfg, [texts[i] for i in train_idx], [y[i] for i in train_idx], len(classes), vectors[train_idx])
    model = head = None
    pooling = "mean"
    plan = Plan(epochs=0, steps=0, steps_per_epoch=0, estimated_s=0.0, budget_s=cfg.time_budget_s,
                max_length=cfg.max_length, rows=len(train_idx))
    if "encoder" in cfg.members:
        base, decoder = load_base(path)
        pooling = cfg.pooling if cfg.pooling != "auto" else ("last" if decoder else "mean")
        from peft import get_peft_model

        model = get_peft_model(base, lora_config(cfg.lora_r, cfg.lora_alpha, cfg.lora_dropout, decoder))
        head = make_head(base.config.hidden_size, len(classes))
        budget_left = cfg.time_budget_s * (1 - POST_SHARE) - (time.perf_counter() - t0)
        model, head, plan = _fit(acc, cfg, model, head, tok, [(texts[i], y[i]) for i in train_idx],
                                 class_weights([labels[i] for i in train_idx], classes, cfg.class_weighting), pooling,
                                 progress, budget_left, notify, step)
    elif notify:
        notify(plan)
    if acc.is_main_process:
        step("calibrating and saving", 1, 1)
        calib = [(texts[i], y[i]) for i in calib_idx]
        artifacts.save(out, cfg, model, head, tok, classes, pooling, calib, n_train=len(train_idx), linear=linear,
                       calib_vectors=vectors[calib_idx], sentence_engine=engine, training={**plan.to_dict(),
                                                                   "took_s": round(time.perf_counter() - t0, 1)},
                       notes={"rows_needed_for_calibration": rows_needed} if rows_needed else None)
        from shopfloor.finetune.domain import fit_domain_vectors, save_domain

        save_domain(out, fit_domain_vectors([texts[i] for i in train_idx], vectors[train_idx], seed=cfg.seed))
        shutil.rmtree(out / "checkpoints", ignore_errors=True)
    acc.wait_for_everyone()
    return out


def _fit_linear(cfg: TrainConfig, texts: list[str], y: list[int], n_classes: int, vectors) -> dict:
    from shopfloor.finetune.linear import KeywordModel, SentenceModel

    out: dict = {}
    if "keywords" in cfg.members:
        out["keywords"] = KeywordModel.fit(texts, y, n_classes, cfg.seed)
    if "sentence" in cfg.members:
        out["sentence"] = SentenceModel.fit(vectors, y, n_classes, cfg.seed)
    return out


def _fit(acc, cfg: TrainConfig, model, head, tok, rows, weights, pooling: str, progress: bool, budget_s: float,
         notify: Notify | None, step: Step):
    import torch
    from torch.utils.data import DataLoader
    from tqdm.auto import tqdm
    from transformers import get_linear_schedule_with_warmup

    max_length = cfg.max_length or 256  # set by _train before it fits (auto_max_length)
    lengths = [len(tok(t, truncation=True, max_length=max_length)["input_ids"]) for t, _ in rows]
    batches = BucketBatches(lengths, cfg.batch_size, cfg.seed)
    loader = DataLoader(rows, batch_sampler=batches, collate_fn=collate(tok, max_length))
    params = [p for p in model.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights))
    sec_per_token = _probe(model, head, loss_fn, tok, rows, batches, max_length, pooling)
    epoch_s = sec_per_token * batches.padded_tokens()
    plan = plan_steps(epoch_s, len(batches), cfg.epochs, budget_s, cfg.time_budget_s, max_length, len(rows))
    log.info("training plan: %s", plan.describe())
    if notify and acc.is_main_process:
        notify(plan)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * plan.steps), plan.steps)
    model, head, opt, loader, sched = acc.prepare(model, head, opt, loader, sched)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, device=acc.device))
    ckpt = Path(cfg.out) / "checkpoints"
    start = _resume(acc, ckpt) if cfg.resume else 0
    done = start * len(loader)
    deadline = time.perf_counter() + max(budget_s, 1.0) * 1.25  # the estimate was wrong by a lot: stop anyway
    bar = tqdm(total=plan.steps, initial=min(done, plan.steps), desc=f"train {cfg.task}", unit="step",
               disable=not progress or not acc.is_main_process)
    for epoch in range(start, plan.epochs):
        model.train()
        head.train()
        for batch in loader:
            if done >= plan.steps or time.perf_counter() > deadline:
                break
            loss = loss_fn(forward_logits(model, head, batch, pooling), batch["labels"])
            acc.backward(loss)
            opt.step()
            sched.step()
            opt.zero_grad()
            done += 1
            bar.update(1)
            step("training", min(done, plan.steps), plan.steps)
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
        _checkpoint(acc, ckpt, epoch + 1)
        if time.perf_counter() > deadline:
            log.warning("training stopped at the time limit after %d of %d steps", done, plan.steps)
            break
    bar.close()
    plan.steps_done = done
    return acc.unwrap_model(model).eval(), acc.unwrap_model(head).eval(), plan


def _probe(model, head, loss_fn, tok, rows, batches: BucketBatches, max_length: int, pooling: str) -> float:
    """Seconds per padded token of one training step (forward + backward), timed on a median-length batch.

    Gradients are cleared afterwards: the probe does not change the weights.
    """
    idx = batches.median_batch()
    batch = collate(tok, max_length)([rows[i] for i in idx])
    tokens = batch["input_ids"].numel()
    model.train()
    head.train()
    times = []
    for _ in range(2):  # the first pass pays for allocation and kernel selection
        t0 = time.perf_counter()
        loss_fn(forward_logits(model, head, batch, pooling), batch["labels"]).backward()
        times.append(time.perf_counter() - t0)
    model.zero_grad(set_to_none=True)
    head.zero_grad(set_to_none=True)
    return 1.15 * times[-1] / tokens  # the optimizer step adds ~10-15 % on CPU


def _checkpoint(acc, ckpt: Path, epochs_done: int) -> None:
    acc.save_state(str(ckpt / "state"))
    if acc.is_main_process:
        tmp = ckpt / "progress.json.tmp"
        tmp.write_text(json.dumps({"epochs_done": epochs_done}))
        tmp.replace(ckpt / "progress.json")
    acc.wait_for_everyone()


def _resume(acc, ckpt: Path) -> int:
    marker = ckpt / "progress.json"
    if not marker.exists():
        return 0
    done = json.loads(marker.read_text())["epochs_done"]
    acc.load_state(str(ckpt / "state"))
    log.info("resuming after epoch %d from %s", done, ckpt)
    return done
