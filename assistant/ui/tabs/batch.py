"""Batch tab: a CSV/XLSX labelled row by row, a Pareto chart, and the review queue."""

import time
from pathlib import Path

from shopfloor.assistant.pipeline.results import ClassifyRun, ColdStartCheck
from shopfloor.assistant.pipeline.uploads import sheets
from shopfloor.assistant.policy import Action, authorize
from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.review import TEXTS, ReviewQueue
from shopfloor.assistant.ui.views import BUILD_USER, date_column, export_path, pareto_figure, preview, text_column
from shopfloor.errors import ShopfloorError


def previewed(gr, ctx, f, sheet_name: str | None, request) -> tuple:
    """The preview of an upload (``sheet_name``: that sheet; None: the first) and the pickers it fills: text
    column (the longest texts), sheet (shown for a workbook of several), date column (guessed from the header)."""
    none = gr.update(choices=[], value=None)
    if f is None:
        return gr.update(), gr.update(choices=[]), gr.update(choices=[], value=None, visible=False), none
    try:
        authorize(ctx.user(request), Action.ask)  # any signed-in user may preview their own upload
        names = sheets(f) if Path(f).suffix.lower() in (".xlsx", ".xls") else []
        cols, df = preview(f, sheet=sheet_name or (names[0] if names else None))
    except ShopfloorError as e:
        return (gr.update(value=None), gr.update(choices=[], value=None, label=f"Problem: {e}"),
                gr.update(choices=[], value=None, visible=False), none)
    return (df, gr.update(choices=cols, value=text_column(df) if cols else None, label=t("Text column")),
            gr.update(choices=names, value=sheet_name or (names[0] if names else None), visible=len(names) > 1),
            gr.update(choices=[""] + cols, value=date_column(cols) or ""))


def run_summary(s: ClassifyRun, date_col: str | None, check: ColdStartCheck | None) -> str:
    """What a batch run did, first line first: rows, speed, how many need review, dated rows, notes, cold start."""
    again = s.already_queued_or_reviewed
    return (f"**{s.rows} rows** labelled in {s.seconds} s ({s.rows_per_s} rows/s); "
            f"**{s.needs_review} need review**" + (f" ({again} of them already queued or reviewed: not "
                                                     "queued twice)" if again else "") + "."
            + (f" {s.dated} rows dated by column {date_col} for the Trends tab." if date_col else "")
            + "".join(f"\n\nNote: {n}." for n in s.notes)
            + (f"\n\n**Cold start** (no trained model yet: every row goes to review): on {check.reviewed} "
               f"reviewed rows the taxonomy guess was right {check.cold_start_accuracy:.0%}, always the most "
               f"common label {check.majority_class_accuracy:.0%}."
               + (f" **Warning:** {check.warning}." if check.warning else "") if check else ""))


def build(gr, ctx) -> None:
    BatchTab(gr, ctx).wire(gr)


class BatchTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire`; the review queue below."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx, self.a = gr, ctx, ctx.assistant
        tasks = self.a.texts.tasks(user=BUILD_USER)
        gr.Markdown("Upload a CSV or XLSX, pick the text column and the task, and get every row labelled. "
                    "The input file is never changed; low-confidence rows go to the review queue below.")
        self.upload = gr.File(label="CSV / XLSX", file_types=[".csv", ".xlsx"], elem_id="batch-file")
        self.table = gr.Dataframe(label=t("Preview"), interactive=False, max_height=260)
        with gr.Row():
            self.sheet = gr.Dropdown([], label=t("Sheet (XLSX)"), elem_id="batch-sheet", visible=False)
            self.col = gr.Dropdown([], label=t("Text column"), elem_id="batch-col", allow_custom_value=True)
            self.date_col = gr.Dropdown([], label=t("Date column (for trends; optional)"), elem_id="batch-date-col",
                                        allow_custom_value=True)
            self.task = gr.Dropdown(tasks, value="complaint_category" if "complaint_category" in tasks else
                                    (tasks[0] if tasks else None), label=t("Task"), elem_id="batch-task")
            self.run = gr.Button(t("Classify"), variant="primary", elem_id="batch-run")
        self.summary = gr.Markdown(elem_id="batch-summary")
        self.out_file = gr.File(label=t("Labelled file"), elem_id="batch-out")
        self.pareto = gr.Plot(label=t("Pareto"))
        gr.Markdown("### Review queue\nClick a row, pick the right label (the model's alternatives come first) and "
                    "save. A saved label changes the predictions for that text and texts like it at once; the next "
                    "retrain learns from every saved label.")
        self.review = ReviewQueue(gr, ctx, TEXTS)

    def queue_page(self, task, p, user):
        return self.review.rows(task, p, user)

    def sheet_previewed(self, f, name, request):
        gr = self.gr
        if f is None or not name:
            return gr.update(), gr.update(), gr.update(), gr.update()
        return previewed(gr, self.ctx, f, name, request)

    def classified(self, f, c, task, sh, d, request, progress):
        user = self.ctx.user(request)
        if f is None or not c:
            return "Upload a file and pick the text column first.", None, None, *self.queue_page(task, 0, user), 0
        progress(0.0, desc="reading the file")
        t0 = time.monotonic()

        def step(done: int, total: int) -> None:
            left = (time.monotonic() - t0) / done * (total - done) if done else 0
            progress(done / total if total else 0.0, desc=f"{done}/{total} rows, about {left:.0f} s left")
        name = Path(f).name
        out = export_path(f"{Path(name).stem}.classified{Path(name).suffix}", self.ctx.export_dir)
        try:
            s = self.a.texts.classify_file(f, c, task, output=out, progress=step, sheet=sh or None,
                                           date_col=d or None, user=user)
        except ShopfloorError as e:
            return friendly(e), None, None, *self.queue_page(task, 0, user), 0
        progress(1.0)
        try:
            check = self.a.texts.cold_start_check(task, user=user)
        except ShopfloorError:
            check = None
        md = run_summary(s, d, check)
        return (md, s.output, pareto_figure(s.label_counts, f"{task}: {s.rows} rows"),
                *self.queue_page(task, 0, user), 0)

    def task_changed(self, task, request):
        return *self.queue_page(task, 0, self.ctx.user(request)), 0, None

    def loaded(self, request):
        user = self.ctx.user(request)
        now = self.a.texts.tasks(user=user)
        first = "complaint_category" if "complaint_category" in now else (now[0] if now else None)
        return self.gr.update(choices=now, value=first), *self.queue_page(first, 0, user), 0

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        review = self.review
        queue, page_info, page, rid = review.table, review.page_info, review.page, review.chosen
        preview_outs = [self.table, self.col, self.sheet, self.date_col]

        def on_upload(f, request: gr.Request):
            return previewed(gr, self.ctx, f, None, request)

        def on_sheet(f, name, request: gr.Request):
            return self.sheet_previewed(f, name, request)

        def on_run(f, c, t, sh, d, request: gr.Request, progress=gr.Progress()):
            return self.classified(f, c, t, sh, d, request, progress)

        def on_task(t, request: gr.Request):
            return self.task_changed(t, request)

        def on_load(request: gr.Request):
            """New tasks appear without a restart; the queue shows the current page of the chosen task."""
            return self.loaded(request)

        self.upload.change(on_upload, self.upload, preview_outs, api_name="batch_preview")
        self.sheet.input(on_sheet, [self.upload, self.sheet], preview_outs, api_name="batch_sheet")
        self.run.click(on_run, [self.upload, self.col, self.task, self.sheet, self.date_col],
                       [self.summary, self.out_file, self.pareto, queue, page_info, page], api_name="batch_classify")
        self.task.change(on_task, self.task, [queue, page_info, page, rid], api_name="review_queue")
        review.wire(gr, self.task)
        self.ctx.on_load.append((on_load, [self.task, queue, page_info, page], "batch_refresh"))
