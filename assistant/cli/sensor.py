"""`shopfloor sensor ...` commands (filled by the sensor component)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
