"""The ``shopfloor`` command line. Thin: every command parses options and calls library code.

Heavy libraries are imported inside commands, so ``shopfloor --help`` answers instantly
(tests/assistant/cli/test_shell.py pins that ``import shopfloor.assistant.cli`` loads no torch, transformers,
gradio or faiss). Domain errors (:class:`~shopfloor.errors.ShopfloorError`) become a one-line
message on stderr and exit code 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from shopfloor.assistant.cli import app_cmds, classify, index, inspect, lm, report, sensor, trends, workorder
from shopfloor.errors import ShopfloorError

app = typer.Typer(
    name="shopfloor",
    help="Offline quality assistant: classify logs and complaints, search manuals, watch sensors.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(classify.app, name="classify", help="Train, evaluate and run the text classifier.")
app.add_typer(index.app, name="index", help="Build, update, search and evaluate the knowledge index.")
app.add_typer(sensor.app, name="sensor", help="Failure, remaining-life and SPC models on sensor data.")
app.add_typer(inspect.app, name="inspect", help="Defect classes and anomaly heatmaps from photos of parts.")
app.add_typer(workorder.app, name="workorder", help="Work orders for the plant's CMMS: create, list, send.")
app.add_typer(classify.review_app, name="review", help="The review queues of texts and photos: list, correct "
              "(the same commands as `classify review`).")
app.add_typer(lm.app, name="lm", help="The answering language model: tune a LoRA answerer on your documents.")
app_cmds.register(app)
app.command("trends", help="Which labels are rising: shares per week or month on a Laney p' (or p) chart, from a file "
            "with dates and labels (--data) or a task's classified rows (--by).")(trends.trends)
app.add_typer(report.app, name="report", help="Draft an 8D report for a label's latest period (problem from the "
              "rows; containment, root causes, actions and prevention from your cited documents); --out .md, .docx "
              "or .pdf.")


@app.callback()
def _root(
    workspace: Annotated[Path | None, typer.Option(
        "--workspace", "-w", help="Workspace directory (default: $SHOPFLOOR_WORKSPACE or the user data dir).",
        envvar="SHOPFLOOR_WORKSPACE")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details to stderr.")] = False,
) -> None:
    """Offline quality assistant for manufacturing."""
    if workspace is not None:
        os.environ["SHOPFLOOR_WORKSPACE"] = str(workspace)
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    """Console-script entry point: run the app, turning domain errors into friendly messages."""
    for stream in (sys.stdout, sys.stderr):  # text from documents or argv with invalid Unicode never crashes a print
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    try:
        app()
    except ShopfloorError as e:
        typer.secho(f"Error: {e}", err=True, fg=typer.colors.RED)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        typer.secho("Interrupted.", err=True)
        sys.exit(130)
