"""Markdown for people: the diagnosis card and a machine status block (used by the CLI, the UI and the API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopfloor.assistant.pipeline.inspection import InspectedPhoto
    from shopfloor.sensors import MachineStatus


def _pct(v) -> str:
    return f"{v:.0%}" if isinstance(v, (int, float)) else "n/a"


def status_markdown(st: MachineStatus | None) -> str:
    if st is None:
        return ""
    rul = f"{st.rul:.0f} {getattr(st, 'rul_unit', 'cycles')}" if st.rul is not None else "n/a"
    lines = [f"- **Failure probability (latest reading):** {_pct(st.failure_probability)}"
             + (f" — most likely type if it fails: {st.failure_type}" if st.failure_type else ""),
             f"- **Remaining useful life:** {rul}"]
    shown = [e for e in st.explanation if "typical" in e and e["contribution"] >= 0.02]  # 2 points or more
    if shown:
        what = f"the {st.explanation[0]['failure_type']} risk" if "failure_type" in st.explanation[0] else "the risk"
        lines.insert(1, f"- **What drives {what}:** " + "; ".join(
            f"{e['feature']} {e['value']:g} (typical {e['typical']:g}): +{100 * e['contribution']:.0f} points"
            for e in shown))
    an = st.anomaly or {}
    if an:
        sens = ", ".join(f"{s['sensor']} (z={s['robust_z']:+.1f})" for s in an.get("sensors", [])) or "none stand out"
        lines.append(f"- **Anomaly score (last 24 hours):** {an['score']:.2f}"
                     f"{' — ANOMALOUS' if an.get('anomalous') else ''}; sensors: {sens}")
    v = st.spc_violations
    lines.append(f"- **Control-chart signals (last 24 hours):** {len(v)}")
    lines += [f"    - {x['sensor']}: {x.get('value', float('nan')):.4g} at {x['reading']}: {x['description']}"
              if "value" in x else f"    - {x['sensor']}: {x['description']} ({x['reading']})" for x in v[:5]]
    if len(v) > 5:
        lines.append(f"    - … and {len(v) - 5} more")
    lines += [f"- _note: {n}_" for n in st.notes]
    return "\n".join(lines)


def cause_line(c) -> str:
    """One cause as a line: a table row by its roles, a manual passage by its text."""
    if c.kind == "fmea":
        parts = [f"**{c.symptom}**" if c.symptom else "", f"effect: {c.effect}" if c.effect else "",
                 f"cause: {c.cause}" if c.cause else "", f"controls: {c.controls}" if c.controls else "",
                 f"action: {c.remedy}" if c.remedy else "action: none given",
                 ", ".join(f"{k} {v}" for k, v in c.ratings.items())]
        return "; ".join(p for p in parts if p)
    if c.cause or c.remedy:
        head = f"**{c.symptom}**: " if c.symptom else ""
        return f"{head}{c.cause or 'cause not given'} → {c.remedy or 'no remedy given'}"
    from shopfloor.index.text import shorten

    return f"passage: {shorten(c.text, 300)}"


def diagnosis_markdown(d) -> str:
    """The diagnosis card; its headings in the log's language (English or Chinese)."""
    from shopfloor.assistant.pipeline.words import label, language

    lang = language(d.log)

    def say(word: str) -> str:
        return label(word, lang)

    out = [f"### {say('Diagnosis')}{f' — {d.machine_id}' if d.machine_id else ''}"]
    if d.failure_mode:
        alts = ", ".join(f"{name} {p:.0%}" for name, p in d.alternatives)
        flag = f" — **NEEDS REVIEW** ({d.review_reason})" if d.needs_review else ""
        out.append(f"**{say('Failure mode')}:** {d.failure_mode} ({d.confidence:.0%}){flag}  \n"
                   f"_{say('alternatives')}: {alts}_")
    for task, lab in d.labels.items():
        out.append(f"\n**{task.replace('_', ' ').capitalize()}:** {lab['label']} ({lab['confidence']:.0%})")
    if d.inspection:
        out.append(f"\n**Photo** ({d.inspection.image}): {inspection_line(d.inspection)}")
    if d.causes:
        out.append(f"\n**{say('Likely causes and remedies (from your documents)')}**")
        for n, c in enumerate(d.causes, start=1):
            mark = "" if c.reviewed else f"**UNREVIEWED DOCUMENT** ({c.provenance}): "
            out.append(f"{n}. {'**' + c.safety + '**  ' + chr(10) + '   ' if c.safety else ''}{mark}{cause_line(c)}  \n"
                       f"   _{say('source')}: {c.citation} (similarity {c.score:.2f})_")
    if d.incidents:
        out.append(f"\n**{say('Similar past incidents')}**")
        for i in d.incidents:
            dt = f", {i.downtime_h} h down" if i.downtime_h else ""
            mark = "" if i.reviewed else "**UNREVIEWED RECORD** (no engineer has approved it): "
            out.append(f"- {mark}{i.date} {i.machine_id}: {i.text}{dt}  \n  _{say('source')}: {i.citation}_")
    if d.status:
        out += [f"\n**{say('Machine status')}**", status_markdown(d.status)]
    out.append(f"\n**{say('Next step')}:** {d.next_step}")
    if d.summary:
        out.append(f"\n**{say('Summary')}** _{say('(written by the language model from the facts above)')}_: {d.summary}")
    out += [f"\n_note: {n}_" for n in d.notes]
    return "\n".join(out)


def inspection_line(r: InspectedPhoto) -> str:
    """One photo's verdict in words: class and confidence, review flag, anomaly score."""
    if r.error:
        return f"not inspected: {r.error}"
    parts = []
    if r.unknown:
        parts.append(f"**UNKNOWN KIND** (nearest known class {r.label}, {r.confidence or 0:.0%})")
    elif r.label:
        parts.append(f"{r.label} ({r.confidence or 0:.0%})")
    if r.needs_review:
        parts.append("**NEEDS REVIEW**" + (f" ({r.review_reason})" if r.review_reason else ""))
    if r.anomaly_score is not None:
        parts.append(f"anomaly score {r.anomaly_score:.2f}, alarm line 1.00 "
                     + ("(**unlike the good parts**)" if r.anomalous else "(like the good parts)"))
    return "; ".join(parts) or "no verdict"
