"""The quality engineer's views: which labels are rising (on the workspace's rows or an uploaded file) and 8D
report drafts for one of them.

``assistant.quality`` of the facade (:mod:`.trends` and :mod:`.report8d` do the work).
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.assistant.pipeline import drilldown, report8d
from shopfloor.assistant.pipeline.drilldown import LabelRows
from shopfloor.assistant.pipeline.report8d import Report8D
from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, MIN_ROLE, Action, User, requires
from shopfloor.assistant.safety import clean_text
from shopfloor.sensors.trends import Chart, Period, TrendReport


class Quality(Service):
    """Trends of labels and the reports drafted from them."""

    @requires(Action.view_trends)
    def sources(self, *, user: User = DEFAULT_USER) -> list[str]:
        """What the workspace can trend: its classification tasks, then ``inspection`` (photos' defect classes) and
        ``workorders`` (work orders' failure modes)."""
        tasks = self.components.tasks()
        return tasks + [s for s in report8d.OTHER_SOURCES if s not in tasks]

    @requires(Action.view_trends)
    def trends(self, task: str, period: Period = "month", chart: Chart = "laney", *,
               user: User = DEFAULT_USER) -> TrendReport:
        """Which labels of ``task`` (one of :meth:`sources`) are rising among the workspace's rows (a TrendReport)."""
        from shopfloor.assistant.pipeline.trends import workspace_trends

        return workspace_trends(self.ws, task, period, chart)

    @requires(Action.draft_report)
    def report_8d(self, task: str, label: str, period: Period = "month", since: str | None = None, *,
                  user: User = DEFAULT_USER) -> Report8D:
        """An 8D report draft for ``label`` in the latest period of ``task``'s classified rows (``since``: in the rows
        from that day on; cited; audited)."""
        return report8d.for_task(self.components.for_role(user.role.value), self.ws, clean_text(task),
                                 clean_text(label), period, user.name, clean_text(since) if since else None)

    @requires(Action.draft_report)
    def report_8d_file(self, path: str | Path, date_col: str, label_col: str, text_col: str | None, label: str,
                       period: Period = "month", since: str | None = None, *, user: User = DEFAULT_USER) -> Report8D:
        """An 8D report draft for ``label`` from a CSV/XLSX with a date, a label and a text column (None: the
        column with the longest texts)."""
        return report8d.for_file(self.components.for_role(user.role.value), self.ws, path,
                                 (date_col, label_col, text_col or None), clean_text(label), period, user.name,
                                 clean_text(since) if since else None)

    @requires(Action.view_trends)
    def label_rows(self, task: str, label: str, period: Period = "month", at: str | None = None, *,
                   user: User = DEFAULT_USER) -> LabelRows:
        """A point of the trend opened: ``label``'s classified rows of ``task`` in period ``at`` (default: its
        latest), with the cited documents about it and the work orders raised for it (the rows' texts from the
        technician up, as the review queue; the work orders too)."""
        rows = report8d.task_rows(self.ws, clean_text(task))
        out = self._opened(rows, clean_text(label), f"the classified rows of task {task}", period, at, user)
        if not user.can(Action.view_reviews):  # the stored texts are the review queue's data: counts only
            out.rows = []
            out.notes.append(f"the rows' texts need the {MIN_ROLE[Action.view_reviews].value} role")
        return out

    @requires(Action.view_trends)
    def label_rows_file(self, path: str | Path, date_col: str, label_col: str, text_col: str, label: str,
                        period: Period = "month", at: str | None = None, *, user: User = DEFAULT_USER) -> LabelRows:
        """A point of a file's trend opened (``text_col``: the column shown for each row)."""
        rows = report8d.file_rows(path, date_col, label_col, text_col)
        return self._opened(rows, clean_text(label), f"the rows of {Path(path).name}", period, at, user)

    def _opened(self, rows, label: str, origin: str, period: Period, at: str | None, user: User) -> LabelRows:
        from shopfloor.assistant.pipeline.workorders import listing

        out = drilldown.drill(self.components.for_role(user.role.value), rows, label, origin, period,
                              clean_text(at) if at else None, self.ws.config.index.min_score)
        if user.can(Action.work_orders):  # a viewer sees the trend, not the work orders
            out.work_orders = drilldown.about(listing(self.ws, 1000), label)[:10]
        return out

    @requires(Action.view_trends)
    def trends_file(self, path: str | Path, date_col: str, label_col: str, period: Period = "month",
                    chart: Chart = "laney", *, user: User = DEFAULT_USER) -> TrendReport:
        """Which labels are rising in an uploaded CSV/XLSX with a date and a label column."""
        from shopfloor.assistant.pipeline.trends import file_trends

        return file_trends(path, date_col, label_col, period, chart)
