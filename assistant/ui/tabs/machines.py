"""Machines tab: the fleet overview (alarming machines first), one machine's status with its control charts,
and its alarms with what they can lead to, acknowledged by name."""

from shopfloor.assistant.ui.common import friendly
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
    machines = [m["id"] for m in ctx.assistant.machines.known(user=BUILD_USER)]
    with gr.Row():
        refresh = gr.Button(t("Refresh fleet"), elem_id="fleet-refresh", scale=0)
        fleet_note = gr.Markdown("Alarming machines first; click a row to open that machine.", elem_id="fleet-note")
    fleet = gr.Dataframe(headers=FLEET_COLUMNS, value=None, interactive=False, wrap=True, elem_id="fleet-table",
                         label=t("Fleet"), static_columns=list(range(len(FLEET_COLUMNS))))
    with gr.Row():
        pick = gr.Dropdown(machines, value=machines[0] if machines else None, label=t("Machine"), elem_id="machine-pick",
                           allow_custom_value=True)  # machines imported after start-up are picked from the fleet
        show = gr.Button(t("Show status"), variant="primary", elem_id="machine-show")
    status = gr.Markdown(elem_id="machine-status")
    alarms = gr.Markdown(elem_id="machine-alarms")
    ack_pick = alarm_actions(gr, ctx, pick, alarms)
    gr.Markdown("**Measured values** — blue band: where each reading was expected; red circles: alarms; dotted line: "
                "start of the last 24 hours.", elem_id="machine-charts-caption")
    charts = gr.Image(show_label=False, type="filepath", interactive=False, elem_id="machine-charts")
    with gr.Accordion("Control-chart view (the series the alarms are computed on)", open=False):
        residuals = gr.Image(show_label=False, type="filepath", interactive=False, elem_id="machine-residuals")
    readings_import(gr, ctx)

    def load_fleet(request: gr.Request):
        try:
            rows = ctx.assistant.machines.fleet(user=ctx.user(request))
        except ShopfloorError as e:
            return None, friendly(e), gr.update()
        alarming = sum(1 for r in rows if r.state == "alarm")
        return fleet_table(rows), (f"**{alarming} of {len(rows)} machine(s) alarming** — worst first; click a row to "
                                   "open that machine." if rows else "No machines registered yet."), \
            gr.update(choices=sorted(r.machine_id for r in rows))

    def run(m, request: gr.Request):
        from shopfloor.assistant.pipeline.render import status_markdown

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

    def select_row(evt: gr.SelectData, table):
        try:
            return table.iloc[evt.index[0], FLEET_COLUMNS.index("Machine")]
        except (AttributeError, IndexError, TypeError):
            return gr.update()

    refresh.click(load_fleet, None, [fleet, fleet_note, pick], api_name="fleet")
    ctx.on_load.append((load_fleet, [fleet, fleet_note, pick], "fleet_refresh"))
    fleet.select(select_row, fleet, pick, api_name=False).then(run, pick, [status, alarms, ack_pick, charts, residuals],
                                                               api_name=False)
    show.click(run, pick, [status, alarms, ack_pick, charts, residuals], api_name="machine_status")
    workorders.build(gr, ctx)


def machine_alarms(gr, ctx, m, user) -> tuple[str, object]:
    """The machine's open or still-active alarms as Markdown, and the picker of its open ones."""
    from shopfloor.assistant.pipeline.render import alarms_markdown

    current = [a for a in ctx.assistant.machines.alarms(machine_id=m, user=user) if a["state"] == "open" or a["active"]]
    choices = [(f"#{a['id']} {a['sensor']} {a['direction']} since {a['first_reading']}", a["id"])
               for a in current if a["state"] == "open"]
    return alarms_markdown(current), gr.update(choices=choices, value=choices[0][1] if choices else None)


def alarm_actions(gr, ctx, pick, alarms) -> object:
    """The open-alarm picker with Acknowledge (a note kept with the name) and Raise a work order; returns the
    picker (a machine's status fills it)."""
    with gr.Row():
        ack_pick = gr.Dropdown([], label=t("Open alarm"), elem_id="alarm-pick", scale=2, allow_custom_value=True)
        ack_note = gr.Textbox(label=t("Note (what was done or decided)"), max_length=500, elem_id="alarm-note", scale=3)
        ack = gr.Button(t("Acknowledge"), elem_id="alarm-ack", scale=1)
        raise_wo = gr.Button(t("Raise a work order"), elem_id="alarm-wo", scale=1)
    ack_msg = gr.Markdown(elem_id="alarm-ack-msg")

    def acknowledge(m, alarm_id, note, request: gr.Request):
        if alarm_id is None:
            return "Pick an open alarm first.", gr.update(), gr.update()
        user = ctx.user(request)
        try:
            a = ctx.assistant.machines.acknowledge(int(alarm_id), note or "", user=user)
            text, choices = machine_alarms(gr, ctx, m, user)
        except ShopfloorError as e:
            return friendly(e), gr.update(), gr.update()
        return (f"Alarm #{a['id']} ({a['sensor']}) acknowledged by **{a['acknowledged_by']}**.", text, choices)

    def work_order(alarm_id, request: gr.Request):
        if alarm_id is None:
            return "Pick an open alarm first."
        try:
            return ctx.assistant.workorders.create_from_alarm(alarm_id, user=ctx.user(request)).to_markdown()
        except ShopfloorError as e:
            return friendly(e)

    ack.click(acknowledge, [pick, ack_pick, ack_note], [ack_msg, alarms, ack_pick], api_name="alarm_acknowledge")
    raise_wo.click(work_order, ack_pick, ack_msg, api_name="alarm_work_order")
    return ack_pick


def readings_import(gr, ctx) -> None:
    """Engineers import a plant's readings file: columns found by name, or mapped by hand, checked first."""
    from shopfloor.assistant.ui.common import attempt

    with gr.Accordion("Import readings (engineers)", open=False):
        file = gr.File(label="Readings file (CSV, XLSX or Parquet: one row per time and machine)",
                       elem_id="readings-file")
        mapping = gr.Textbox(label="Column roles (optional, one per line: COLUMN=ROLE, e.g. Zeit=timestamp, "
                                   "Anlage=machine_id, T1=sensor:°C, Notiz=ignore)", lines=2, elem_id="readings-map")
        with gr.Row():
            check = gr.Button(t("Check columns"), elem_id="readings-check")
            go = gr.Button(t("Import"), variant="primary", elem_id="readings-import")
        note = gr.Markdown(elem_id="readings-note")

    def run(path, roles, request, store: bool):
        if not path:
            return "Choose a file first."
        items = [ln.strip() for ln in (roles or "").replace(";", "\n").splitlines() if ln.strip()]
        a, user = ctx.assistant, ctx.user(request)
        return attempt(lambda: import_summary((a.machines.import_readings if store else a.machines.preview_readings)(
            path, items, user=user), stored=store))

    def on_check(path, roles, request: gr.Request):
        return run(path, roles, request, False)

    def on_import(path, roles, request: gr.Request):
        return run(path, roles, request, True)

    check.click(on_check, [file, mapping], note, api_name="readings_check")
    go.click(on_import, [file, mapping], note, api_name="readings_import")


def import_summary(r: dict, stored: bool) -> str:
    """A readings report for people: what became time, machine and sensors, and what was lost."""
    head = ("Imported" if stored else "Would import") + f" **{r['rows']}** rows of **{r['machines']}** machine(s)."
    lines = [head, f"- time from **{r['roles'].get('timestamp')}**, machine from **{r['roles'].get('machine_id')}**",
             "- sensors: " + (", ".join(f"{s['name']}" + (f" [{s['unit']}]" if s["unit"] and s["unit"] not in s["name"]
                                                          else "" if s["unit"] else " (no unit)")
                                        for s in r["sensors"]) or "none")]
    for key, what in (("missing_cells", "empty or n/a"), ("non_numeric_cells", "not numbers"),
                      ("implausible_cells", "outside the unit's plausible range")):
        lines += [f"- {col}: {n} cells {what} (kept as missing)" for col, n in r[key].items()]
    if r["bad_timestamps"]:
        lines.append(f"- {r['bad_timestamps']} rows without a readable time (skipped)")
    return "\n".join(lines)
