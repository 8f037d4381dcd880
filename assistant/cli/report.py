"""`shopfloor report`: an 8D report draft for a label's latest period, from a task's rows or a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, emit

if TYPE_CHECKING:
    from shopfloor.sensors.trends import Period


def report(label: Annotated[str, typer.Option("--label", help="The label (e.g. the rising one `trends` names).")],
           by: Annotated[str | None, typer.Option("--by", help="A task of the workspace: its classified rows.")] = None,
           data: Annotated[Path | None, typer.Option("--data", help="CSV/XLSX with date, label and text columns.")]
           = None,
           date_col: Annotated[str | None, typer.Option("--date-col")] = None,
           label_col: Annotated[str | None, typer.Option("--label-col")] = None,
           text_col: Annotated[str | None, typer.Option("--text-col")] = None,
           period: Annotated[str, typer.Option("--period", help="week or month.")] = "month",
           out: Annotated[Path | None, typer.Option("--out", help="Write the draft: .md, .docx or .pdf.")] = None,
           as_json: JsonOpt = False) -> None:
    from shopfloor.assistant.cli._common import cli_assistant
    from shopfloor.errors import InputError

    if period not in ("week", "month"):
        raise InputError("--period is week or month")
    if out is not None and out.suffix.lower() not in (".md", ".docx", ".pdf"):
        raise InputError(f"--out {out.name}: write .md, .docx or .pdf")
    span: Period = "week" if period == "week" else "month"
    a = cli_assistant(use_llm=False)
    if by:
        rep = a.quality.report_8d(by, label, span)
    elif data and date_col and label_col and text_col:
        rep = a.quality.report_8d_file(data, date_col, label_col, text_col, label, span)
    else:
        raise InputError("give --by TASK, or --data FILE --date-col C --label-col L --text-col T")
    markdown = rep.to_markdown()
    if out is not None:
        _write(markdown, out)
    emit({**rep.model_dump(), "markdown": markdown, "written": str(out) if out else None}, as_json,
         markdown + (f"\n(written to {out})" if out else ""))


def _write(markdown: str, out: Path) -> None:
    from shopfloor.assistant.pipeline.exports import to_docx, to_pdf

    suffix = out.suffix.lower()
    if suffix == ".md":
        out.write_text(markdown, encoding="utf-8")
    else:
        out.write_bytes(to_docx(markdown) if suffix == ".docx" else to_pdf(markdown))
