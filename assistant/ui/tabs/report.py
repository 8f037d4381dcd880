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
    panel = ReportPanel(gr, ctx, task, period, upload, date_col, label_col)
    panel.wire(gr)
    return panel.text_col, panel.label


class ReportPanel:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire`; the task, period, upload and its
    columns are the Trends tab's inputs."""

    def __init__(self, gr, ctx, task, period, upload, date_col, label_col) -> None:
        self.gr, self.ctx, self.quality = gr, ctx, ctx.assistant.quality
        self.task, self.period, self.upload, self.date_col, self.label_col = task, period, upload, date_col, label_col
        with gr.Accordion(t("8D report draft for a label (cited; edit before sending)"), open=False):
            with gr.Row():
                self.label = gr.Textbox(label=t("Label"), placeholder=t("e.g. the rising label above"),
                                        elem_id="report-label")
                self.text_col = gr.Dropdown([], label=t("Text column (file)"), elem_id="report-text-col",
                                            allow_custom_value=True)
            with gr.Row():
                self.draft_task = gr.Button(t("Draft from the task's rows"), variant="primary", elem_id="report-draft")
                self.draft_file = gr.Button(t("Draft from the file"), elem_id="report-draft-file")
            self.text = gr.Textbox(label=t("Draft (Markdown, editable)"), lines=18, max_lines=60, elem_id="report-text")
            with gr.Row():
                self.docx = gr.Button(t("Export DOCX"), elem_id="report-docx")
                self.pdf = gr.Button(t("Export PDF"), elem_id="report-pdf")
            self.out = gr.File(label=t("Report file"), interactive=False, elem_id="report-file")

    def drafted(self, task, p, lab, request) -> str:
        user = self.ctx.user(request)
        return attempt(lambda: self.quality.report_8d(task or "", lab or "", p, user=user).to_markdown())

    def drafted_file(self, f, d, lab_col, txt_col, p, lab, request) -> str:
        user = self.ctx.user(request)
        return attempt(lambda: self.quality.report_8d_file(f or "", d or "", lab_col or "", txt_col or "", lab or "", p,
                                                           user=user).to_markdown())

    def exported(self, markdown, kind, request):
        from shopfloor.assistant.pipeline.exports import to_docx, to_pdf

        gr, ctx = self.gr, self.ctx
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

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        def on_task(t, p, lab, request: gr.Request):
            return self.drafted(t, p, lab, request)

        def on_file(f, d, lab_col, txt_col, p, lab, request: gr.Request):
            return self.drafted_file(f, d, lab_col, txt_col, p, lab, request)

        def on_docx(markdown, request: gr.Request):
            return self.exported(markdown, "docx", request)

        def on_pdf(markdown, request: gr.Request):
            return self.exported(markdown, "pdf", request)

        self.draft_task.click(on_task, [self.task, self.period, self.label], self.text, api_name="report_task")
        self.draft_file.click(on_file, [self.upload, self.date_col, self.label_col, self.text_col, self.period,
                                        self.label], self.text, api_name="report_file")
        self.docx.click(on_docx, self.text, self.out, api_name="report_docx")
        self.pdf.click(on_pdf, self.text, self.out, api_name="report_pdf")
