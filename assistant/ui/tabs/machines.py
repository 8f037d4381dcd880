"""Machines tab: one machine's status with its control charts."""

from shopfloor.assistant.ui.app import friendly
from shopfloor.assistant.ui.views import BUILD_USER, export
from shopfloor.errors import ShopfloorError


def build(gr, ctx) -> None:
    machines = [m["id"] for m in ctx.assistant.list_machines(user=BUILD_USER)]
    with gr.Row():
        pick = gr.Dropdown(machines, value=machines[0] if machines else None, label="Machine", elem_id="machine-pick")
        show = gr.Button("Show status", variant="primary", elem_id="machine-show")
    status = gr.Markdown(elem_id="machine-status")
    charts = gr.Image(label="Control charts (individuals, Nelson rules; red circles = violations)", type="filepath",
                      interactive=False, elem_id="machine-charts")

    def run(m, request: gr.Request):
        from shopfloor.assistant.pipeline.render import status_markdown

        if not m:
            return "Pick a machine.", None
        try:
            st = ctx.assistant.machine_status(m, user=ctx.user(request))
        except ShopfloorError as e:
            return friendly(e), None
        chart = export(st.charts[0], ctx.export_dir) if st.charts else None
        return f"### {st.machine_id}\n" + status_markdown(st), chart

    show.click(run, pick, [status, charts], api_name="machine_status")
