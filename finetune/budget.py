"""Training that fits the machine: token length from the data, length-bucketed batches, and a plan of
epochs/steps chosen from a measured step time so the run ends within the time budget.

The trainer times one forward + backward pass on a median-length batch (seconds per padded token),
multiplies by the padded tokens of an epoch, and runs as many whole epochs (up to the configured
number) as fit the budget; when not even one fits, as many steps as fit. The plan is shown before
the first step and saved in ``classifier.json`` (``training``) with the time the run really took.
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass

MIN_LENGTH, MAX_LENGTH = 16, 256
MIN_STEPS = 20  # fewer steps than this barely moves a LoRA adapter: train them even past the budget


@dataclass
class Plan:
    """What the trainer will do, decided before the first step."""

    epochs: int  # whole or partial epochs to run
    steps: int  # optimizer steps in all
    steps_per_epoch: int
    estimated_s: float  # of the fine-tuning loop
    budget_s: float  # the whole run's budget (TrainConfig.time_budget_s)
    max_length: int  # tokens per text
    rows: int  # training rows
    limited_by_budget: bool = False  # fewer epochs than configured because of the budget
    steps_done: int | None = None  # filled in after training

    def describe(self) -> str:
        epochs = (f"{self.epochs} epochs" if self.steps >= self.epochs * self.steps_per_epoch
                  else f"{self.steps} of {self.steps_per_epoch} steps of one epoch")
        note = " (cut to fit the budget)" if self.limited_by_budget else ""
        return (f"{self.rows} rows, {epochs}{note} = {self.steps} steps, max_length {self.max_length} tokens; "
                f"estimated {_minutes(self.estimated_s)}, budget {_minutes(self.budget_s)}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["estimated_s"] = round(self.estimated_s, 1)
        return d


def _minutes(s: float) -> str:
    return f"{s:.0f} s" if s < 90 else f"{s / 60:.1f} min"


def auto_max_length(tok, texts: list[str], percentile: float = 95.0) -> int:
    """Tokens covering ``percentile`` % of the texts, rounded up to a multiple of 8, within [16, 256]."""
    import numpy as np

    if not texts:
        return MIN_LENGTH
    sample = random.Random(0).sample(texts, min(len(texts), 2000))
    n = [len(tok(t, truncation=True, max_length=MAX_LENGTH)["input_ids"]) for t in sample]
    p = int(math.ceil(float(np.percentile(n, percentile)) / 8) * 8)
    return max(MIN_LENGTH, min(MAX_LENGTH, p))


def plan_steps(epoch_s: float, steps_per_epoch: int, max_epochs: int, budget_left_s: float, budget_s: float,
               max_length: int, rows: int) -> Plan:
    """Whole epochs that fit ``budget_left_s`` (at most ``max_epochs``), else the steps of one epoch that fit.

    Example:
        >>> plan_steps(60.0, 100, 12, 300.0, 600.0, 128, 1600).epochs
        5
    """
    step_s = epoch_s / max(steps_per_epoch, 1)
    fit = int(budget_left_s // epoch_s) if epoch_s > 0 else max_epochs
    if fit >= 1:
        epochs = min(max_epochs, fit)
        steps = epochs * steps_per_epoch
    else:
        epochs = 1
        steps = min(steps_per_epoch, max(MIN_STEPS, int(budget_left_s // step_s) if step_s > 0 else MIN_STEPS))
    return Plan(epochs=epochs, steps=steps, steps_per_epoch=steps_per_epoch, estimated_s=steps * step_s,
                budget_s=budget_s, max_length=max_length, rows=rows, limited_by_budget=epochs < max_epochs or
                steps < epochs * steps_per_epoch)


class BucketBatches:
    """Batches of texts of similar length (little padding), in a new random order every epoch.

    Rows are sorted by token length with a little noise, cut into batches, and the batches shuffled;
    iterate once per epoch (a torch ``batch_sampler``).
    """

    def __init__(self, lengths: list[int], batch_size: int, seed: int):
        self.lengths, self.batch_size, self.seed, self._epoch = lengths, batch_size, seed, 0

    def _batches(self, epoch: int) -> list[list[int]]:
        rng = random.Random(self.seed * 1000 + epoch)
        order = sorted(range(len(self.lengths)), key=lambda i: (self.lengths[i] + rng.random() * 2, i))
        batches = [order[s:s + self.batch_size] for s in range(0, len(order), self.batch_size)]
        rng.shuffle(batches)
        return batches

    def __iter__(self):
        batches = self._batches(self._epoch)
        self._epoch += 1
        return iter(batches)

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)

    def padded_tokens(self) -> int:
        """Tokens one epoch feeds the model, padding included."""
        return sum(len(b) * max(self.lengths[i] for i in b) for b in self._batches(0))

    def median_batch(self) -> list[int]:
        batches = sorted(self._batches(0), key=lambda b: max(self.lengths[i] for i in b))
        return batches[len(batches) // 2]
