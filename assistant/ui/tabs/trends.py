"""Trends tab: which labels are rising this month against their own history, from the workspace's classified
rows or an uploaded file with a date and a label column; a chart of the rising labels' shares."""

from shopfloor.assistant.policy import Action, authorize
from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.tabs import report
from shopfloor.assistant.ui.views import BUILD_USER, date_column, preview, text_column
from shopfloor.errors import ShopfloorError

TABLE = ["Label", "Rows", "Share", "Usual", "× usual", "Above centre since"]  # short: a phone shows them all
CHARTS = {"Laney p' (month-to-month variation allowed)": "laney", "plain p": "p"}


def summary(rep) -> tuple[str, list[list]]:
    """The first line a quality engineer reads, and one row per rising label."""
    last = rep.periods[-1]
    history = (f"against {rep.baseline_periods} earlier {rep.period}s with rows (to "
               f"{rep.periods[rep.baseline_periods - 1]}; limits: {'Laney p' + chr(39) if rep.chart == 'laney' else 'p'})")
    if not rep.rising:
        return f"**Nothing rising in {last}** {history}", []
    top = rep.rising[0]
    head = (f"**{len(rep.rising)} label(s) rising in {last}**: {top.label} {top.rate:.1%} of the rows vs usually "
            f"{top.center:.1%}" + (f", and {len(rep.rising) - 1} more" if len(rep.rising) > 1 else "") + f" — {history}")
    return head, [[r.label, r.count, f"{r.rate:.1%}", f"{r.center:.1%}", f"{r.ratio:.1f}" if r.ratio else "new",
                   r.since] for r in rep.rising]


def labels_of(rep) -> list[str]:
    """The rising labels first, then every other label by its rows in all."""
    totals: dict[str, int] = {}
    for p in rep.series:
        totals[p.label] = totals.get(p.label, 0) + p.count
    rising = [r.label for r in rep.rising]
    return rising + sorted((k for k in totals if k not in rising), key=lambda k: -totals[k])


def build(gr, ctx) -> None:
    TrendsTab(gr, ctx).wire(gr)


class TrendsTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire`."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx, self.quality = gr, ctx, ctx.assistant.quality
        tasks = ctx.assistant.quality.sources(user=BUILD_USER)
        gr.Markdown("Each label's share of a period's rows on a control chart: **rising** means the latest period is "
                    "above the limit set by the history before it, with at least 3 rows.")
        with gr.Row():
            self.task = gr.Dropdown(tasks, value=tasks[0] if tasks else None, elem_id="trends-task",
                                    label=t("Rows of (a task, inspection, workorders)"), allow_custom_value=True)
            self.period = gr.Radio(["month", "week"], value="month", label=t("Period"), elem_id="trends-period")
            self.chart = gr.Dropdown(list(CHARTS), value=next(iter(CHARTS)), label=t("Chart"), elem_id="trends-chart")
        self.show = gr.Button(t("Show trends"), variant="primary", elem_id="trends-show")
        with gr.Accordion(t("Or from a file (complaints, work orders: a date and a label column)"), open=False):
            self.upload = gr.File(label=t("CSV or XLSX"), file_types=[".csv", ".xlsx"], elem_id="trends-file")
            with gr.Row():
                self.date_col = gr.Dropdown([], label=t("Date column"), elem_id="trends-date-col",
                                            allow_custom_value=True)
                self.label_col = gr.Dropdown([], label=t("Label column"), elem_id="trends-label-col",
                                             allow_custom_value=True)
            self.show_file = gr.Button(t("Show trends of the file"), elem_id="trends-show-file")
        self.head = gr.Markdown(elem_id="trends-summary")
        self.table = gr.Dataframe(headers=TABLE, value=None, interactive=False, wrap=True, elem_id="trends-table",
                                  visible=False)
        self.plot = gr.Image(show_label=False, type="filepath", interactive=False, elem_id="trends-chart-img",
                             buttons=[], visible=False)  # no toolbar over the chart's top-right point
        self.pareto = gr.Image(show_label=False, type="filepath", interactive=False, elem_id="trends-pareto-img",
                               buttons=[], visible=False)
        self.source = gr.State("task")  # where the trend shown came from: "task" or "file"
        self._opening_layout(gr)
        self.text_col, report_label = report.build(gr, ctx, self.task, self.period, self.upload, self.date_col,
                                                   self.label_col)
        self.pick.change(lambda v: v, self.pick, report_label, api_name=False)  # the 8D draft is for the label opened

    def _opening_layout(self, gr) -> None:
        with gr.Row():
            self.pick = gr.Dropdown([], label=t("Open a label (or click a row above)"), elem_id="trends-open-label",
                                    allow_custom_value=True, scale=3)
            self.at = gr.Textbox(label=t("Period (empty: its latest)"), placeholder="2022-11", max_length=10,
                                 elem_id="trends-open-at", scale=1)
            self.open_btn = gr.Button(t("Show its rows and causes"), elem_id="trends-open", scale=1)
        self.opened = gr.Markdown(elem_id="trends-opened")
        self.opened_rows = gr.Dataframe(headers=["Date", "Row", "Text"], value=None, interactive=False, wrap=True,
                                        elem_id="trends-rows", visible=False)

    def _shown(self, get, kind: str):
        from shopfloor.assistant.ui.views import pareto_chart, trends_chart

        gr = self.gr
        try:
            rep = get()
        except ShopfloorError as e:
            hidden = gr.update(value=None, visible=False)
            return friendly(e), hidden, hidden, hidden, kind, gr.update()
        text, rows = summary(rep)
        return (text, gr.update(value=rows, visible=bool(rows)),
                gr.update(value=trends_chart(rep, self.ctx.export_dir), visible=True),
                gr.update(value=pareto_chart(rep, self.ctx.export_dir), visible=True), kind,
                gr.update(choices=(ranked := labels_of(rep)), value=ranked[0] if ranked else None))

    def on_task(self, task, period, chart, request):
        user = self.ctx.user(request)
        return self._shown(lambda: self.quality.trends(task or "", period, CHARTS.get(chart, "laney"), user=user),
                           "task")

    def on_file(self, f, date_col, label_col, period, chart, request):
        user = self.ctx.user(request)
        return self._shown(lambda: self.quality.trends_file(f or "", date_col or "", label_col or "", period,
                                                            CHARTS.get(chart, "laney"), user=user), "file")

    def on_open(self, kind, task, f, date_col, label_col, text_col, period, label, when, request):
        if not (label or "").strip():
            return "Pick a label (or click a row of the table) first.", self.gr.update(value=None, visible=False)
        user = self.ctx.user(request)
        try:
            if kind == "file":
                out = self.quality.label_rows_file(f or "", date_col or "", label_col or "", text_col or "",
                                                   label or "", period, when or None, user=user)
            else:
                out = self.quality.label_rows(task or "", label or "", period, when or None, user=user)
        except ShopfloorError as e:
            return friendly(e), self.gr.update(value=None, visible=False)
        return out.to_markdown(), self.gr.update(value=[[r.date.removesuffix(" 00:00"), r.ref, r.text]
                                                        for r in out.rows],
                                                 visible=bool(out.rows))

    def on_select(self, evt, rows):
        try:
            return rows.iloc[evt.index[0], 0]
        except (AttributeError, IndexError, TypeError):
            return self.gr.update()

    def on_upload(self, f, request):
        gr = self.gr
        if f is None:
            return gr.update(choices=[]), gr.update(choices=[]), gr.update(choices=[])
        try:
            authorize(self.ctx.user(request), Action.view_trends)
            cols, rows = preview(f, rows=5)
        except ShopfloorError as e:
            return gr.update(choices=[], label=f"Problem: {e}"), gr.update(choices=[]), gr.update(choices=[])
        return (gr.update(choices=cols, value=date_column(cols)), gr.update(choices=cols, value=None),
                gr.update(choices=cols, value=text_column(rows)))

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        shown = [self.head, self.table, self.plot, self.pareto, self.source, self.pick]
        opening = [self.source, self.task, self.upload, self.date_col, self.label_col, self.text_col, self.period,
                   self.pick, self.at]

        def on_task(task, period, chart, request: gr.Request):
            return self.on_task(task, period, chart, request)

        def on_file(f, d, lab, period, chart, request: gr.Request):
            return self.on_file(f, d, lab, period, chart, request)

        def on_open(kind, task, f, d, lab, txt, period, label, when, request: gr.Request):
            return self.on_open(kind, task, f, d, lab, txt, period, label, when, request)

        def on_select(evt: gr.SelectData, rows):
            return self.on_select(evt, rows)

        def on_upload(f, request: gr.Request):
            return self.on_upload(f, request)

        self.show.click(on_task, [self.task, self.period, self.chart], shown, api_name="trends_task")
        self.show_file.click(on_file, [self.upload, self.date_col, self.label_col, self.period, self.chart], shown,
                             api_name="trends_file")
        self.open_btn.click(on_open, opening, [self.opened, self.opened_rows], api_name="trends_open")
        self.table.select(on_select, self.table, self.pick, api_name=False).then(
            on_open, opening, [self.opened, self.opened_rows], api_name=False)
        self.upload.change(on_upload, self.upload, [self.date_col, self.label_col, self.text_col],
                           api_name="trends_preview")
