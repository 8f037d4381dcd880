"""Top-level commands: ``demo``, ``serve``, ``diagnose``, ``ask``, ``user-add``."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli._common import emit

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def register(app: typer.Typer) -> None:
    """Attach the top-level commands to the root app."""
    app.command("demo", help="Build the demo plant into the workspace (only what is missing) and start the UI.")(demo)
    app.command("serve", help="Start the web UI and REST API on the workspace.")(serve)
    app.command("diagnose", help="Diagnose a pasted maintenance log.")(diagnose)
    app.command("ask", help="Ask a question answered from the manuals, with citations.")(ask)
    app.command("user-add", help="Add a user (roles: viewer, technician, engineer, admin).")(user_add)


def demo(no_launch: Annotated[bool, typer.Option("--no-launch", help="Build only; do not start the UI.")] = False,
         force: Annotated[bool, typer.Option("--force", help="Rebuild every demo artifact.")] = False,
         port: Annotated[int, typer.Option(help="HTTP port (default from config: 7860).")] = 0,
         as_json: JsonOpt = False) -> None:
    import time

    from assistant.cli._common import workspace
    from assistant.demo.build import build_demo

    ws = workspace()
    t0 = time.perf_counter()

    def progress(step: str, what: str) -> None:
        if not as_json:
            typer.echo(f"  {step:32s} {what}", err=True)

    if not as_json:
        typer.echo(f"Building the demo plant in {ws.root} (first run: a few minutes; later runs: seconds)", err=True)
    report = build_demo(ws, force=force, on_step=progress)
    emit({"workspace": str(ws.root), "seconds": round(time.perf_counter() - t0, 1), "steps": report}, as_json,
         f"Demo ready in {time.perf_counter() - t0:.0f} s.")
    if not no_launch:
        serve(port=port)


def serve(host: Annotated[str, typer.Option(help="Listen address (default from config: 127.0.0.1).")] = "",
          port: Annotated[int, typer.Option(help="HTTP port (default from config: 7860).")] = 0,
          no_llm: Annotated[bool, typer.Option("--no-llm", help="Answer from retrieved passages only.")] = False) -> None:
    import uvicorn

    from assistant import auth
    from assistant.api.app import create_app
    from assistant.cli._common import workspace
    from assistant.pipeline import Assistant

    ws = workspace()
    host, port = host or ws.config.server.host, port or ws.config.server.port
    need_login = auth.login_required(host, ws.config.server.require_login)
    if need_login:
        with ws.connect() as conn:
            created = auth.ensure_admin(conn)
        if created:
            typer.secho(f"Created user '{created[0]}' with password: {created[1]}  (shown once; change it in Admin)",
                        fg=typer.colors.YELLOW, err=True)
    app = create_app(Assistant(ws, use_llm=not no_llm), login_required=need_login)
    typer.secho(f"shopfloor is running on http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}  "
                f"(API docs: /docs; stop with Ctrl+C)", fg=typer.colors.GREEN, err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def diagnose(log: Annotated[str, typer.Argument(help="The log text (or - to read stdin).")],
             machine: Annotated[str, typer.Option("--machine", help="Machine id.")] = "",
             no_llm: Annotated[bool, typer.Option("--no-llm", help="Skip the language-model summary.")] = False,
             as_json: JsonOpt = False) -> None:
    import sys

    from assistant.cli._common import workspace
    from assistant.pipeline import Assistant

    text = sys.stdin.read() if log == "-" else log
    d = Assistant(workspace()).diagnose(text, machine or None, summary=not no_llm)
    emit(d, as_json, d.to_markdown())


def ask(question: Annotated[str, typer.Argument(help="The question.")],
        no_llm: Annotated[bool, typer.Option("--no-llm", help="Answer from retrieved passages only.")] = False,
        as_json: JsonOpt = False) -> None:
    from assistant.cli._common import workspace
    from assistant.pipeline import Assistant

    a = Assistant(workspace(), use_llm=not no_llm)
    if as_json:
        emit(a.answer(question), True)
        return
    for e in a.ask(question):
        if e["type"] == "token":
            typer.echo(e["text"], nl=False)
        elif e["type"] == "notice":
            typer.secho(f"\n({e['text']})", err=True, fg=typer.colors.YELLOW)
        elif e["type"] == "done":
            typer.echo("\n\nFinal answer:\n" + e["answer"] + "\n\nSources:")
            for c in e["citations"]:
                typer.echo(f"  [{c['n']}] {c['citation']}")


def user_add(name: Annotated[str, typer.Argument()], role: Annotated[str, typer.Option(help="viewer, technician, "
                                                                                          "engineer or admin.")],
             password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
             as_json: JsonOpt = False) -> None:
    from assistant import auth
    from assistant.cli._common import workspace

    with workspace().connect() as conn:
        token = auth.add_user(conn, name, password, role, by="cli")
    emit({"name": name, "role": role, "token": token}, as_json, f"user {name} ({role}) added; API token: {token}")
