"""Plain functions behind the UI (no Gradio here): who is asking, charts, tables, exports; easy to test."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

from shopfloor.assistant.policy import LOCAL_USER, Role, User

BUILD_USER = User("ui-build", Role.viewer)  # what the page shows before anyone is known: viewer-level data only


def user_of(assistant, username: str | None, login_required: bool) -> User | None:
    """The user behind a UI request: the local admin without login (localhost only), else the logged-in
    user as stored now (None when the request carries no login or the user no longer exists)."""
    if not login_required:
        return LOCAL_USER
    if not username:
        return None
    return assistant.users.by_name(username)


def export(path: str | Path, export_dir: Path) -> str:
    """Copy a workspace file into the export folder (the only folder the UI serves files from)."""
    dest = export_path(Path(path).name, export_dir)
    shutil.copyfile(path, dest)
    return str(dest)


def export_path(name: str, export_dir: Path) -> Path:
    """A fresh path in the export folder for an output named ``name``."""
    dest = export_dir / uuid.uuid4().hex / name
    dest.parent.mkdir(parents=True)
    return dest


def pareto_figure(label_counts: dict[str, int], title: str = "Categories (Pareto)"):
    """Bars sorted by count with the cumulative share on a second axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(label_counts.items(), key=lambda kv: -kv[1])
    labels, counts = [k for k, _ in items], [v for _, v in items]
    total = sum(counts) or 1
    cum = [sum(counts[: i + 1]) / total * 100 for i in range(len(counts))]
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.bar(labels, counts, color="#1f4e79")
    ax.set_ylabel("rows")
    ax.tick_params(axis="x", rotation=35, labelsize=8)
    ax2 = ax.twinx()
    ax2.plot(labels, cum, color="#c0504d", marker="o", ms=3)
    ax2.set_ylim(0, 105)
    ax2.set_ylabel("cumulative %")
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def model_versions(assistant) -> list[list]:
    rows = []
    for meta_path in sorted((assistant.ws.root / "models" / "classifier").glob("*/classifier.json")):
        m = json.loads(meta_path.read_text())
        held = (f"{m['calib_accuracy']:.3f} (most common label {m['calib_majority_accuracy']:.3f})"
                if m.get("calib_majority_accuracy") is not None else m.get("calib_accuracy"))
        if not m.get("calibrated", True) and m.get("rows_needed_for_calibration"):
            held = f"not yet: about {m['rows_needed_for_calibration']} more reviewed rows"
        threshold = "none: every row reviewed" if float(m.get("threshold") or 0) > 1 else m.get("threshold")
        rows.append([m["task"], m["base"], len(m["labels"]), m.get("n_train"), held, threshold, m["created"]])
    return rows


SOURCE_HEADERS = ["source", "type", "chunks", "columns understood as", "warnings", "review", "read first", "readers"]


def sources_table(assistant, user: User) -> list[list]:
    """One row per indexed source: its kind (a table's kind from its columns), how its columns were read, problems."""
    rows = []
    for s in assistant.knowledge.sources(user=user):
        roles = ", ".join(f"{c} → {r}" for c, r in (s.table.roles if s.table else {}).items())
        review = "approved / shipped" if s.reviewed else "UNREVIEWED"
        rows.append([s.source, s.kind, s.chunks, roles, "; ".join(s.warnings), f"{review} ({s.provenance})",
                     "\n".join(s.flags), "everyone" if s.readers == "viewer" else f"{s.readers}s and above"])
    return rows


def preview(path: str | Path, rows: int = 15, sheet: str | None = None):
    """(columns, first rows) of an uploaded CSV/XLSX (``sheet``: which XLSX sheet)."""
    from shopfloor.assistant.pipeline.uploads import table

    df = table(path, sheet=sheet)
    return list(df.columns), df.head(rows)


def text_column(df) -> str:
    """The column a person would classify: the one with the longest texts on average (names like 'text' win ties)."""
    named = ("text", "description", "complaint", "log", "problem", "observation")
    scores = {}
    for c in df.columns:
        values = df[c].astype(str).str.strip()
        values = values[(values != "") & (values.str.lower() != "nan")]
        numeric = values.str.fullmatch(r"[-+0-9.,:/ ]+").mean() if len(values) else 1.0
        scores[c] = (0.0 if numeric > 0.8 else values.str.len().mean() if len(values) else 0.0) + \
            (5.0 if str(c).strip().lower() in named else 0.0)
    return max(df.columns, key=lambda c: scores[c])


DATE_WORDS = ("date", "datum", "日期", "时间", "time", "zeit", "when")


def date_column(cols) -> str | None:
    """The column whose name says it holds dates (Date, fail_date, Datum, 日期), or None."""
    return next((c for c in cols if any(k in str(c).lower() for k in DATE_WORDS)), None)


def _new_png(folder, prefix: str) -> str:
    """A new empty PNG path in ``folder`` (the folder the UI serves files from)."""
    import os
    import tempfile

    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".png", dir=folder)
    os.close(fd)
    return path


def trends_chart(rep, folder) -> str:
    """The rising (or most frequent) labels' shares drawn into a new PNG in ``folder`` (served from there)."""
    from shopfloor.assistant.pipeline.trends import render

    return str(render(rep, _new_png(folder, "trends-")))


def pareto_chart(rep, folder) -> str:
    """The latest period's labels against the period before, drawn into a new PNG in ``folder``."""
    from shopfloor.assistant.pipeline.trends import render_pareto

    return str(render_pareto(rep, _new_png(folder, "pareto-")))
