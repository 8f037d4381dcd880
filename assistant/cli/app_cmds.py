"""Top-level commands: ``demo``, ``serve``, ``diagnose``, ``ask``, ``user-add``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, Plant, emit
from shopfloor.assistant.policy import Role


def register(app: typer.Typer) -> None:
    """Attach the top-level commands to the root app."""
    app.command("demo", help="Build the demo plant into the workspace (only what is missing) and start the UI.")(demo)
    app.command("serve", help="Start the web UI and REST API on the workspace.")(serve)
    app.command("diagnose", help="Diagnose a pasted maintenance log.")(diagnose)
    app.command("ask", help="Ask a question answered from the manuals, with citations.")(ask)
    app.command("ask-eval", help="Measure answers on a QA file (and unanswerable questions): evidence found, "
                "citation precision, refusals, unsupported sentences shown; with and without the language model.")(
        ask_eval)
    app.command("user-add", help="Add a user (roles: viewer, technician, engineer, admin); prints their first API "
                "token once.")(user_add)
    app.command("user-passwd", help="Set a user's password (revokes their tokens).")(user_passwd)
    app.command("user-revoke", help="Revoke every API token of a user.")(user_revoke)
    app.command("user-token", help="Create a new API token for a user (printed once; stored only as a hash).")(user_token)
    app.command("user-list", help="List users, roles and live token counts.")(user_list)


def demo(no_launch: Annotated[bool, typer.Option("--no-launch", help="Build only; do not start the UI.")] = False,
         force: Annotated[bool, typer.Option("--force", help="Rebuild every demo artifact.")] = False,
         port: Annotated[int, typer.Option(help="HTTP port (default from config: 7860).")] = 0,
         plant: Annotated[Plant, typer.Option(help="demo: the fictional plant; real: public data from --data "
                                                   "(build it in its own workspace).")] = Plant.demo,
         data: Annotated[Path | None, typer.Option(help="The real plant's data folder (default ../shared/data or "
                                                        "$SHOPFLOOR_SHARED_DATA).")] = None,
         as_json: JsonOpt = False) -> None:
    import time

    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.demo.build import build_demo

    ws = workspace()
    t0 = time.perf_counter()

    def progress(step: str, what: str) -> None:
        if not as_json:
            typer.echo(f"  {step:32s} {what}", err=True)

    if not as_json:
        typer.echo(f"Building the {plant.value} plant in {ws.root} (first run: a few minutes; later runs: seconds)",
                   err=True)
    report = build_demo(ws, force=force, on_step=progress, plant=plant.value, data_dir=data)
    emit({"workspace": str(ws.root), "plant": plant.value, "seconds": round(time.perf_counter() - t0, 1),
          "steps": report}, as_json, f"{plant.value.capitalize()} plant ready in {time.perf_counter() - t0:.0f} s.")
    if not no_launch:
        serve(port=port)


def serve(host: Annotated[str, typer.Option(help="Listen address (default from config: 127.0.0.1).")] = "",
          port: Annotated[int, typer.Option(help="HTTP port (default from config: 7860).")] = 0,
          no_llm: Annotated[bool, typer.Option("--no-llm", help="Answer from retrieved passages only.")] = False) -> None:
    import socket

    import uvicorn

    from shopfloor.assistant import auth
    from shopfloor.assistant.api.app import create_app
    from shopfloor.assistant.cli._common import workspace
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.errors import InputError

    ws = workspace()
    host, port = host or ws.config.server.host, port or ws.config.server.port
    need_login = auth.login_required(host, ws.config.server.require_login)
    # The server acts for nobody by default: every request says who is asking (login, or the local user).
    assistant = Assistant(ws, use_llm=not no_llm)
    if need_login:
        created = assistant.users.first_admin()
        if created:
            typer.secho(f"Created user '{created[0]}' with password: {created[1]}  (shown once; change it in Account)",
                        fg=typer.colors.YELLOW, err=True)
    app = create_app(assistant, login_required=need_login)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port} ({e.strerror}); is another server running? "
                         "Pick another port with --port") from None
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    where = " (all interfaces)" if bound_host in ("0.0.0.0", "::") else ""
    typer.secho(f"shopfloor is listening on http://{shown}:{bound_port}{where}; login "
                f"{'required' if need_login else 'off (localhost only)'}; API docs: /docs; stop with Ctrl+C",
                fg=typer.colors.GREEN, err=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def diagnose(log: Annotated[str, typer.Argument(help="The log text (or - to read stdin).")],
             machine: Annotated[str, typer.Option("--machine", help="Machine id.")] = "",
             no_llm: Annotated[bool, typer.Option("--no-llm", help="Skip the language-model summary.")] = False,
             as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant, read_text_arg

    d = cli_assistant(use_llm=not no_llm).diagnose(read_text_arg(log), read_text_arg(machine) or None,
                                                   summary=not no_llm)
    emit(d, as_json, d.to_markdown())


def ask(question: Annotated[str, typer.Argument(help="The question.")],
        no_llm: Annotated[bool, typer.Option("--no-llm", help="Answer from retrieved passages only.")] = False,
        as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant, read_text_arg
    from shopfloor.assistant.pipeline.words import label

    a = cli_assistant(use_llm=not no_llm)
    question = read_text_arg(question)
    if as_json:
        emit(a.answer(question), True)
        return
    from shopfloor.assistant.pipeline.events import Answer, Notice, Token

    streamed = ""
    for e in a.ask(question):
        if isinstance(e, Token):
            streamed += e.text
            typer.echo(e.text, nl=False)
        elif isinstance(e, Notice):
            typer.secho(f"\n({e.text})", err=True, fg=typer.colors.YELLOW)
        elif isinstance(e, Answer):  # it extends what was printed (notes): print only the rest, then the sources
            rest = e.answer[len(streamed):] if e.answer.startswith(streamed) else ""
            if not e.grounded:  # a refusal already lists its related passages as such
                typer.echo(rest)
                continue
            typer.echo(rest + f"\n\n{label('Sources', e.language)}:")
            for c in e.citations:
                typer.echo(f"  [{c.n}] {c.citation}")


def ask_eval(qa: Annotated[Path, typer.Option("--qa", help="JSON lines: {\"question\", \"evidence\": [strings]}.")],
             unanswerable: Annotated[Path | None, typer.Option(
                 "--unanswerable", help="JSON lines: {\"question\"} the documents cannot answer.")] = None,
             no_llm: Annotated[bool, typer.Option("--no-llm", help="Only measure without the language model.")] = False,
             as_json: JsonOpt = False) -> None:
    import time

    from shopfloor.assistant.cli._common import cli_assistant
    from shopfloor.assistant.pipeline.answer_eval import evaluate_answers, read_jsonl

    questions = read_jsonl(qa, ("question", "evidence"))
    unans = read_jsonl(unanswerable, ("question",)) if unanswerable else []
    t0 = time.perf_counter()
    out = evaluate_answers(cli_assistant(use_llm=not no_llm), questions, unans)
    out["llm"] = not no_llm
    if not no_llm:  # the same questions without the language model, in the same run
        out["without_llm"] = {k: v for k, v in evaluate_answers(cli_assistant(use_llm=False), questions, unans).items()
                              if k != "questions"}
    out["seconds"] = round(time.perf_counter() - t0, 1)
    keys = ("evidence_in_answer", "summary_evidence", "citation_precision", "refusal_accuracy",
            "false_refusal_rate", "unsupported_sentences_shown", "answer_chars_mean")

    def line(m: dict) -> str:
        return ", ".join(f"{k} {m[k]:.2f}" if isinstance(m[k], float) else f"{k} {m[k]}" for k in keys)

    human = f"{len(questions)} answerable, {len(unans)} unanswerable questions\n  " + \
        ("with the language model: " if not no_llm else "without the language model: ") + line(out)
    if "without_llm" in out:
        human += "\n  without the language model: " + line(out["without_llm"])
    emit(out, as_json, human)


def user_add(name: Annotated[str, typer.Argument()],
             role: Annotated[Role, typer.Option(help="What the user may do (see docs/security.md).")],
             password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
             as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    token = cli_assistant(use_llm=False).users.add(name, password, role.value)
    emit({"name": name, "role": role.value, "token": token}, as_json,
         f"user {name} ({role.value}) added; API token (shown once, stored only as a hash): {token}")


def user_passwd(name: Annotated[str, typer.Argument()],
                password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
                as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    n = cli_assistant(use_llm=False).users.set_password(name, password)
    emit({"name": name, "tokens_revoked": n}, as_json, f"password of {name} changed; {n} tokens revoked")


def user_revoke(name: Annotated[str, typer.Argument()], as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    n = cli_assistant(use_llm=False).users.revoke_tokens(name)
    emit({"name": name, "tokens_revoked": n}, as_json, f"{n} tokens of {name} revoked")


def user_token(name: Annotated[str, typer.Argument()],
               label: Annotated[str, typer.Option(help="What the token is for.")] = "api",
               as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import audit, cli_assistant

    token = cli_assistant(use_llm=False).users.issue_token(name, label=label)
    audit("token_create", f"{name} ({label})")
    emit({"name": name, "token": token}, as_json, f"API token for {name} (shown once): {token}")


def user_list(as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant

    users = cli_assistant(use_llm=False).users.known()
    emit({"users": users}, as_json, "\n".join(f"{u.name:20s} {u.role:11s} {u.live_tokens} live tokens"
                                              for u in users) or "no users")
