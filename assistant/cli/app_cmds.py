"""Top-level commands: ``demo``, ``serve``, ``diagnose``, ``ask``."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli._common import emit


def register(app: typer.Typer) -> None:
    """Attach the top-level commands to the root app."""
    app.command("demo", help="Build the demo plant's artifacts (if missing) and start the UI.")(demo)
    app.command("serve", help="Start the web UI and REST API on the workspace.")(serve)
    app.command("diagnose", help="Diagnose a pasted maintenance log.")(diagnose)
    app.command("ask", help="Ask a question answered from the manuals, with citations.")(ask)


def demo(no_launch: Annotated[bool, typer.Option("--no-launch", help="Build only; do not start the UI.")] = False,
         as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False) -> None:
    from assistant.demo.build import build_demo

    report = build_demo()
    emit(report, as_json, human="\n".join(f"{k}: {v}" for k, v in report.items()))
    if not no_launch:
        serve()


def serve(host: Annotated[str, typer.Option(help="Listen address.")] = "",
          port: Annotated[int, typer.Option(help="HTTP port.")] = 0) -> None:
    typer.echo("The UI is not built yet (issue: Assistant and Gradio UI).", err=True)
    raise typer.Exit(1)


def diagnose(log: Annotated[str, typer.Argument(help="The log text.")],
             machine: Annotated[str, typer.Option(help="Machine id.")] = "",
             as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False) -> None:
    typer.echo("diagnose is not built yet.", err=True)
    raise typer.Exit(1)


def ask(question: Annotated[str, typer.Argument(help="The question.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False) -> None:
    typer.echo("ask is not built yet.", err=True)
    raise typer.Exit(1)
