"""Plain functions behind the UI (no Gradio here): charts, tables and who-is-asking, easy to test."""

from __future__ import annotations

import json
from pathlib import Path

LOCAL_USER = {"name": "local", "role": "admin"}


def user_of(assistant, username: str | None) -> dict:
    """The logged-in user's name and role; without login (localhost) the local user is admin."""
    if not username:
        return LOCAL_USER
    with assistant.ws.connect() as conn:
        row = conn.execute("SELECT name, role FROM users WHERE name = ?", (username,)).fetchone()
    return dict(row) if row else {"name": username, "role": "viewer"}


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
        rows.append([m["task"], m["base"], len(m["labels"]), m.get("n_train"), m.get("calib_accuracy"),
                     m.get("threshold"), m["created"]])
    return rows


def sources_table(assistant) -> list[list]:
    return [[s["source"], s.get("doc_type", ""), s.get("chunks", 0)] for s in assistant.list_sources()]


def preview(path: str | Path, rows: int = 15):
    """(columns, first rows) of an uploaded CSV/XLSX."""
    from finetune.data import read_table

    df = read_table(path)
    return list(df.columns), df.head(rows)
