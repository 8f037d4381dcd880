"""`shopfloor trends`: which labels are rising, from a file with dates and labels or the workspace's own rows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shopfloor.assistant.cli._common import JsonOpt, emit

if TYPE_CHECKING:
    from shopfloor.sensors.trends import Chart, Period


def trends(data: Annotated[Path | None, typer.Option("--data", help="CSV/XLSX with a date and a label column.")] = None,
           date_col: Annotated[str | None, typer.Option("--date-col", help="Column with the date of each row.")] = None,
           label_col: Annotated[str | None, typer.Option("--label-col", help="Column with the label.")] = None,
           by: Annotated[str | None, typer.Option("--by", help="A task of the workspace: its classified rows "
                                                  "(dated by the upload's --date-col, else when classified) instead of "
                                                  "a file; `inspection` (photos' defect classes) and `workorders` "
                                                  "(their failure modes) too.")] = None,
           period: Annotated[str, typer.Option("--period", help="week or month.")] = "month",
           chart: Annotated[str, typer.Option("--chart", help="laney (p' chart, default) or p.")] = "laney",
           label: Annotated[str | None, typer.Option("--label", help="Open one label's point instead: its rows of "
                                                     "the period, the cited documents about it.")] = None,
           at: Annotated[str | None, typer.Option("--at", help="With --label: the period to open (2022-11, "
                                                  "2022-W46; default: the label's latest).")] = None,
           text_col: Annotated[str | None, typer.Option("--text-col", help="With --label and --data: the column "
                                                        "shown for each row.")] = None,
           as_json: JsonOpt = False) -> None:
    from shopfloor.errors import InputError

    if period not in ("week", "month") or chart not in ("laney", "p"):
        raise InputError("--period is week or month; --chart is laney or p")
    span: Period = "week" if period == "week" else "month"
    kind: Chart = "p" if chart == "p" else "laney"
    if label is not None:
        _opened(data, date_col, label_col, text_col, by, label, span, at, as_json)
        return
    if by:
        from shopfloor.assistant.cli._common import cli_assistant

        rep = cli_assistant(use_llm=False).quality.trends(by, span, kind)
    elif data and date_col and label_col:
        from shopfloor.assistant.pipeline.trends import file_trends

        rep = file_trends(data, date_col, label_col, span, kind)
    else:
        raise InputError("give --data FILE --date-col C --label-col L, or --by TASK")
    emit(rep.to_dict(), as_json, _human(rep))


def _opened(data, date_col, label_col, text_col, by, label: str, span: Period, at: str | None, as_json: bool) -> None:
    from shopfloor.assistant.cli._common import cli_assistant
    from shopfloor.errors import InputError

    quality = cli_assistant(use_llm=False).quality
    if by:
        out = quality.label_rows(by, label, span, at)
    elif data and date_col and label_col and text_col:
        out = quality.label_rows_file(data, date_col, label_col, text_col, label, span, at)
    else:
        raise InputError("with --label give --by TASK, or --data FILE --date-col C --label-col L --text-col T")
    lines = [out.to_markdown().replace("**", ""), ""] + [f"{r.date}\t{r.ref}\t{r.text[:100]}" for r in out.rows]
    emit(out.model_dump(), as_json, "\n".join(lines))


def _human(rep) -> str:
    lines = [f"{len(rep.periods)} {rep.period}s ({rep.periods[0]} .. {rep.periods[-1]}); limits from the first "
             f"{rep.baseline_periods}; {'Laney p' + chr(39) if rep.chart == 'laney' else 'p'} chart"]
    if not rep.rising:
        lines.append(f"nothing rising in {rep.periods[-1]}")
    for r in rep.rising:
        lines.append(f"RISING {r.label}: {r.count} rows, {r.rate:.1%} of {rep.periods[-1]} vs {r.center:.1%} before "
                     f"({'x' + format(r.ratio, '.1f') if r.ratio else 'new'}), above the centre line since {r.since}")
    return "\n".join(lines)
