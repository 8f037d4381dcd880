"""The Gradio app: thin callbacks over the Assistant. Build with ``build_ui(assistant)``; nothing loads at import."""

from __future__ import annotations

import logging

from assistant.errors import ShopfloorError
from assistant.ui import views

log = logging.getLogger(__name__)
CSS = ".sf-card {font-size: 15px} footer {display: none !important}"


def build_ui(assistant):
    import gradio as gr

    machines = [m["id"] for m in assistant.list_machines()]
    tasks = assistant.tasks()
    with gr.Blocks(title="shopfloor") as demo:
        gr.Markdown("## shopfloor — offline quality assistant\nEvery answer shows where it came from. "
                    "Nothing leaves this machine.")
        with gr.Tab("Chat", id="chat"):
            _chat_tab(gr, assistant)
        with gr.Tab("Diagnose", id="diagnose"):
            _diagnose_tab(gr, assistant, machines)
        with gr.Tab("Batch", id="batch"):
            _batch_tab(gr, assistant, tasks)
        with gr.Tab("Machines", id="machines"):
            _machines_tab(gr, assistant, machines)
        with gr.Tab("Knowledge", id="knowledge"):
            _knowledge_tab(gr, assistant)
        with gr.Tab("Admin", id="admin"):
            _admin_tab(gr, assistant, tasks)
    return demo


def _text(content) -> str:
    """Chat message content as plain text (Gradio 6 may hand back a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return " ".join(_text(c) for c in content)
    return ""


def _friendly(gr, e: Exception) -> str:
    return f"**Problem:** {e}"


def _chat_tab(gr, assistant) -> None:
    chatbot = gr.Chatbot(label="Ask about your machines and manuals", height=420, elem_id="chatbot")
    with gr.Row():
        msg = gr.Textbox(placeholder="e.g. What causes cavitation on P-101?  ·  paste a log  ·  how is HP-601?",
                         show_label=False, scale=5, elem_id="chat-input")
        send = gr.Button("Send", variant="primary", scale=1, elem_id="chat-send")
    with gr.Accordion("Sources of the last answer", open=False, elem_id="sources"):
        sources = gr.Markdown()
    with gr.Row():
        comment = gr.Textbox(placeholder="Comment on the last answer (optional)", show_label=False, scale=4)
        up = gr.Button("Helpful", scale=1, elem_id="thumbs-up")
        down = gr.Button("Not helpful", scale=1, elem_id="thumbs-down")
    feedback_note = gr.Markdown()

    def respond(message, history, request: gr.Request):
        history = list(history or [])
        if not (message or "").strip():
            yield history, "", gr.update()
            return
        past = [{"role": h["role"], "content": _text(h.get("content"))} for h in history]
        history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        try:
            for e in assistant.ask(message, past):
                if e["type"] == "token":
                    history[-1]["content"] += e["text"]
                    yield history, "", gr.update()
                elif e["type"] == "done":
                    history[-1]["content"] = e["answer"]
                    yield history, "", _sources_md(e)
        except ShopfloorError as err:
            history[-1]["content"] = _friendly(gr, err)
            yield history, "", gr.update()

    for trigger in (msg.submit, send.click):
        trigger(respond, [msg, chatbot], [chatbot, msg, sources])

    def rate(value: int):
        def fn(history, text, request: gr.Request):
            if not history or history[-1]["role"] != "assistant":
                return "Ask something first."
            question = next((_text(h["content"]) for h in reversed(history) if h["role"] == "user"), "")
            user = views.user_of(assistant, getattr(request, "username", None))
            assistant.record_feedback(question, _text(history[-1]["content"]), value, text or "", user["name"])
            return "Thanks — feedback stored."
        return fn

    up.click(rate(1), [chatbot, comment], feedback_note)
    down.click(rate(-1), [chatbot, comment], feedback_note)


def _sources_md(done: dict) -> str:
    if not done.get("citations"):
        return "_No sources for this answer._"
    return "\n\n".join(f"**[{c['n']}] {c['citation']}**  \n{c.get('text', '')[:600]}" for c in done["citations"])


def _diagnose_tab(gr, assistant, machines) -> None:
    log_box = gr.Textbox(label="Maintenance log", lines=5, elem_id="diag-log",
                         placeholder="P101 brg nse rumbling, vib up since nightshift, chk pls")
    with gr.Row():
        machine = gr.Dropdown(["(detect from text)"] + machines, value="(detect from text)", label="Machine")
        use_llm = gr.Checkbox(value=False, label="Add a language-model summary (slower)")
        go = gr.Button("Diagnose", variant="primary", elem_id="diag-go")
    card = gr.Markdown(elem_id="diag-card", elem_classes=["sf-card"])

    def run(text, m, llm):
        try:
            d = assistant.diagnose(text, None if m.startswith("(") else m, summary=llm)
            return d.to_markdown()
        except ShopfloorError as e:
            return _friendly(gr, e)

    go.click(run, [log_box, machine, use_llm], card)


def _batch_tab(gr, assistant, tasks) -> None:
    gr.Markdown("Upload a CSV or XLSX, pick the text column and the task, and get every row labelled. "
                "The input file is never changed; low-confidence rows go to the review queue below.")
    upload = gr.File(label="CSV / XLSX", file_types=[".csv", ".xlsx"], elem_id="batch-file")
    preview = gr.Dataframe(label="Preview", interactive=False, max_height=260)
    with gr.Row():
        col = gr.Dropdown([], label="Text column", elem_id="batch-col")
        task = gr.Dropdown(tasks, value="complaint_category" if "complaint_category" in tasks else
                           (tasks[0] if tasks else None), label="Task")
        run = gr.Button("Classify", variant="primary", elem_id="batch-run")
    summary = gr.Markdown(elem_id="batch-summary")
    out_file = gr.File(label="Labelled file", elem_id="batch-out")
    pareto = gr.Plot(label="Pareto")
    gr.Markdown("### Review queue")
    queue = gr.Dataframe(headers=["id", "task", "text", "label", "confidence", "source", "created_at"],
                         interactive=False, elem_id="review-queue")
    with gr.Row():
        rid = gr.Number(label="Row id", precision=0, elem_id="review-id")
        new_label = gr.Dropdown([], label="Correct label", allow_custom_value=True, elem_id="review-label")
        accept = gr.Button("Save label", elem_id="review-save")
    review_note = gr.Markdown(elem_id="review-note")

    def on_upload(f):
        if f is None:
            return gr.update(), gr.update(choices=[])
        try:
            cols, df = views.preview(f)
        except ShopfloorError as e:
            return gr.update(value=None), gr.update(choices=[], value=None, label=f"Problem: {e}")
        guess = next((c for c in cols if c.lower() in ("text", "description", "complaint", "log")), cols[0])
        return df, gr.update(choices=cols, value=guess)

    def on_run(f, c, t, progress=gr.Progress()):
        if f is None or not c:
            return "Upload a file and pick the text column first.", None, None, _queue(t)
        progress(0.1, desc="classifying")
        try:
            s = assistant.classify_file(f, c, t)
        except ShopfloorError as e:
            return _friendly(gr, e), None, None, _queue(t)
        progress(1.0)
        md = (f"**{s['rows']} rows** labelled in {s['seconds']} s ({s['rows_per_s']} rows/s); "
              f"**{s['needs_review']} need review**.")
        return md, s["output"], views.pareto_figure(s["label_counts"], f"{t}: {s['rows']} rows"), _queue(t)

    def _queue(t):
        return [[r["id"], r["task"], r["text"], r["label"], round(r["confidence"], 3), r["source"], r["created_at"]]
                for r in assistant.review_queue(t)]

    def on_task(t):
        try:
            labels = assistant.components.classifiers().labels(t) if t else []
        except ShopfloorError:
            labels = []
        return gr.update(choices=labels), _queue(t)

    def on_save(i, label, t, request: gr.Request):
        user = views.user_of(assistant, getattr(request, "username", None))
        try:
            from assistant.auth import require

            require(user, "engineer")
            assistant.correct(int(i), label, user["name"])
            return f"Saved: row {int(i)} → {label} (by {user['name']}).", _queue(t)
        except (ShopfloorError, ValueError, TypeError) as e:
            return _friendly(gr, e), _queue(t)

    upload.change(on_upload, upload, [preview, col])
    run.click(on_run, [upload, col, task], [summary, out_file, pareto, queue])
    task.change(on_task, task, [new_label, queue])
    accept.click(on_save, [rid, new_label, task], [review_note, queue])


def _machines_tab(gr, assistant, machines) -> None:
    with gr.Row():
        pick = gr.Dropdown(machines, value=machines[0] if machines else None, label="Machine", elem_id="machine-pick")
        show = gr.Button("Show status", variant="primary", elem_id="machine-show")
    status = gr.Markdown(elem_id="machine-status")
    charts = gr.Image(label="Control charts (individuals, Nelson rules; red circles = violations)", type="filepath",
                      interactive=False, elem_id="machine-charts")

    def run(m):
        from assistant.pipeline.render import status_markdown

        if not m:
            return "Pick a machine.", None
        try:
            st = assistant.machine_status(m)
        except ShopfloorError as e:
            return _friendly(gr, e), None
        return f"### {m}\n" + status_markdown(st), (st["charts"][0] if st["charts"] else None)

    show.click(run, pick, [status, charts])


def _knowledge_tab(gr, assistant) -> None:
    files = gr.File(label="Add documents (Markdown, text, HTML, PDF, CSV/XLSX tables)", file_count="multiple",
                    elem_id="kb-files")
    add = gr.Button("Add to the index", variant="primary")
    note = gr.Markdown()
    table = gr.Dataframe(headers=["source", "type", "chunks"], value=views.sources_table(assistant), interactive=False)
    with gr.Row():
        pick = gr.Dropdown([s[0] for s in views.sources_table(assistant)], label="Source to remove")
        remove = gr.Button("Remove", variant="stop")

    def on_add(paths, request: gr.Request):
        user = views.user_of(assistant, getattr(request, "username", None))
        try:
            from assistant.auth import require

            require(user, "engineer")
            r = assistant.add_documents(paths or [], user["name"])
            msg = f"Indexed {r['files']} files ({r['chunks']} chunks)." + "".join(
                f"\n- skipped {s}: {why}" for s, why in r["skipped"])
        except ShopfloorError as e:
            msg = _friendly(gr, e)
        rows = views.sources_table(assistant)
        return msg, rows, gr.update(choices=[s[0] for s in rows])

    def on_remove(source, request: gr.Request):
        user = views.user_of(assistant, getattr(request, "username", None))
        try:
            from assistant.auth import require

            require(user, "engineer")
            n = assistant.remove_source(source, user["name"])
            msg = f"Removed {source} ({n} chunks)."
        except ShopfloorError as e:
            msg = _friendly(gr, e)
        rows = views.sources_table(assistant)
        return msg, rows, gr.update(choices=[s[0] for s in rows], value=None)

    add.click(on_add, files, [note, table, pick])
    remove.click(on_remove, pick, [note, table, pick])


def _admin_tab(gr, assistant, tasks) -> None:
    gr.Markdown("### Models")
    versions = gr.Dataframe(headers=["task", "base", "labels", "train rows", "held-out accuracy", "review threshold",
                                     "created"], value=views.model_versions(assistant), interactive=False)
    with gr.Row():
        task = gr.Dropdown(tasks, value=tasks[0] if tasks else None, label="Task")
        retrain = gr.Button("Retrain with reviewed labels")
    note = gr.Markdown()
    gr.Markdown("### Users")
    with gr.Row():
        name = gr.Textbox(label="Name")
        pw = gr.Textbox(label="Password (8+ characters)", type="password")
        role = gr.Dropdown(["viewer", "technician", "engineer", "admin"], value="technician", label="Role")
        add = gr.Button("Add user")
    users = gr.Dataframe(headers=["name", "role", "created_at"], interactive=False)
    gr.Markdown("### Audit log")
    audit = gr.Dataframe(headers=["id", "created_at", "user", "action", "detail"], interactive=False)
    refresh = gr.Button("Refresh")

    def tables():
        from assistant import auth

        with assistant.ws.connect() as conn:
            u = [[r["name"], r["role"], r["created_at"]] for r in auth.list_users(conn)]
        a = [[r["id"], r["created_at"], r["user"], r["action"], r["detail"]] for r in assistant.audit_log()]
        return u, a, views.model_versions(assistant)

    def on_retrain(t, request: gr.Request, progress=gr.Progress()):
        from assistant.auth import require

        user = views.user_of(assistant, getattr(request, "username", None))
        try:
            require(user, "admin")
            progress(0.1, desc=f"retraining {t}")
            r = assistant.retrain(t, user["name"])
            msg = f"Retrained {t} with {r['reviewed_rows']} reviewed rows; held-out accuracy {r['calib_accuracy']}."
        except ShopfloorError as e:
            msg = _friendly(gr, e)
        return (msg, *tables())

    def on_add(n, p, r, request: gr.Request):
        from assistant import auth

        user = views.user_of(assistant, getattr(request, "username", None))
        try:
            auth.require(user, "admin")
            with assistant.ws.connect() as conn:
                auth.add_user(conn, n, p, r, by=user["name"])
            msg = f"User {n} ({r}) added."
        except ShopfloorError as e:
            msg = _friendly(gr, e)
        return (msg, *tables())

    retrain.click(on_retrain, task, [note, users, audit, versions])
    add.click(on_add, [name, pw, role], [note, users, audit, versions])
    refresh.click(tables, None, [users, audit, versions])
