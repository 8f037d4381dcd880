"""Entry point for multi-process training with accelerate:

    accelerate launch --cpu --num_processes 2 -m finetune.launch --data logs.csv --text-col text \
        --label-col failure_mode --out models/failure_mode

Each process trains on its shard of every batch (gloo on CPU, NCCL on GPUs); rank 0 saves.
"""

from __future__ import annotations

import argparse

from shopfloor.finetune.config import TrainConfig
from shopfloor.finetune.trainer import train
from shopfloor.models import EMBEDDER


def main() -> None:
    ap = argparse.ArgumentParser(description="Train a shopfloor classifier (one process of a launch).")
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--text-col", required=True)
    ap.add_argument("--label-col", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--task")
    ap.add_argument("--base", default=EMBEDDER)
    ap.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    ap.add_argument("--max-rows", type=int)
    ap.add_argument("--seed", type=int, default=13)
    a = ap.parse_args()
    train(TrainConfig(text_col=a.text_col, label_col=a.label_col, out=a.out, task=a.task or a.label_col, base=a.base,
                      epochs=a.epochs, max_rows=a.max_rows, seed=a.seed), a.data, progress=False)


if __name__ == "__main__":
    main()
