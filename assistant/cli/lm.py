"""`shopfloor lm ...`: the language model that writes answers: a LoRA answerer tuned on the plant's documents."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, audit, emit, workspace

app = typer.Typer(no_args_is_help=True)


class Activate(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


@app.command("tune", help="Fine-tune a LoRA answerer on the workspace's documents; with --qa, measure it against "
                          "the model without it and use it only if it answers better.")
def tune(qa: Annotated[Path | None, typer.Option("--qa", help="JSON lines {\"question\", \"evidence\"} to measure on "
                                                 "(not used for training).")] = None,
         unanswerable: Annotated[Path | None, typer.Option("--unanswerable", help="JSON lines {\"question\"} the "
                                                           "documents cannot answer.")] = None,
         examples: Annotated[int, typer.Option("--examples", min=8, max=5000,
                                               help="Training examples built from the documents.")] = 240,
         budget_min: Annotated[float | None, typer.Option("--budget-min", min=0.5,
                                                          help="Stop training after this many minutes.")] = None,
         activate: Annotated[Activate, typer.Option(help="auto: use it only if it beats the model without it.")]
         = Activate.auto,
         seed: Annotated[int, typer.Option("--seed")] = 0, as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.pipeline.answer_eval import read_jsonl
    from shopfloor.assistant.pipeline.answer_tuning import KEYS, tune_answerer
    from shopfloor.assistant.policy import cli_user

    questions = read_jsonl(qa, ("question", "evidence")) if qa else []
    unans = read_jsonl(unanswerable, ("question",)) if unanswerable else []

    def progress(step: int, steps: int, loss: float, seconds: float) -> None:
        if not as_json and (step == 1 or step % 10 == 0 or step == steps):
            eta = seconds / step * (steps - step)
            sys.stderr.write(f"\rtraining {step}/{steps}  loss {loss:.3f}  {seconds:.0f} s, about {eta:.0f} s left ")
            sys.stderr.flush()

    report = tune_answerer(workspace(), questions, unans, examples=examples,
                           budget_s=budget_min * 60 if budget_min else None, activate=activate.value, seed=seed,
                           progress=progress, user=cli_user())
    if not as_json:
        sys.stderr.write("\n")
    audit("lm_tune", f"{report['adapter']} active={report['active']} ({report['reason']})")
    lines = [f"LoRA answerer: {report['adapter']} ({report['examples']} examples, {report['train_s']:.0f} s)"]
    for name in ("untuned", "tuned"):
        if name in report:
            lines.append(f"  {name:8s}" + ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}"
                                                   for k, v in report[name].items() if k in KEYS))
    lines.append(("in use" if report["active"] else "not in use") + f": {report['reason']}")
    emit(report, as_json, "\n".join(lines))
