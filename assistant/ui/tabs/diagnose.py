"""Diagnose tab: a pasted log -> the diagnosis card."""

from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.views import BUILD_USER
from shopfloor.errors import ShopfloorError

DETECT = "(detect from text)"


def build(gr, ctx) -> None:
    DiagnoseTab(gr, ctx).wire(gr)


class DiagnoseTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire`."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx = gr, ctx
        machines = [m.id for m in ctx.assistant.machines.known(user=BUILD_USER)]
        self.log_box = gr.Textbox(label=t("Maintenance log"), lines=5, elem_id="diag-log",
                                  placeholder="P101 brg nse rumbling, vib up since nightshift, chk pls")
        with gr.Row():
            self.machine = gr.Dropdown([DETECT] + machines, value=DETECT, label=t("Machine"))
            self.use_llm = gr.Checkbox(value=False, label=t("Add a language-model summary (slower)"))
            self.go = gr.Button(t("Diagnose"), variant="primary", elem_id="diag-go")
        with gr.Row():
            with gr.Column(scale=3, min_width=320):  # a phone puts the photo under the card, never beside a 60 px strip
                self.card = gr.Markdown(elem_id="diag-card", elem_classes=["sf-card"])
            with gr.Column(scale=0, min_width=260):
                self.photo = gr.Image(label=t("Photo of the part (optional)"), type="filepath", height=220,
                                      sources=["upload", "webcam", "clipboard"], elem_id="diag-photo")
                self.photo_out = gr.Image(label=t("Inspection heatmap"), interactive=False, height=220, visible=False,
                                          elem_id="diag-photo-out")
        with gr.Row():
            self.raise_wo = gr.Button(t("Raise a work order from this log"), elem_id="diag-wo", size="sm")
            self.wo_note = gr.Markdown(elem_id="diag-wo-note")

    def diagnosed(self, text, m, llm, photo_path, request):
        from pathlib import Path

        gr = self.gr
        try:
            pic = (Path(photo_path).name, Path(photo_path).read_bytes()) if photo_path else None
            d = self.ctx.assistant.diagnose(text or "", None if not m or m == DETECT else m, summary=bool(llm),
                                            photo=pic, user=self.ctx.user(request))
        except ShopfloorError as e:
            return friendly(e), gr.update(visible=False, value=None)
        if pic and d.photo_heatmap is not None:
            from shopfloor.assistant.pipeline.uploads import with_heatmap

            return d.to_markdown(), gr.update(visible=True, value=with_heatmap(pic[1], d.photo_heatmap, pic[0]))
        return d.to_markdown(), gr.update(visible=False, value=None)

    def work_order(self, text, m, request) -> str:
        try:
            wo = self.ctx.assistant.workorders.create(text or "", None if not m or m == DETECT else m,
                                                      user=self.ctx.user(request))
        except ShopfloorError as e:
            return friendly(e)
        return wo.to_markdown()

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        def run(text, m, llm, photo_path, request: gr.Request):
            return self.diagnosed(text, m, llm, photo_path, request)

        def work_order(text, m, request: gr.Request):
            return self.work_order(text, m, request)

        self.go.click(run, [self.log_box, self.machine, self.use_llm, self.photo], [self.card, self.photo_out],
                      api_name="diagnose")
        self.raise_wo.click(work_order, [self.log_box, self.machine], self.wo_note, api_name="raise_work_order")
