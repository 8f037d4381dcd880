"""Machines tab: the fleet overview (alarming machines first), one machine's status with its control charts,
and its alarms with what they can lead to, acknowledged by name."""

from shopfloor.assistant.pipeline.results import ImportReport
from shopfloor.assistant.ui.common import attempt, friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.tabs import workorders
from shopfloor.assistant.ui.views import BUILD_USER, export
from shopfloor.errors import ShopfloorError

# state and machine first: on a phone only the first two columns show without scrolling
FLEET_COLUMNS = ["State", "Machine", "Alarms", "Since", "Worst signal", "Failure risk", "Type"]


def fleet_table(rows) -> list[list]:
    """The fleet overview as table rows (risk as a percentage, or why it is unknown)."""
    out = []
    for r in rows:
        risk = (f"{r.failure_probability:.0%}" if r.failure_probability is not None else
                f"unknown: {r.risk_unknown}" if r.risk_unknown else "n/a")
        out.append([r.state.upper() if r.state == "alarm" else r.state, r.machine_id, r.open_alarms, r.since or "",
                    r.worst, risk, r.type])
    return out


def build(gr, ctx) -> None:
    MachinesTab(gr, ctx).wire(gr)


class MachinesTab:
    """Layout in ``__init__`` (the alarm actions, the readings import and the work-order outbox are panels of their
    own), one method per event, the wiring in :meth:`wire`."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx = gr, ctx
        machines = [m.id for m in ctx.assistant.machines.known(user=BUILD_USER)]
        with gr.Row():
            self.refresh = gr.Button(t("Refresh fleet"), elem_id="fleet-refresh", scale=0)
            self.fleet_note = gr.Markdown("Alarming machines first; click a row to open that machine.",
                                          elem_id="fleet-note")
        self.fleet = gr.Dataframe(headers=FLEET_COLUMNS, value=None, interactive=False, wrap=True, elem_id="fleet-table",
                                  label=t("Fleet"), static_columns=list(range(len(FLEET_COLUMNS))))
        with gr.Row():
            self.pick = gr.Dropdown(machines, value=machines[0] if machines else None, label=t("Machine"),
                                    elem_id="machine-pick",
                                    allow_custom_value=True)  # machines imported after start-up are picked from the fleet
            self.show = gr.Button(t("Show status"), variant="primary", elem_id="machine-show")
        self.status = gr.Markdown(elem_id="machine-status")
        self.alarms = gr.Markdown(elem_id="machine-alarms")
        self.alarm_panel = AlarmPanel(gr, ctx, self.pick, self.alarms)
        gr.Markdown("**Measured values** — blue band: where each reading was expected; red circles: alarms; dotted "
                    "line: start of the last 24 hours.", elem_id="machine-charts-caption")
        self.charts = gr.Image(show_label=False, type="filepath", interactive=False, elem_id="machine-charts")
        with gr.Accordion("Control-chart view (the series the alarms are computed on)", open=False):
            self.residuals = gr.Image(show_label=False, type="filepath", interactive=False, elem_id="machine-residuals")
        self.readings = ReadingsImport(gr, ctx)
        self.outbox = workorders.OutboxPanel(gr, ctx)

    def fleet_loaded(self, request):
        gr = self.gr
        try:
            rows = self.ctx.assistant.machines.fleet(user=self.ctx.user(request))
        except ShopfloorError as e:
            return None, friendly(e), gr.update()
        alarming = sum(1 for r in rows if r.state == "alarm")
        return fleet_table(rows), (f"**{alarming} of {len(rows)} machine(s) alarming** — worst first; click a row to "
                                   "open that machine." if rows else "No machines registered yet."), \
            gr.update(choices=sorted(r.machine_id for r in rows))

    def shown(self, m, request):
        from shopfloor.assistant.pipeline.render import status_markdown

        gr, ctx = self.gr, self.ctx
        if not m:
            return "Pick a machine.", "", gr.update(choices=[], value=None), None, None
        user = ctx.user(request)
        try:
            st = ctx.assistant.machines.status(m, user=user)
            text, choices = machine_alarms(gr, ctx, st.machine_id, user)
        except ShopfloorError as e:
            return friendly(e), "", gr.update(choices=[], value=None), None, None
        shown = [export(c, ctx.export_dir) for c in st.charts[:2]] + [None, None]
        return f"### {st.machine_id}\n" + status_markdown(st), text, choices, shown[0], shown[1]

    def row_selected(self, evt, table):
        try:
            return table.iloc[evt.index[0], FLEET_COLUMNS.index("Machine")]
        except (AttributeError, IndexError, TypeError):
            return self.gr.update()

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        self.alarm_panel.wire(gr)
        self.readings.wire(gr)

        def load_fleet(request: gr.Request):
            return self.fleet_loaded(request)

        def run(m, request: gr.Request):
            return self.shown(m, request)

        def select_row(evt: gr.SelectData, table):
            return self.row_selected(evt, table)

        status = [self.status, self.alarms, self.alarm_panel.ack_pick, self.charts, self.residuals]
        self.refresh.click(load_fleet, None, [self.fleet, self.fleet_note, self.pick], api_name="fleet")
        self.ctx.on_load.append((load_fleet, [self.fleet, self.fleet_note, self.pick], "fleet_refresh"))
        self.fleet.select(select_row, self.fleet, self.pick, api_name=False).then(run, self.pick, status,
                                                                                  api_name=False)
        self.show.click(run, self.pick, status, api_name="machine_status")
        self.outbox.wire(gr)


def machine_alarms(gr, ctx, m, user) -> tuple[str, object]:
    """The machine's open or still-active alarms as Markdown, and the picker of its open ones."""
    from shopfloor.assistant.pipeline.alarms import alarms_markdown

    current = [a for a in ctx.assistant.machines.alarms(machine_id=m, user=user) if a.state == "open" or a.active]
    choices = [(f"#{a.id} {a.sensor} {a.direction} since {a.first_reading}", a.id) for a in current
               if a.state == "open"]
    return alarms_markdown(current), gr.update(choices=choices, value=choices[0][1] if choices else None)


class AlarmPanel:
    """The open-alarm picker (:attr:`ack_pick`, a machine's status fills it) with Acknowledge (a note kept with the
    name) and Raise a work order; ``pick`` is the machine picker, ``alarms`` the Markdown of its alarms."""

    def __init__(self, gr, ctx, pick, alarms) -> None:
        self.gr, self.ctx, self.pick, self.alarms = gr, ctx, pick, alarms
        with gr.Row():
            self.ack_pick = gr.Dropdown([], label=t("Open alarm"), elem_id="alarm-pick", scale=2, allow_custom_value=True)
            self.ack_note = gr.Textbox(label=t("Note (what was done or decided)"), max_length=500, elem_id="alarm-note",
                                       scale=3)
            self.ack = gr.Button(t("Acknowledge"), elem_id="alarm-ack", scale=1)
            self.raise_wo = gr.Button(t("Raise a work order"), elem_id="alarm-wo", scale=1)
        self.ack_msg = gr.Markdown(elem_id="alarm-ack-msg")

    def acknowledged(self, m, alarm_id, note, request):
        gr, ctx = self.gr, self.ctx
        if alarm_id is None:
            return "Pick an open alarm first.", gr.update(), gr.update()
        user = ctx.user(request)
        try:
            a = ctx.assistant.machines.acknowledge(int(alarm_id), note or "", user=user)
            text, choices = machine_alarms(gr, ctx, m, user)
        except ShopfloorError as e:
            return friendly(e), gr.update(), gr.update()
        return (f"Alarm #{a.id} ({a.sensor}) acknowledged by **{a.acknowledged_by}**.", text, choices)

    def work_order(self, alarm_id, request) -> str:
        if alarm_id is None:
            return "Pick an open alarm first."
        try:
            return self.ctx.assistant.workorders.create_from_alarm(alarm_id, user=self.ctx.user(request)).to_markdown()
        except ShopfloorError as e:
            return friendly(e)

    def wire(self, gr) -> None:
        def acknowledge(m, alarm_id, note, request: gr.Request):
            return self.acknowledged(m, alarm_id, note, request)

        def work_order(alarm_id, request: gr.Request):
            return self.work_order(alarm_id, request)

        self.ack.click(acknowledge, [self.pick, self.ack_pick, self.ack_note], [self.ack_msg, self.alarms, self.ack_pick],
                       api_name="alarm_acknowledge")
        self.raise_wo.click(work_order, self.ack_pick, self.ack_msg, api_name="alarm_work_order")


class ReadingsImport:
    """Engineers import a plant's readings file: columns found by name, or mapped by hand, checked first."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx = gr, ctx
        with gr.Accordion("Import readings (engineers)", open=False):
            self.file = gr.File(label="Readings file (CSV, XLSX or Parquet: one row per time and machine)",
                                elem_id="readings-file")
            self.mapping = gr.Textbox(label="Column roles (optional, one per line: COLUMN=ROLE, e.g. Zeit=timestamp, "
                                            "Anlage=machine_id, T1=sensor:°C, Notiz=ignore)", lines=2,
                                      elem_id="readings-map")
            with gr.Row():
                self.check = gr.Button(t("Check columns"), elem_id="readings-check")
                self.go = gr.Button(t("Import"), variant="primary", elem_id="readings-import")
            self.note = gr.Markdown(elem_id="readings-note")

    def run(self, path, roles, request, store: bool) -> str:
        if not path:
            return "Choose a file first."
        items = [ln.strip() for ln in (roles or "").replace(";", "\n").splitlines() if ln.strip()]
        a, user = self.ctx.assistant, self.ctx.user(request)
        return attempt(lambda: import_summary((a.machines.import_readings if store else a.machines.preview_readings)(
            path, items, user=user), stored=store))

    def wire(self, gr) -> None:
        def on_check(path, roles, request: gr.Request):
            return self.run(path, roles, request, False)

        def on_import(path, roles, request: gr.Request):
            return self.run(path, roles, request, True)

        self.check.click(on_check, [self.file, self.mapping], self.note, api_name="readings_check")
        self.go.click(on_import, [self.file, self.mapping], self.note, api_name="readings_import")


def import_summary(r: ImportReport, stored: bool) -> str:
    """A readings report for people: what became time, machine and sensors, and what was lost."""
    head = ("Imported" if stored else "Would import") + f" **{r.rows}** rows of **{r.machines}** machine(s)."
    lines = [head, f"- time from **{r.roles.get('timestamp')}**, machine from **{r.roles.get('machine_id')}**",
             "- sensors: " + (", ".join(s.name + (f" [{s.unit}]" if s.unit and s.unit not in s.name
                                                  else "" if s.unit else " (no unit)")
                                        for s in r.sensors) or "none")]
    for lost, what in ((r.missing_cells, "empty or n/a"), (r.non_numeric_cells, "not numbers"),
                       (r.implausible_cells, "outside the unit's plausible range")):
        lines += [f"- {col}: {n} cells {what} (kept as missing)" for col, n in lost.items()]
    if r.bad_timestamps:
        lines.append(f"- {r.bad_timestamps} rows without a readable time (skipped)")
    return "\n".join(lines)
