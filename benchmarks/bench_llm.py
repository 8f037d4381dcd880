"""Language-model speed: llama.cpp (the default local backend) against transformers fp32, same model, same run.

The model is the embedded SmolLM2-135M-Instruct: llama.cpp loads the Q4_1 GGUF as shipped; transformers
loads it dequantised to fp32 (the cached HF folder). Both get the same chat prompts (grounded-answer
prompts built from the demo manuals' wording) and generate the same number of new tokens greedily.
Measured per backend: time to first token (one user), decode tokens/s after the first token, and
llama.cpp's throughput with two users at once (its two slots). Run:

    python benchmarks/bench_llm.py [--tokens 96] [--repeats 3] [--json]

``--json`` prints one object with ``speedup_decode`` (llama.cpp decode tokens/s over transformers') and
``ttft_s`` (llama.cpp, one user, median).
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time

PASSAGES = [
    "Flow low, suction pressure below -0.4 bar, crackling noise (cavitation): suction strainer clogged or suction "
    "valve partly closed. Clean strainer ST-2; open suction valve fully; check NPSH.",
    "Rumbling noise from the bearing housing, vibration rising: bearing worn after long running or water in the "
    "oil. Replace both pump bearings (part PB-6308); check oil for water.",
    "Belt slipping and squealing under load: belt tension too low or pulley glazed. Re-tension the belt to the "
    "value on the guard; replace a glazed belt.",
]
QUESTIONS = ["What causes cavitation on the cooling water pump?", "Why does the pump bearing rumble?",
             "How do I stop the conveyor belt slipping?"]


def prompts() -> list[list[dict]]:
    from shopfloor.prompts import render

    passages = [{"n": i + 1, "citation": f"manual {i + 1}", "text": t} for i, t in enumerate(PASSAGES)]
    return [[{"role": "system", "content": render("system")},
             {"role": "user", "content": render("grounded_answer", passages=passages, question=q)}]
            for q in QUESTIONS]


def timed_stream(stream) -> tuple[float, float, int]:
    """(time to first piece, total time, pieces) of one streamed generation."""
    t0 = time.perf_counter()
    first, n = None, 0
    for _piece in stream:
        if first is None:
            first = time.perf_counter() - t0
        n += 1
    return first or 0.0, time.perf_counter() - t0, n


def bench_llamacpp(msgs_list, tokens: int, repeats: int) -> dict:
    from shopfloor.assistant.llm.llamacpp import LlamaCppLLM
    from shopfloor.models import gguf_path

    llm = LlamaCppLLM(gguf_path(), timeout_s=120)
    server = llm.server
    ttft, decode = [], []
    for _ in range(repeats):
        for msgs in msgs_list:
            first, _, _ = timed_stream(llm.stream(msgs, tokens, 0.0))
            ttft.append(first)
            r = server.handle_chat_completions({"messages": msgs, "max_tokens": tokens, "temperature": 0.0,
                                                "ignore_eos": True, "repeat_penalty": 1.15})
            decode.append(r["timings"]["predicted_per_second"])
    # two users at once: total new tokens / wall time
    done: list[int] = []

    def user(msgs):
        r = server.handle_chat_completions({"messages": msgs, "max_tokens": tokens, "temperature": 0.0,
                                            "ignore_eos": True})
        done.append(r["usage"]["completion_tokens"])

    t0 = time.perf_counter()
    threads = [threading.Thread(target=user, args=(m,)) for m in msgs_list[:2]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    both = sum(done) / (time.perf_counter() - t0)
    return {"ttft_s": statistics.median(ttft), "decode_tok_s": statistics.median(decode),
            "two_users_tok_s": both}


def bench_transformers(msgs_list, tokens: int, repeats: int) -> dict:
    import torch

    from shopfloor.models import load_llm

    tok, model = load_llm()
    ttft, decode = [], []
    for _ in range(repeats):
        for msgs in msgs_list:
            ids = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)
            with torch.inference_mode():
                t0 = time.perf_counter()
                model.generate(**ids, max_new_tokens=1, do_sample=False, pad_token_id=tok.eos_token_id)
                first = time.perf_counter() - t0
                t0 = time.perf_counter()
                out = model.generate(**ids, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False,
                                     repetition_penalty=1.15, pad_token_id=tok.eos_token_id)
                total = time.perf_counter() - t0
            n = out.shape[1] - ids["input_ids"].shape[1]
            ttft.append(first)
            decode.append((n - 1) / max(total - first, 1e-6))
    return {"ttft_s": statistics.median(ttft), "decode_tok_s": statistics.median(decode)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=96)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--data-dir", help="Accepted for benchmarks/run_all.py; this benchmark reads no data files.")
    args = ap.parse_args()
    import os

    msgs_list = prompts()
    lc = bench_llamacpp(msgs_list, args.tokens, args.repeats)
    tf = bench_transformers(msgs_list, args.tokens, args.repeats)
    out = {"model": "SmolLM2-135M-Instruct (llama.cpp: Q4_1 GGUF as shipped; transformers: fp32)",
           "cpu_threads": os.cpu_count(), "new_tokens": args.tokens, "runs": args.repeats * len(msgs_list),
           "speedup_decode": lc["decode_tok_s"] / tf["decode_tok_s"], "ttft_s": lc["ttft_s"],
           "llamacpp": lc, "transformers": tf}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"SmolLM2-135M-Instruct, {args.tokens} new tokens, greedy, {out['runs']} runs per backend, "
          f"{out['cpu_threads']} CPU threads\n")
    print("| backend | time to first token (s) | decode tokens/s | two users, tokens/s total |")
    print("|---|---|---|---|")
    print(f"| llama.cpp (xllamacpp, Q4_1) | {lc['ttft_s']:.3f} | {lc['decode_tok_s']:.1f} | {lc['two_users_tok_s']:.1f} |")
    print(f"| transformers fp32 | {tf['ttft_s']:.3f} | {tf['decode_tok_s']:.1f} | - (one lock) |")
    print(f"\ndecode speed-up of llama.cpp: {out['speedup_decode']:.1f}x")


if __name__ == "__main__":
    main()
