"""Trends tab: which labels are rising this month against their own history, from the workspace's classified
rows or an uploaded file with a date and a label column; a chart of the rising labels' shares."""

from shopfloor.assistant.policy import Action, authorize
from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.tabs import report
from shopfloor.assistant.ui.views import BUILD_USER, preview, text_column
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


def build(gr, ctx) -> None:
    a = ctx.assistant
    tasks = a.texts.tasks(user=BUILD_USER)
    gr.Markdown("Each label's share of a period's rows on a control chart: **rising** means the latest period is "
                "above the limit set by the history before it, with at least 3 rows.")
    with gr.Row():
        task = gr.Dropdown(tasks, value=tasks[0] if tasks else None, label=t("Classified rows of task"),
                           elem_id="trends-task", allow_custom_value=True)
        period = gr.Radio(["month", "week"], value="month", label=t("Period"), elem_id="trends-period")
        chart = gr.Dropdown(list(CHARTS), value=next(iter(CHARTS)), label=t("Chart"), elem_id="trends-chart")
    show = gr.Button(t("Show trends"), variant="primary", elem_id="trends-show")
    with gr.Accordion(t("Or from a file (complaints, work orders: a date and a label column)"), open=False):
        upload = gr.File(label=t("CSV or XLSX"), file_types=[".csv", ".xlsx"], elem_id="trends-file")
        with gr.Row():
            date_col = gr.Dropdown([], label=t("Date column"), elem_id="trends-date-col", allow_custom_value=True)
            label_col = gr.Dropdown([], label=t("Label column"), elem_id="trends-label-col", allow_custom_value=True)
        show_file = gr.Button(t("Show trends of the file"), elem_id="trends-show-file")
    head = gr.Markdown(elem_id="trends-summary")
    table = gr.Dataframe(headers=TABLE, value=None, interactive=False, wrap=True, elem_id="trends-table",
                         visible=False)
    plot = gr.Image(show_label=False, type="filepath", interactive=False, elem_id="trends-chart-img", buttons=[],
                    visible=False)  # no toolbar over the chart's top-right point

    def shown(get):
        from shopfloor.assistant.ui.views import trends_chart

        try:
            rep = get()
        except ShopfloorError as e:
            return friendly(e), gr.update(value=None, visible=False), gr.update(value=None, visible=False)
        text, rows = summary(rep)
        return (text, gr.update(value=rows, visible=bool(rows)),
                gr.update(value=trends_chart(rep, ctx.export_dir), visible=True))

    def on_task(t, p, c, request: gr.Request):
        user = ctx.user(request)
        return shown(lambda: a.quality.trends(t or "", p, CHARTS.get(c, "laney"), user=user))

    def on_file(f, d, lab, p, c, request: gr.Request):
        user = ctx.user(request)
        return shown(lambda: a.quality.trends_file(f or "", d or "", lab or "", p, CHARTS.get(c, "laney"), user=user))

    def on_upload(f, request: gr.Request):
        if f is None:
            return gr.update(choices=[]), gr.update(choices=[]), gr.update(choices=[])
        try:
            authorize(ctx.user(request), Action.view_trends)
            cols, rows = preview(f, rows=5)
        except ShopfloorError as e:
            return gr.update(choices=[], label=f"Problem: {e}"), gr.update(choices=[]), gr.update(choices=[])
        dated = next((c for c in cols if any(k in c.lower() for k in ("date", "datum", "日期", "time", "zeit"))), None)
        return (gr.update(choices=cols, value=dated), gr.update(choices=cols, value=None),
                gr.update(choices=cols, value=text_column(rows)))

    show.click(on_task, [task, period, chart], [head, table, plot], api_name="trends_task")
    show_file.click(on_file, [upload, date_col, label_col, period, chart], [head, table, plot], api_name="trends_file")
    text_col = report.build(gr, ctx, task, period, upload, date_col, label_col)
    upload.change(on_upload, upload, [date_col, label_col, text_col], api_name="trends_preview")
