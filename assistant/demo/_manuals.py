"""Markdown manuals for the demo machines: overview, safety, maintenance plan, troubleshooting, codes, parts."""

from __future__ import annotations

from shopfloor.assistant.demo._plant import MACHINES, TROUBLE

INTERVALS = {
    "centrifugal pump": [("Daily", "Check for leaks at the shaft seal and listen for bearing noise."),
                         ("Monthly", "Measure vibration at both bearing housings; trend the values."),
                         ("Every 4000 h", "Change bearing oil; inspect coupling and alignment.")],
    "CNC mill": [("Daily", "Check way oil and coolant level; remove chips from the work area."),
                 ("Weekly", "Clean the coolant filter and the cabinet cooler filter."),
                 ("Every 2000 h", "Check axis backlash and spindle run-out (max 0.003 mm).")],
    "injection moulding press": [("Daily", "Check heater zone temperatures against set points; inspect hoses for oil."),
                                 ("Monthly", "Check clamp tonnage and platen parallelism."),
                                 ("Every 5000 h", "Change hydraulic oil and filters; calibrate the screw transducer.")],
    "belt conveyor": [("Daily", "Check belt tracking and listen for squeaking rollers."),
                      ("Monthly", "Check belt tension and pulley lagging; clean photo-eyes."),
                      ("Every 3000 h", "Change gearbox oil (ISO VG 220).")],
    "screw air compressor": [("Daily", "Read discharge temperature and pressure; drain condensate."),
                             ("Every 2000 h", "Replace intake filter AF-50; check oil level."),
                             ("Every 4000 h", "Replace oil, oil filter and separator element OS-50.")],
    "hydraulic press": [("Daily", "Test the light curtain; check oil level and temperature."),
                        ("Monthly", "Inspect cylinder rod and hoses for leaks; check gib clearance."),
                        ("Every 2000 h", "Replace return filter RF-25; take an oil sample.")],
}


def _title(machine_id: str) -> tuple[str, str]:
    for mid, name, mtype, _line in MACHINES:
        if mid == machine_id:
            return name, mtype
    raise KeyError(machine_id)


def render_manual(machine_id: str) -> str:
    """The whole manual for one machine as Markdown (headings, tables, codes, part numbers)."""
    name, mtype = _title(machine_id)
    rows = TROUBLE[machine_id]
    out = [f"# {name} — operating and maintenance manual", "",
           f"Machine type: {mtype}. Machine id on the plant floor: **{machine_id}**. This manual is part of the",
           "fictional shopfloor demo plant.", "", "## Safety", "",
           "Lock out and tag out the machine before opening any guard. Release stored energy (pressure, springs,",
           "suspended loads) before work. Only trained staff may reset safety devices.", "",
           "## Maintenance schedule", "", "| Interval | Task |", "|---|---|"]
    out += [f"| {interval} | {task} |" for interval, task in INTERVALS[mtype]]
    out += ["", "## Troubleshooting", "",
            "Find the symptom, check the causes in order, apply the remedy. Record every repair in the maintenance log.",
            "", "| Symptom | Possible cause | Remedy |", "|---|---|---|"]
    out += [f"| {sym} | {cause} | {remedy} |" for _m, _c, sym, cause, remedy, _a, _code in rows]
    out += ["", "## Error codes", "", "| Code | Meaning | First action |", "|---|---|---|"]
    out += [f"| {code} | {sym} | {remedy.split(';')[0]} |" for _m, _c, sym, _cause, remedy, _a, code in rows if code]
    out += ["", "## Symptoms in detail"]
    for mode, comp, sym, cause, remedy, _a, _code in rows:
        out += ["", f"### {sym.split(',')[0]}", "",
                f"This symptom usually points to {mode.replace('_', ' ')} of the {comp}. {cause}. {remedy}.",
                "After the repair, run the machine for 15 minutes and confirm the symptom is gone before release."]
    parts = sorted({tok.strip("().;,") for r in rows for tok in r[4].split() if "-" in tok and tok[0].isupper()})
    out += ["", "## Spare parts", "", "| Part number | Use |", "|---|---|"]
    out += [f"| {p} | see Troubleshooting |" for p in parts if any(ch.isdigit() for ch in p)]
    return "\n".join(out) + "\n"
