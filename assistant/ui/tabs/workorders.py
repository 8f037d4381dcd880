"""The work-order outbox under the Machines tab: what was raised, whether the CMMS has it, send now, export."""

from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.errors import ShopfloorError

# state first: on a phone the first columns show without scrolling
COLUMNS = ["State", "#", "Priority", "Machine", "Failure mode", "Attempts", "Raised", "Last error"]


def rows_of(orders) -> list[list]:
    return [[w.state, w.id, w.priority, w.asset or "", w.failure_mode or "", w.attempts, w.created_at,
             w.last_error or ""] for w in orders]


class OutboxPanel:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire` (technician and up)."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx, self.service = gr, ctx, ctx.assistant.workorders
        with gr.Accordion(t("Work orders (the outbox to the CMMS)"), open=False):
            with gr.Row():
                self.refresh = gr.Button(t("Refresh"), size="sm", elem_id="wo-refresh")
                self.send = gr.Button(t("Send queued now"), size="sm", elem_id="wo-send")
                self.export = gr.Button(t("Export CSV"), size="sm", elem_id="wo-export")
            self.note = gr.Markdown(elem_id="wo-note")
            self.table = gr.Dataframe(headers=COLUMNS, value=None, interactive=False, wrap=True, elem_id="wo-table")
            self.file = gr.File(label=t("Work orders file"), interactive=False, visible=False, elem_id="wo-file")

    def listed(self, request):
        try:
            orders = self.service.known(200, user=self.ctx.user(request))
        except ShopfloorError as e:
            return friendly(e), None
        waiting = sum(w.state == "queued" for w in orders)
        failed = sum(w.state == "failed" for w in orders)
        head = (f"**{len(orders)} work order(s)**, newest first: {waiting} waiting for the CMMS"
                + (f", **{failed} failed** (retry budget spent)" if failed else "") + "." if orders else
                "No work orders yet: raise one from a diagnosis or an alarm.")
        return head, rows_of(orders)

    def sent(self, request):
        try:
            r = self.service.send(user=self.ctx.user(request))
        except ShopfloorError as e:
            return friendly(e), self.gr.update()
        head, rows = self.listed(request)
        return r.line().capitalize() + ". " + head, rows

    def exported(self, request):
        path = self.ctx.export_dir / "workorders.csv"
        try:
            self.service.export(path, user=self.ctx.user(request))
        except ShopfloorError as e:
            return self.gr.update(value=None, visible=False, label=friendly(e))
        return self.gr.update(value=str(path), visible=True, label=t("Work orders file"))

    def wire(self, gr) -> None:
        def on_refresh(request: gr.Request):
            return self.listed(request)

        def on_send(request: gr.Request):
            return self.sent(request)

        def on_export(request: gr.Request):
            return self.exported(request)

        self.refresh.click(on_refresh, None, [self.note, self.table], api_name="workorders_list")
        self.send.click(on_send, None, [self.note, self.table], api_name="workorders_send")
        self.export.click(on_export, None, self.file, api_name="workorders_export")


def build(gr, ctx) -> None:
    OutboxPanel(gr, ctx).wire(gr)
