"""Diagnosis and table questions on a real plant (``shopfloor demo --plant real``), against simple baselines.

Diagnosis: technician-style logs written for the haul-truck FMEA (benchmarks/data/diagnosis_real.jsonl,
written before any result was looked at; 40 with a target component and failure mode, 6 that no plant
document covers). Measured: the share whose first cause is a right FMEA row, the share whose next step is
relevant (cites a row of the right component; for the out-of-scope logs: escalates without quoting
anything) and the refusal rate on out-of-scope logs. Baselines on the same index: the top hybrid hit
over every document with no cut-off, and what diagnosis did before (passages of doc type "manual" only).

Table questions: benchmarks/data/fmea_questions.jsonl (18 questions, written before the results), graded
against pandas filters of the same CSV. 95 % Wilson intervals. Run:

    python benchmarks/bench_diagnosis.py [--data ../shared/data] [--workspace DIR] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import operator
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return (0.0, 0.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def fmt(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {k / n:.2f} [{lo:.2f}, {hi:.2f}]" if n else "-"


def right(text: str, case: dict) -> bool:
    t = text.lower()
    return any(c in t for c in case["component"]) and any(m in t for m in case["mode"])


def component_ok(text: str, case: dict) -> bool:
    return any(c in text.lower() for c in case["component"])


def bench_diagnosis(assistant, cases: list[dict]) -> dict:
    idx = assistant.components.index()
    rows = {"shopfloor": [0, 0, 0], "hybrid top-1, no cut-off": [0, 0, 0], "before (manual passages only)": [0, 0, 0]}
    in_scope = [c for c in cases if "component" in c]
    out_scope = [c for c in cases if c.get("expect") == "none"]
    t0 = time.perf_counter()
    for case in cases:
        d = assistant.diagnose(case["log"], summary=False)
        hyb = idx.search(case["log"], k=1)
        old = idx.search(case["log"], k=1, filters={"doc_type": "manual"})
        if "component" in case:
            first = d.causes[0] if d.causes else None
            rows["shopfloor"][0] += bool(first and right(first.symptom, case))
            cited = [c for c in d.causes if c.citation in d.next_step]
            rows["shopfloor"][1] += bool(cited and component_ok(cited[0].symptom, case))
            for name, hits in (("hybrid top-1, no cut-off", hyb), ("before (manual passages only)", old)):
                ok = bool(hits and right(hits[0].text, case))
                rows[name][0] += ok
                rows[name][1] += bool(hits and component_ok(hits[0].text, case))
        else:
            refused = not d.causes and d.next_step.startswith("No matching")
            rows["shopfloor"][2] += refused
            rows["shopfloor"][1] += refused
            # the baselines always quote their top hit: they never refuse
    secs = time.perf_counter() - t0
    n_in, n_out = len(in_scope), len(out_scope)
    out = {"n_logs": len(cases), "n_in_scope": n_in, "n_out_of_scope": n_out, "seconds_per_log": secs / len(cases),
           "methods": {}}
    for name, (first_ok, step_ok, refused) in rows.items():
        out["methods"][name] = {"first_cause_right": first_ok / n_in, "first_cause_right_ci": wilson(first_ok, n_in),
                                "next_step_relevant": step_ok / len(cases),
                                "next_step_relevant_ci": wilson(step_ok, len(cases)),
                                "out_of_scope_refused": refused / n_out, "counts": [first_ok, step_ok, refused]}
    return out


def gold_rows(fmea: list[dict], q: dict) -> set[int] | None:
    if "where" not in q:
        return None
    keep = set()
    for i, r in enumerate(fmea, start=1):
        ok = True
        for col, op, val in q["where"]:
            cell = r[col].strip()
            if isinstance(val, (int, float)):
                ok &= cell.replace(".", "", 1).isdigit() and OPS[op](float(cell), val)
            else:
                ok &= cell == val
        if ok:
            keep.add(i)
    return keep


def bench_tables(assistant, fmea: list[dict], questions: list[dict]) -> dict:
    graded = []
    for q in questions:
        a = assistant.answer(q["q"])
        rows = {int(c.citation.rsplit("row ", 1)[1]) for c in a.citations if "row " in c.citation}
        gold = gold_rows(fmea, q)
        if gold is not None:
            n = int(a.answer.split(" ", 1)[0]) if a.answer[:1].isdigit() else -1
            ok = a.route == "table" and (n == len(gold) and rows <= gold and (len(rows) == min(len(gold), 25))
                                         if gold else not a.grounded and "not found" in a.answer)
        elif q.get("expect") == "not_found":
            ok = a.route == "table" and not a.grounded and "not found" in a.answer
        elif "contains" in q:
            ok = a.route == "table" and a.grounded and bool(rows) and all(
                any(c in fmea[r - 1]["Sub-Component"] for c in q["contains"]) for r in rows)
        else:
            col, word = q["mentions"]
            gold = {i for i, r in enumerate(fmea, start=1) if word in r[col].lower()}
            n = int(a.answer.split(" ", 1)[0]) if a.answer[:1].isdigit() else -1
            ok = a.route == "table" and n == len(gold)
        graded.append({"q": q["q"], "ok": bool(ok), "route": a.route, "answer": a.answer.splitlines()[0][:160]})
    k = sum(g["ok"] for g in graded)
    return {"n": len(graded), "correct": k, "accuracy": k / len(graded), "ci": wilson(k, len(graded)),
            "questions": graded}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", "--data-dir", dest="data", type=Path, default=HERE.parents[1] / "shared" / "data")
    ap.add_argument("--workspace", type=Path, default=HERE / "results" / "real_ws")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from shopfloor.assistant.demo.build import build_demo
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.policy import LOCAL_USER
    from shopfloor.workspace import Workspace

    ws = Workspace.open(args.workspace)
    build_demo(ws, plant="real", data_dir=args.data)
    assistant = Assistant(ws, use_llm=False, user=LOCAL_USER)
    cases = [json.loads(line) for line in (HERE / "data" / "diagnosis_real.jsonl").read_text().splitlines() if line]
    questions = [json.loads(line) for line in (HERE / "data" / "fmea_questions.jsonl").read_text().splitlines() if line]
    with open(args.data / "manuals" / "haul_truck_fmea.csv", newline="", encoding="utf-8") as f:
        fmea = list(csv.DictReader(f))
    diag, tables = bench_diagnosis(assistant, cases), bench_tables(assistant, fmea, questions)
    if args.json:
        print(json.dumps({"diagnosis": diag, "tables": tables}, indent=2))
        return
    print(f"Diagnosis on the real plant: {diag['n_in_scope']} logs with a target FMEA row, "
          f"{diag['n_out_of_scope']} out of scope; {diag['seconds_per_log'] * 1000:.0f} ms per log\n")
    print("| method | first cause is a right row | next step relevant | out-of-scope refused |")
    print("|---|---|---|---|")
    n_in, n = diag["n_in_scope"], diag["n_logs"]
    for name, m in diag["methods"].items():
        a, b, c = m["counts"]
        print(f"| {name} | {fmt(a, n_in)} | {fmt(b, n)} | {fmt(c, diag['n_out_of_scope'])} |")
    print(f"\nTable questions over haul_truck_fmea.csv: {fmt(tables['correct'], tables['n'])}\n")
    for g in tables["questions"]:
        print(f"- {'ok ' if g['ok'] else 'BAD'} {g['q']} -> [{g['route']}] {g['answer']}")


if __name__ == "__main__":
    main()
