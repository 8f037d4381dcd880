"""Trends of the workspace's own classified rows (each task's labels per week or month, dated by their file's date
column or when classified) and of an uploaded file, on the attribute charts of :mod:`shopfloor.sensors.trends`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopfloor.sensors.trends import Chart, Period


def workspace_trends(ws, task: str, period: Period = "month", chart: Chart = "laney"):
    """The :class:`~shopfloor.sensors.trends.TrendReport` of ``task``'s classified rows (dated by their file's date
    column when the upload named one, else by when they were classified; a reviewed correction counts with its
    corrected label)."""
    from shopfloor.assistant.pipeline.report8d import task_rows
    from shopfloor.sensors.trends import trends

    rows = task_rows(ws, task)
    return trends([r.date for r in rows], [r.label for r in rows], period, chart)


def file_trends(path, date_col: str, label_col: str, period: Period = "month", chart: Chart = "laney"):
    """The TrendReport of a CSV/XLSX with a date and a label column (a plant's complaint or work-order export)."""
    from shopfloor.errors import InputError
    from shopfloor.finetune.data import read_table
    from shopfloor.sensors.trends import parse_dates, trends

    df = read_table(path, [date_col, label_col])
    if parse_dates(df[date_col].head(200).tolist()).isna().all():
        sample = next((v for v in df[date_col].astype(str) if v.strip()), "")
        raise InputError(f"column {date_col!r} has no readable dates (e.g. {sample[:40]!r}); choose the date column")
    return trends(df[date_col], df[label_col], period, chart)



def render(rep, path, labels: list[str] | None = None):
    """A PNG of the rising (or most frequent) labels' shares against their limits (see
    :func:`shopfloor.sensors.trends.render`)."""
    from shopfloor.sensors.trends import render as draw

    return draw(rep, path, labels)


def render_pareto(rep, path):
    """A PNG of the latest period's labels against the period before (see
    :func:`shopfloor.sensors.trends.render_pareto`)."""
    from shopfloor.sensors.trends import render_pareto as draw

    return draw(rep, path)
