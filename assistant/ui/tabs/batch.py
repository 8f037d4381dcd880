"""Batch tab: a CSV/XLSX labelled row by row, a Pareto chart, and the review queue."""

import time
from pathlib import Path

from shopfloor.assistant.pipeline.uploads import sheets
from shopfloor.assistant.policy import Action, authorize
from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.views import BUILD_USER, date_column, export_path, pareto_figure, preview, text_column
from shopfloor.errors import ShopfloorError

QUEUE_HEADERS = ["id", "text", "label", "confidence", "source", "created_at"]
PAGE = 10


def build(gr, ctx) -> None:
    a = ctx.assistant
    tasks = a.texts.tasks(user=BUILD_USER)
    gr.Markdown("Upload a CSV or XLSX, pick the text column and the task, and get every row labelled. "
                "The input file is never changed; low-confidence rows go to the review queue below.")
    upload = gr.File(label="CSV / XLSX", file_types=[".csv", ".xlsx"], elem_id="batch-file")
    table = gr.Dataframe(label=t("Preview"), interactive=False, max_height=260)
    with gr.Row():
        sheet = gr.Dropdown([], label=t("Sheet (XLSX)"), elem_id="batch-sheet", visible=False)
        col = gr.Dropdown([], label=t("Text column"), elem_id="batch-col", allow_custom_value=True)
        date_col = gr.Dropdown([], label=t("Date column (for trends; optional)"), elem_id="batch-date-col",
                               allow_custom_value=True)
        task = gr.Dropdown(tasks, value="complaint_category" if "complaint_category" in tasks else
                           (tasks[0] if tasks else None), label=t("Task"), elem_id="batch-task")
        run = gr.Button(t("Classify"), variant="primary", elem_id="batch-run")
    summary = gr.Markdown(elem_id="batch-summary")
    out_file = gr.File(label=t("Labelled file"), elem_id="batch-out")
    pareto = gr.Plot(label=t("Pareto"))
    gr.Markdown("### Review queue\nClick a row, pick the right label (the model's alternatives come first) and "
                "save. A saved label changes the predictions for that text and texts like it at once; the next "
                "retrain learns from every saved label.")
    queue = gr.Dataframe(headers=QUEUE_HEADERS, interactive=False, elem_id="review-queue", wrap=True)
    with gr.Row():
        prev_b = gr.Button(t("◀ Previous"), size="sm", elem_id="review-prev")
        page_info = gr.Markdown(elem_id="review-page")
        next_b = gr.Button(t("Next ▶"), size="sm", elem_id="review-next")
    page = gr.State(0)
    with gr.Row():
        rid = gr.Number(label=t("Row id"), precision=0, interactive=False, elem_id="review-id")
        new_label = gr.Dropdown([], label=t("Right label"), allow_custom_value=True, elem_id="review-label")
        is_new = gr.Checkbox(label=t("New label (a class the task does not have yet)"), value=False,
                             elem_id="review-new")
        accept = gr.Button(t("Save label"), elem_id="review-save")
    review_note = gr.Markdown(elem_id="review-note")

    def queue_page(t, p, user):
        try:
            items, total = a.texts.queue(t, PAGE, p * PAGE, user=user)
        except ShopfloorError as e:
            return [], friendly(e)
        pages = max(1, -(-total // PAGE))
        rows = [[r["id"], r["text"], r["label"], round(r["confidence"], 3), r["source"], r["created_at"]]
                for r in items]
        return rows, f"page {min(p + 1, pages)} of {pages} · {total} waiting"

    def on_upload(f, request: gr.Request):
        if f is None:
            return gr.update(), gr.update(choices=[]), gr.update(choices=[], value=None, visible=False), \
                gr.update(choices=[], value=None)
        try:
            authorize(ctx.user(request), Action.ask)  # any signed-in user may preview their own upload
            names = sheets(f) if Path(f).suffix.lower() in (".xlsx", ".xls") else []
            cols, df = preview(f, sheet=names[0] if names else None)
        except ShopfloorError as e:
            return (gr.update(value=None), gr.update(choices=[], value=None, label=f"Problem: {e}"),
                    gr.update(choices=[], value=None, visible=False), gr.update(choices=[], value=None))
        return (df, gr.update(choices=cols, value=text_column(df) if cols else None, label=t("Text column")),
                gr.update(choices=names, value=names[0] if names else None, visible=len(names) > 1),
                gr.update(choices=[""] + cols, value=date_column(cols) or ""))

    def on_sheet(f, name, request: gr.Request):
        if f is None or not name:
            return gr.update(), gr.update(), gr.update()
        try:
            authorize(ctx.user(request), Action.ask)
            cols, df = preview(f, sheet=name)
        except ShopfloorError as e:
            return gr.update(value=None), gr.update(choices=[], value=None, label=f"Problem: {e}"), gr.update()
        return (df, gr.update(choices=cols, value=text_column(df) if cols else None, label=t("Text column")),
                gr.update(choices=[""] + cols, value=date_column(cols) or ""))

    def on_run(f, c, t, sh, d, request: gr.Request, progress=gr.Progress()):
        user = ctx.user(request)
        if f is None or not c:
            return "Upload a file and pick the text column first.", None, None, *queue_page(t, 0, user), 0
        progress(0.0, desc="reading the file")
        t0 = time.monotonic()

        def step(done: int, total: int) -> None:
            left = (time.monotonic() - t0) / done * (total - done) if done else 0
            progress(done / total if total else 0.0, desc=f"{done}/{total} rows, about {left:.0f} s left")
        name = Path(f).name
        out = export_path(f"{Path(name).stem}.classified{Path(name).suffix}", ctx.export_dir)
        try:
            s = a.texts.classify_file(f, c, t, output=out, progress=step, sheet=sh or None, date_col=d or None,
                                      user=user)
        except ShopfloorError as e:
            return friendly(e), None, None, *queue_page(t, 0, user), 0
        progress(1.0)
        try:
            check = a.texts.cold_start_check(t, user=user)
        except ShopfloorError:
            check = None
        again = s.get("already_queued_or_reviewed", 0)
        md = (f"**{s['rows']} rows** labelled in {s['seconds']} s ({s['rows_per_s']} rows/s); "
              f"**{s['needs_review']} need review**" + (f" ({again} of them already queued or reviewed: not "
                                                          "queued twice)" if again else "") + "."
              + (f" {s['dated']} rows dated by column {d} for the Trends tab." if d else "")
              + "".join(f"\n\nNote: {n}." for n in s.get("notes", []))
              + (f"\n\n**Cold start** (no trained model yet: every row goes to review): on {check['reviewed']} "
                 f"reviewed rows the taxonomy guess was right {check['cold_start_accuracy']:.0%}, always the most "
                 f"common label {check['majority_class_accuracy']:.0%}."
                 + (f" **Warning:** {check['warning']}." if "warning" in check else "") if check else ""))
        return (md, s["output"], pareto_figure(s["label_counts"], f"{t}: {s['rows']} rows"),
                *queue_page(t, 0, user), 0)

    def on_task(t, request: gr.Request):
        return *queue_page(t, 0, ctx.user(request)), 0, None

    def on_page(t, p, delta, request: gr.Request):
        user = ctx.user(request)
        p = max(0, p + delta)
        rows, info = queue_page(t, p, user)
        if not rows and p > 0:
            p -= 1
            rows, info = queue_page(t, p, user)
        return rows, info, p

    def on_prev(t, p, request: gr.Request):
        return on_page(t, p, -1, request)

    def on_next(t, p, request: gr.Request):
        return on_page(t, p, 1, request)

    def on_select(evt: gr.SelectData):
        """The clicked row's id (no data read here: ``on_pick`` loads the labels and checks the role)."""
        try:
            return int((evt.row_value or [None])[0])
        except (TypeError, ValueError, AttributeError):
            return None

    def on_pick(i, t, request: gr.Request):
        user = ctx.user(request)
        if i is None:
            return gr.update(choices=[], value=None), ""
        try:
            row = a.texts.row(int(i), user=user)
            order = a.texts.label_choices(row["task"], row["text"], user=user)
        except ShopfloorError as e:
            return gr.update(choices=[], value=None), friendly(e)
        return (gr.update(choices=order, value=order[0] if order else None),
                f"Row {int(i)}: the model said **{row['label']}** ({row['confidence']:.2f}).")

    def on_save(i, label, fresh, t, p, request: gr.Request):
        user = ctx.user(request)
        if i is None:
            return "Click a row in the queue first.", *queue_page(t, p, user)
        try:
            c = a.texts.correct(int(i), label or "", new_label=bool(fresh), user=user)
        except ShopfloorError as e:
            return friendly(e), *queue_page(t, p, user)
        return f"Saved: row {c['id']} → **{c['label']}** (was {c['was']}; by {user.name}).", *queue_page(t, p, user)

    def on_load(request: gr.Request):
        """New tasks appear without a restart; the queue shows the current page of the chosen task."""
        user = ctx.user(request)
        now = a.texts.tasks(user=user)
        first = "complaint_category" if "complaint_category" in now else (now[0] if now else None)
        return gr.update(choices=now, value=first), *queue_page(first, 0, user), 0

    upload.change(on_upload, upload, [table, col, sheet, date_col], api_name="batch_preview")
    sheet.input(on_sheet, [upload, sheet], [table, col, date_col], api_name="batch_sheet")
    run.click(on_run, [upload, col, task, sheet, date_col], [summary, out_file, pareto, queue, page_info, page],
              api_name="batch_classify")
    task.change(on_task, task, [queue, page_info, page, rid], api_name="review_queue")
    prev_b.click(on_prev, [task, page], [queue, page_info, page], api_name="review_prev")
    next_b.click(on_next, [task, page], [queue, page_info, page], api_name="review_next")
    queue.select(on_select, None, rid, api_visibility="private")
    rid.change(on_pick, [rid, task], [new_label, review_note], api_name="review_pick")
    accept.click(on_save, [rid, new_label, is_new, task, page], [review_note, queue, page_info],
                 api_name="review_save")
    ctx.on_load.append((on_load, [task, queue, page_info, page], "batch_refresh"))
