"""Fine-tuning: LoRA adapter + head, class-weighted loss, epoch checkpoints (resumable), accelerate for multi-process.

Run on several processes (CPU with gloo, or GPUs) with:
    accelerate launch --cpu --num_processes 2 -m finetune.launch --data logs.csv --text-col text --label-col label --out DIR
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from shopfloor.finetune import artifacts
from shopfloor.finetune.config import TrainConfig
from shopfloor.finetune.data import class_weights, load_labelled, stratified_split
from shopfloor.finetune.modeling import forward_logits, load_base, load_tokenizer, lora_config, make_head, resolve_base

log = logging.getLogger(__name__)


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


def train(config: TrainConfig, data: list[str | Path] | str | Path, progress: bool = True) -> Path:
    """Train ``config.task`` on the labelled tables ``data``; returns the output folder.

    Example:
        >>> train(TrainConfig(text_col="text", label_col="failure_mode", out="m/fm"), ["logs.csv"])  # doctest: +SKIP
    """
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    cfg, out = config, Path(config.out)
    acc = Accelerator(cpu=not torch.cuda.is_available())
    set_seed(cfg.seed)
    files = [data] if isinstance(data, (str, Path)) else list(data)
    cfg.data = cfg.data or [str(Path(f).resolve()) for f in files]
    texts, labels = load_labelled(files, cfg.text_col, cfg.label_col)
    texts += [t for t, _ in cfg.extra_rows]
    labels += [y for _, y in cfg.extra_rows]
    if cfg.max_rows:
        texts, labels = _subsample(texts, labels, cfg.max_rows, cfg.seed)
    classes = sorted(set(labels))
    train_idx, calib_idx = stratified_split(labels, cfg.calib_fraction, cfg.seed)
    path = resolve_base(cfg.base)
    tok = load_tokenizer(path)
    base, decoder = load_base(path)
    pooling = cfg.pooling if cfg.pooling != "auto" else ("last" if decoder else "mean")
    from peft import get_peft_model

    model = get_peft_model(base, lora_config(cfg.lora_r, cfg.lora_alpha, cfg.lora_dropout, decoder))
    head = make_head(base.config.hidden_size, len(classes))
    model, head = _fit(acc, cfg, model, head, tok, [(texts[i], classes.index(labels[i])) for i in train_idx],
                       class_weights([labels[i] for i in train_idx], classes, cfg.class_weighting), pooling, progress)
    if acc.is_main_process:
        calib = [(texts[i], classes.index(labels[i])) for i in calib_idx]
        artifacts.save(out, cfg, model, head, tok, classes, pooling, calib, n_train=len(train_idx))
        from shopfloor.finetune.domain import fit_domain, save_domain

        save_domain(out, fit_domain([texts[i] for i in train_idx], seed=cfg.seed))  # what text it applies to
        shutil.rmtree(out / "checkpoints", ignore_errors=True)
    acc.wait_for_everyone()
    return out


def _fit(acc, cfg: TrainConfig, model, head, tok, rows, weights, pooling: str, progress: bool):
    import torch
    from torch.utils.data import DataLoader
    from tqdm.auto import tqdm
    from transformers import get_linear_schedule_with_warmup

    loader = DataLoader(rows, batch_size=cfg.batch_size, shuffle=True, collate_fn=collate(tok, cfg.max_length),
                        generator=torch.Generator().manual_seed(cfg.seed))
    params = [p for p in model.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
    total = cfg.epochs * len(loader)
    sched = get_linear_schedule_with_warmup(opt, int(0.06 * total), total)
    model, head, opt, loader, sched = acc.prepare(model, head, opt, loader, sched)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, device=acc.device))
    ckpt = Path(cfg.out) / "checkpoints"
    start = _resume(acc, ckpt) if cfg.resume else 0
    bar = tqdm(total=total, initial=start * len(loader), desc=f"train {cfg.task}", disable=not progress
               or not acc.is_main_process, unit="step")
    for epoch in range(start, cfg.epochs):
        model.train()
        head.train()
        for batch in loader:
            loss = loss_fn(forward_logits(model, head, batch, pooling), batch["labels"])
            acc.backward(loss)
            opt.step()
            sched.step()
            opt.zero_grad()
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
        _checkpoint(acc, ckpt, epoch + 1)
    bar.close()
    return acc.unwrap_model(model).eval(), acc.unwrap_model(head).eval()


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
