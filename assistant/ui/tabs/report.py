"""The 8D report draft under the Trends tab: drafted for a label from the same rows, edited here, exported as the
edited text (Markdown, DOCX or PDF)."""

import re

from shopfloor.assistant.policy import Action, authorize
from shopfloor.assistant.ui.common import attempt, friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.errors import ShopfloorError


def build(gr, ctx, task, period, upload, date_col, label_col) -> tuple[object, object]:
    """The accordion under the Trends tab; returns its text-column picker (the upload's preview fills it) and its
    label box (the label opened above fills it)."""
    a = ctx.assistant
    with gr.Accordion(t("8D report draft for a label (cited; edit before sending)"), open=False):
        with gr.Row():
            label = gr.Textbox(label=t("Label"), placeholder=t("e.g. the rising label above"), elem_id="report-label")
            text_col = gr.Dropdown([], label=t("Text column (file)"), elem_id="report-text-col", allow_custom_value=True)
        with gr.Row():
            draft_task = gr.Button(t("Draft from the task's rows"), variant="primary", elem_id="report-draft")
            draft_file = gr.Button(t("Draft from the file"), elem_id="report-draft-file")
        text = gr.Textbox(label=t("Draft (Markdown, editable)"), lines=18, max_lines=60, elem_id="report-text")
        with gr.Row():
            docx = gr.Button(t("Export DOCX"), elem_id="report-docx")
            pdf = gr.Button(t("Export PDF"), elem_id="report-pdf")
        out = gr.File(label=t("Report file"), interactive=False, elem_id="report-file")

    def on_task(t, p, lab, request: gr.Request):
        user = ctx.user(request)
        return attempt(lambda: a.quality.report_8d(t or "", lab or "", p, user=user).to_markdown())

    def on_file(f, d, lab_col, txt_col, p, lab, request: gr.Request):
        user = ctx.user(request)
        return attempt(lambda: a.quality.report_8d_file(f or "", d or "", lab_col or "", txt_col or "", lab or "", p,
                                                user=user).to_markdown())

    def exported(markdown, kind, request):
        from shopfloor.assistant.pipeline.exports import to_docx, to_pdf

        try:
            authorize(ctx.user(request), Action.draft_report)
            if not (markdown or "").strip():
                return gr.update(value=None, label="Draft a report first")
            title = re.sub(r"[^\w-]+", "-", (markdown.splitlines()[0] if markdown else "report"))[:60].strip("-")
            path = ctx.export_dir / f"{title or 'report'}.{kind}"
            path.write_bytes(to_docx(markdown) if kind == "docx" else to_pdf(markdown))
            return gr.update(value=str(path), label=t("Report file"))
        except ShopfloorError as e:
            return gr.update(value=None, label=friendly(e))

    draft_task.click(on_task, [task, period, label], text, api_name="report_task")
    draft_file.click(on_file, [upload, date_col, label_col, text_col, period, label], text, api_name="report_file")
    def on_docx(markdown, request: gr.Request):
        return exported(markdown, "docx", request)

    def on_pdf(markdown, request: gr.Request):
        return exported(markdown, "pdf", request)

    docx.click(on_docx, text, out, api_name="report_docx")
    pdf.click(on_pdf, text, out, api_name="report_pdf")
    return text_col, label
