"""The LoRA answerer against the model without it and against no model, on ask-eval's measures, same run.

For each workspace: build training examples from its documents (`shopfloor lm tune`'s builder; never from
the QA files), train the adapter (or reuse one with --adapter), then answer the QA and unanswerable
questions three ways: no language model (the extract alone), the embedded SmolLM2 untuned, and with the
LoRA adapter. Both model runs use llama.cpp with the cited-sentence grammar, as the chat does. Run:

    python benchmarks/bench_answerer.py --workspace WS --qa QA.jsonl [--unanswerable U.jsonl]
        [--adapter DIR] [--examples 240] [--json]

Prints a Markdown table (and with --json one object). The adapter is written under WS/models/answerer/ but
not activated.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--qa", required=True)
    ap.add_argument("--unanswerable")
    ap.add_argument("--adapter", help="an adapter folder to evaluate instead of training one")
    ap.add_argument("--examples", type=int, default=240)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.pipeline.answer_eval import read_jsonl
    from shopfloor.assistant.pipeline.answer_tuning import KEYS as COLUMNS
    from shopfloor.assistant.pipeline.answer_tuning import beats, build_examples, measure_answers
    from shopfloor.assistant.policy import cli_user
    from shopfloor.finetune.chat_lora import ChatLoraConfig, load_meta, train_chat_lora
    from shopfloor.workspace import Workspace

    ws = Workspace.open(a.workspace)
    qa = read_jsonl(Path(a.qa), ("question", "evidence"))
    unans = read_jsonl(Path(a.unanswerable), ("question",)) if a.unanswerable else []
    out = {"workspace": str(ws.root), "qa": a.qa, "unanswerable": a.unanswerable}
    if a.adapter:
        adapter = Path(a.adapter)
    else:
        t0 = time.perf_counter()
        exs = build_examples(Assistant(ws, use_llm=False).components.index(), a.examples)
        adapter = ws.root / "models" / "answerer" / ("bench-" + time.strftime("%Y%m%d-%H%M%S"))
        train_chat_lora(exs, adapter, ChatLoraConfig())
        out["train_s"] = round(time.perf_counter() - t0, 1)
    out["adapter"] = str(adapter)
    out["training"] = {k: v for k, v in load_meta(adapter).items() if k != "config"}

    user = cli_user()
    out["no_llm"] = measure_answers(ws, None, qa, unans, user=user, use_llm=False)
    out["untuned"] = measure_answers(ws, None, qa, unans, user=user)
    out["tuned"] = measure_answers(ws, adapter, qa, unans, user=user)
    out["tuned_beats_untuned"], out["reason"] = beats(out["tuned"], out["untuned"])
    if a.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{len(qa)} answerable + {len(unans)} unanswerable questions on {ws.root}; adapter {adapter} "
          f"({out['training'].get('examples')} examples, {out['training'].get('train_s')} s)\n")
    print("| answers | " + " | ".join(COLUMNS) + " | s |")
    print("|---" * (len(COLUMNS) + 2) + "|")
    for name in ("no_llm", "untuned", "tuned"):
        m = out[name]
        cells = [f"{m[k]:.2f}" if isinstance(m[k], float) else str(m[k]) for k in COLUMNS]
        print(f"| {name} | " + " | ".join(cells) + f" | {m['seconds']} |")
    print(f"\ntuned kept: {out['tuned_beats_untuned']} ({out['reason']})")


if __name__ == "__main__":
    main()
