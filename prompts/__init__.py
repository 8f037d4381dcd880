"""Prompt templates (Jinja), one file per prompt, loaded by name.

Example:
    >>> from prompts import render
    >>> "Question: why?" in render("grounded_answer", passages=[], question="why?")
    True
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


def names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.j2"))


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(HERE)), undefined=StrictUndefined, autoescape=False,
                       trim_blocks=False, keep_trailing_newline=False)


def render(name: str, **variables) -> str:
    """Render ``prompts/<name>.j2``; a missing variable is an error, not an empty string."""
    if name not in names():
        raise KeyError(f"no prompt {name!r}; prompts: {names()}")
    return _env().get_template(f"{name}.j2").render(**variables).strip()
