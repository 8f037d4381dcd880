"""Small helpers shared by the CLI command modules."""

from __future__ import annotations

import json
import math
from enum import Enum
from typing import Annotated, Any

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]  # every command's --json


class Engine(str, Enum):
    """Where a batch file is classified."""

    local = "local"
    ray = "ray"


class SensorTask(str, Enum):
    failure = "failure"
    rul = "rul"


class Plant(str, Enum):
    """Which plant ``shopfloor demo`` builds."""

    demo = "demo"  # the fictional plant shipped in the repository
    real = "real"  # public data from ../shared/data (or --data DIR)


class RuleSet(str, Enum):
    shewhart = "shewhart"  # one point beyond 3 sigma: 0.27 % false alarms per in-control point (theory)
    nelson = "nelson"
    western_electric = "western-electric"


def _clean(obj: Any) -> Any:
    """Make ``obj`` JSON-safe: NaN/inf become null, numpy scalars become Python numbers, paths strings."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "model_dump"):
        return _clean(obj.model_dump())
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return _clean(asdict(obj))
    return str(obj)


def emit(result: Any, as_json: bool, human: str | None = None) -> None:
    """Print exactly one JSON object (``--json``) or a human-readable text on stdout."""
    if as_json:
        typer.echo(json.dumps(_clean(result), ensure_ascii=False))
    else:
        typer.echo(human if human is not None else json.dumps(_clean(result), indent=2, ensure_ascii=False))


def workspace():
    """The current workspace (``--workspace`` / ``$SHOPFLOOR_WORKSPACE`` / default), opened and validated."""
    from shopfloor.workspace import Workspace

    return Workspace.open()


def cli_assistant(use_llm: bool = True):
    """The Assistant acting for the CLI's OS user (admin role; audited as ``cli:<name>``)."""
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.policy import cli_user

    return Assistant(workspace(), use_llm=use_llm, user=cli_user())


def audit(action: str, detail: str) -> None:
    """One audit row in the workspace for a CLI write, attributed to ``cli:<os user>``."""
    from shopfloor.assistant.policy import cli_user
    from shopfloor.db import audit as write

    with workspace().connect() as conn:
        write(conn, cli_user().name, action, detail)


def read_text_arg(value: str) -> str:
    """A text argument, or standard input for ``-``; undecodable bytes become U+FFFD instead of a traceback."""
    import sys

    from shopfloor.assistant.safety import clean_text

    if value == "-":
        return sys.stdin.buffer.read().decode("utf-8", errors="replace")
    return clean_text(value)
