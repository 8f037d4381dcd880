"""Diagnose tab: a pasted log -> the diagnosis card."""

from shopfloor.assistant.ui.app import friendly
from shopfloor.assistant.ui.views import BUILD_USER
from shopfloor.errors import ShopfloorError

DETECT = "(detect from text)"


def build(gr, ctx) -> None:
    machines = [m["id"] for m in ctx.assistant.list_machines(user=BUILD_USER)]
    log_box = gr.Textbox(label="Maintenance log", lines=5, elem_id="diag-log",
                         placeholder="P101 brg nse rumbling, vib up since nightshift, chk pls")
    with gr.Row():
        machine = gr.Dropdown([DETECT] + machines, value=DETECT, label="Machine")
        use_llm = gr.Checkbox(value=False, label="Add a language-model summary (slower)")
        go = gr.Button("Diagnose", variant="primary", elem_id="diag-go")
    card = gr.Markdown(elem_id="diag-card", elem_classes=["sf-card"])

    def run(text, m, llm, request: gr.Request):
        try:
            d = ctx.assistant.diagnose(text or "", None if not m or m == DETECT else m, summary=bool(llm),
                                       user=ctx.user(request))
            return d.to_markdown()
        except ShopfloorError as e:
            return friendly(e)

    go.click(run, [log_box, machine, use_llm], card, api_name="diagnose")
