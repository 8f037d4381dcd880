"""`shopfloor classify ...`: train, evaluate and run the text classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopfloor.assistant.cli._common import Engine, JsonOpt, audit, emit

app = typer.Typer(no_args_is_help=True)
TextCol = Annotated[str, typer.Option("--text-col", help="Column with the free text.")]


@app.command("train", help="Fine-tune a LoRA classifier on labelled CSV/XLSX files.")
def train(data: Annotated[list[Path], typer.Option("--data", help="Labelled table; repeatable.")],
          text_col: TextCol, label_col: Annotated[str, typer.Option("--label-col", help="Column with the label.")],
          out: Annotated[Path, typer.Option("--out", help="Output folder for the adapter and its files.")],
          base: Annotated[str, typer.Option("--base", help="all-MiniLM-L6-v2 (default), smollm2-135m-instruct, "
                                            "or a local HF folder.")] = "all-MiniLM-L6-v2",
          task: Annotated[str | None, typer.Option("--task", help="Task name (default: the label column).")] = None,
          seed: Annotated[int, typer.Option("--seed")] = 13,
          epochs: Annotated[int | None, typer.Option("--epochs", help="At most this many epochs (default 12; fewer "
                                                     "when the time budget says so).")] = None,
          time_budget: Annotated[float, typer.Option("--time-budget", min=0.1, help="Minutes the whole training may "
                                                     "take; epochs/steps are chosen to fit.")] = 10.0,
          with_reviews: Annotated[bool, typer.Option("--with-reviews", help="Add reviewed corrections of this task "
                                                     "from the workspace.")] = False,
          text_kind: Annotated[str, typer.Option("--text-kind", help="What the texts are: 'maintenance log' tasks "
                                                 "label diagnosed logs; any other kind (e.g. 'complaint') is only "
                                                 "used for batch files.")] = "maintenance log",
          as_json: JsonOpt = False) -> None:
    import json

    from shopfloor.finetune import TrainConfig, reviewed_rows
    from shopfloor.finetune import train as run_train

    task = task or label_col
    extra = []
    if with_reviews:
        from shopfloor.assistant.cli._common import workspace

        with workspace().connect() as conn:
            extra = reviewed_rows(conn, task)
    kw: dict = {"epochs": epochs} if epochs else {}
    cfg = TrainConfig(text_col=text_col, label_col=label_col, out=out, base=base, task=task, seed=seed,
                      extra_rows=extra, text_kind=text_kind.strip().lower() or "maintenance log",
                      time_budget_s=time_budget * 60, **kw)

    def show_plan(plan) -> None:  # on stderr: with --json, stdout carries exactly one JSON object
        typer.echo(f"training plan: {plan.describe()}", err=True)
    folder = run_train(cfg, data, progress=not as_json, notify=show_plan)
    meta = json.loads((folder / "classifier.json").read_text())
    audit("classify_train", f"{task} -> {folder} ({meta.get('n_train')} rows, {len(extra)} reviewed)")
    meta["reviewed_rows_added"] = len(extra)
    took = meta.get("training", {}).get("took_s")
    emit(meta, as_json, f"saved {task} classifier to {folder} ({len(meta['labels'])} labels, "
                        f"held-out accuracy {meta.get('calib_accuracy', float('nan')):.3f}"
                        + (f", trained in {took / 60:.1f} min" if took else "") + ")")


@app.command("eval", help="Accuracy, macro/weighted F1, speed and review rate on a labelled table, against "
                         "always guessing the most common label.")
def evaluate(data: Annotated[Path, typer.Option("--data", help="Labelled table.")], text_col: TextCol,
             label_col: Annotated[str, typer.Option("--label-col")],
             model: Annotated[Path | None, typer.Option("--model", help="Classifier folder.")] = None,
             taxonomy: Annotated[Path | None, typer.Option("--taxonomy", help="Cold start: score the taxonomy-only "
                                                           "classifier instead of a trained model.")] = None,
             task: Annotated[str, typer.Option("--task", help="Task in the taxonomy (cold start).")] = "failure_mode",
             as_json: JsonOpt = False) -> None:
    from shopfloor.errors import InputError
    from shopfloor.finetune import Classifier, ColdStartClassifier
    from shopfloor.finetune import evaluate as run_eval

    if (model is None) == (taxonomy is None):
        raise InputError("give either --model DIR or --taxonomy FILE")
    clf = Classifier.load(model) if model else ColdStartClassifier.from_yaml(taxonomy or "", task)
    m = run_eval(clf, data, text_col, label_col)
    if "warning" in m and as_json:
        typer.echo(f"warning: {m['warning']}", err=True)
    emit(m, as_json, "\n".join(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}" for k, v in m.items()))


@app.command("run", help="Label every row of a CSV/XLSX file into a new file (input never overwritten). With "
             "--model or --taxonomy: that bare model folder or taxonomy, nothing stored. With neither: the workspace's "
             "task (--task, default the workspace's default task), its unsure rows queued for review and the run "
             "audited, as in the Batch tab.")
def run(input: Annotated[Path, typer.Option("--input", help="CSV or XLSX to classify.")], text_col: TextCol,
        model: Annotated[Path | None, typer.Option("--model", help="Classifier folder.")] = None,
        taxonomy: Annotated[Path | None, typer.Option("--taxonomy", help="Cold start: taxonomy YAML instead of a "
                                                      "trained model (every row flagged for review).")] = None,
        task: Annotated[str | None, typer.Option("--task", help="Task in the taxonomy (cold start; default "
                                                 "failure_mode), or of the workspace (default its default task).")]
        = None,
        output: Annotated[Path | None, typer.Option("--output", help="Output file (default: <input>.classified.*).")]
        = None,
        engine: Annotated[Engine, typer.Option("--engine", help="Run locally or on a Ray cluster.")] = Engine.local,
        sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet to read (default: the first).")] = None,
        date_col: Annotated[str | None, typer.Option("--date-col", help="Workspace runs: the column with each row's "
                                                     "date, so `shopfloor trends --by TASK` counts rows by when they "
                                                     "happened (default: when classified).")] = None,
        as_json: JsonOpt = False) -> None:
    from shopfloor.errors import InputError
    from shopfloor.finetune import Classifier, ColdStartClassifier, classify_file

    if model is not None and taxonomy is not None:
        raise InputError("give --model DIR or --taxonomy FILE, not both (or neither: the workspace's task)")
    if date_col and (model is not None or taxonomy is not None):
        raise InputError("--date-col dates the rows the workspace keeps: it goes with a workspace run (no --model "
                         "or --taxonomy)")
    if model is None and taxonomy is None:
        if engine is Engine.ray:
            raise InputError("--engine ray needs a trained --model folder")
        from shopfloor.assistant.cli._common import cli_assistant

        run = cli_assistant(use_llm=False).texts.classify_file(input, text_col, task, output, sheet=sheet,
                                                               date_col=date_col)
        emit(run, as_json, "".join(f"note: {n}\n" for n in run.notes) + f"{run.rows} rows -> {run.output} "
             f"({run.needs_review} need review, {run.queued} newly queued for review; task {run.task})")
        return
    clf = Classifier.load(model) if model else ColdStartClassifier.from_yaml(taxonomy or "", task or "failure_mode")
    if engine is Engine.ray and clf.folder is None:
        raise InputError("--engine ray needs a trained --model")
    s = classify_file(clf, input, text_col, output, engine=engine.value, progress=not as_json, sheet=sheet)
    emit(s, as_json, "".join(f"note: {n}\n" for n in s["notes"]) +
         f"{s['rows']} rows -> {s['output']} ({s['needs_review']} need review, {s['rows_per_s']} rows/s)")


review_app = typer.Typer(no_args_is_help=True, help="The review queues (a text task's rows, `--queue inspection` "
                         "for photos, `--queue alarms` for open alarms): list what waits for a person, save the right "
                         "label (an alarm's is `acknowledged`).")
app.add_typer(review_app, name="review")


@review_app.command("list", help="Rows waiting for review (least confident first, one per distinct text).")
def review_list(task: Annotated[str | None, typer.Option("--task", "--queue", help="Only this task, "
                                                        "`inspection` for photos or `alarms`.")] = None,
                limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 20,
                offset: Annotated[int, typer.Option("--offset", min=0)] = 0, as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    a = cli_assistant(use_llm=False)
    found, total = a.reviews.page(task, limit, offset)
    items = [{"id": r.id, "task": r.queue, "text": r.subject, "label": r.label, "confidence": r.confidence,
              "source": r.source, "created_at": r.created_at} for r in found]  # the keys this command always had
    cold = a.texts.cold_start_check(task) if task else None
    human = "\n".join([f"{total} waiting" + (f" (showing {offset + 1}-{offset + len(items)})" if items else "")] +
                      [f"{r['id']:>7}  {r['task']:<20} {r['label'] or '-':<24} "
                       f"{'-' if r['confidence'] is None else format(r['confidence'], '.2f'):>4}  {r['text'][:70]}"
                       for r in items] + ([f"cold start: taxonomy guesses {cold.cold_start_accuracy:.0%} right on "
                                           f"{cold.reviewed} reviewed rows, most common label "
                                           f"{cold.majority_class_accuracy:.0%}" + (f"; warning: {cold.warning}"
                                                                                       if cold.warning else "")]
                                          if cold else []))
    emit({"total": total, "items": items, "cold_start": cold}, as_json, human)


@review_app.command("correct", help="Save the right label of one classified row (its id from `review list`).")
def review_correct(row_id: Annotated[int, typer.Option("--id", help="Row id from the queue.")],
                   label: Annotated[str, typer.Option("--label", help="The right label.")],
                   new_label: Annotated[bool, typer.Option(
                       "--new-label", help="Add a label the task does not know yet (else refused as a likely typo).")
                   ] = False,
                   queue: Annotated[str | None, typer.Option("--queue", help="`inspection` for a photo's id, `alarms` "
                                                             "for an alarm's (default: a classified row).")] = None,
                   as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    c = cli_assistant(use_llm=False).reviews.correct(queue, row_id, label, new_label)
    emit({"review_id": c.review_id, "id": c.id, "task": c.queue, "text": c.subject, "was": c.was, "label": c.label},
         as_json, f"row {c.id} ({c.queue}): {c.was} -> {c.label}" + (f" (review {c.review_id})" if c.review_id else ""))
