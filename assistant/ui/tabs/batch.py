"""Batch tab: a CSV/XLSX labelled row by row, a Pareto chart, and the review queue."""

import time
from pathlib import Path

from shopfloor.assistant.policy import Action, authorize
from shopfloor.assistant.ui.app import friendly
from shopfloor.assistant.ui.views import BUILD_USER, export_path, pareto_figure, preview
from shopfloor.errors import ShopfloorError

QUEUE_HEADERS = ["id", "task", "text", "label", "confidence", "source", "created_at"]


def build(gr, ctx) -> None:
    a = ctx.assistant
    tasks = a.tasks(user=BUILD_USER)
    gr.Markdown("Upload a CSV or XLSX, pick the text column and the task, and get every row labelled. "
                "The input file is never changed; low-confidence rows go to the review queue below.")
    upload = gr.File(label="CSV / XLSX", file_types=[".csv", ".xlsx"], elem_id="batch-file")
    table = gr.Dataframe(label="Preview", interactive=False, max_height=260)
    with gr.Row():
        col = gr.Dropdown([], label="Text column", elem_id="batch-col", allow_custom_value=True)
        task = gr.Dropdown(tasks, value="complaint_category" if "complaint_category" in tasks else
                           (tasks[0] if tasks else None), label="Task")
        run = gr.Button("Classify", variant="primary", elem_id="batch-run")
    summary = gr.Markdown(elem_id="batch-summary")
    out_file = gr.File(label="Labelled file", elem_id="batch-out")
    pareto = gr.Plot(label="Pareto")
    gr.Markdown("### Review queue")
    queue = gr.Dataframe(headers=QUEUE_HEADERS, interactive=False, elem_id="review-queue")
    with gr.Row():
        rid = gr.Number(label="Row id", precision=0, elem_id="review-id")
        new_label = gr.Dropdown([], label="Correct label", allow_custom_value=True, elem_id="review-label")
        accept = gr.Button("Save label", elem_id="review-save")
    review_note = gr.Markdown(elem_id="review-note")

    def rows(t, user):
        try:
            return [[r["id"], r["task"], r["text"], r["label"], round(r["confidence"], 3), r["source"],
                     r["created_at"]] for r in a.review_queue(t, user=user)]
        except ShopfloorError:
            return []

    def on_upload(f, request: gr.Request):
        if f is None:
            return gr.update(), gr.update(choices=[])
        try:
            authorize(ctx.user(request), Action.ask)  # any signed-in user may preview their own upload
            cols, df = preview(f)
        except ShopfloorError as e:
            return gr.update(value=None), gr.update(choices=[], value=None, label=f"Problem: {e}")
        guess = next((c for c in cols if c.lower() in ("text", "description", "complaint", "log")), cols[0])
        return df, gr.update(choices=cols, value=guess)

    def on_run(f, c, t, request: gr.Request, progress=gr.Progress()):
        user = ctx.user(request)
        if f is None or not c:
            return "Upload a file and pick the text column first.", None, None, rows(t, user)
        progress(0.0, desc="reading the file")
        t0 = time.monotonic()

        def step(done: int, total: int) -> None:
            left = (time.monotonic() - t0) / done * (total - done) if done else 0
            progress(done / total if total else 0.0, desc=f"{done}/{total} rows, about {left:.0f} s left")
        name = Path(f).name
        out = export_path(f"{Path(name).stem}.classified{Path(name).suffix}", ctx.export_dir)
        try:
            s = a.classify_file(f, c, t, output=out, progress=step, user=user)
        except ShopfloorError as e:
            return friendly(e), None, None, rows(t, user)
        progress(1.0)
        md = (f"**{s['rows']} rows** labelled in {s['seconds']} s ({s['rows_per_s']} rows/s); "
              f"**{s['needs_review']} need review**.")
        return md, s["output"], pareto_figure(s["label_counts"], f"{t}: {s['rows']} rows"), rows(t, user)

    def on_task(t, request: gr.Request):
        user = ctx.user(request)
        try:
            labels = a.labels(t, user=user)
        except ShopfloorError:
            labels = []
        return gr.update(choices=labels), rows(t, user)

    def on_save(i, label, t, request: gr.Request):
        user = ctx.user(request)
        if i is None:
            return "Enter the row id from the queue first.", rows(t, user)
        try:
            a.correct(int(i), label or "", user=user)
            return f"Saved: row {int(i)} → {label} (by {user.name}).", rows(t, user)
        except ShopfloorError as e:
            return friendly(e), rows(t, user)
        except (ValueError, OverflowError):
            return "The row id must be a whole number from the queue.", rows(t, user)

    upload.change(on_upload, upload, [table, col], api_name="batch_preview")
    run.click(on_run, [upload, col, task], [summary, out_file, pareto, queue], api_name="batch_classify")
    task.change(on_task, task, [new_label, queue], api_name="review_queue")
    accept.click(on_save, [rid, new_label, task], [review_note, queue], api_name="review_save")
