"""Retrieval benchmark: quality (keyword vs dense vs hybrid), ingestion speed, and query latency at scale.

Usage:
    python benchmarks/bench_index.py [--data-dir ../shared/data] [--sizes 10000,100000]

1. Lathe handbook QA (20 questions): recall@1/5/10 and MRR for keyword-only, dense-only and hybrid.
2. Ingestion: chunks/s for the handbook, and that rate as a fraction of the ceiling implied by this
   machine's measured matmul throughput and MiniLM's FLOPs per chunk.
3. Scale: FAISS flat (exact) vs HNSW at N synthetic chunks (real handbook embeddings plus noise):
   p50/p95 query latency and recall@10 against exact search.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def quality(data: Path, out: Path) -> tuple[object, float]:
    from shopfloor.index import Index, evaluate

    t0 = time.perf_counter()
    idx = Index.build([data / "manuals" / "lathe"], out, progress=False)
    secs = time.perf_counter() - t0
    m = evaluate(idx, data / "manuals" / "lathe_qa.jsonl", k=10)
    print(f"\n## Lathe QA (n={m['n']}), k=10\n")
    print("| retriever | recall@1 | recall@5 | recall@10 | MRR |\n|---|---|---|---|---|")
    for mode in ("keyword", "dense", "hybrid"):
        r = m["modes"][mode]
        print(f"| {mode} | {r['recall_at_1']:.2f} | {r['recall_at_5']:.2f} | {r['recall_at_10']:.2f} | {r['mrr']:.3f} |")
    return idx, secs


def matmul_gflops() -> float:
    import torch

    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    torch.mm(a, b)
    t0, n = time.perf_counter(), 20
    for _ in range(n):
        torch.mm(a, b)
    return 2 * 1024**3 * n / (time.perf_counter() - t0) / 1e9


def ingestion(idx, secs: float) -> None:
    from shopfloor.index.search import embed
    from shopfloor.models import load_embedder

    tok = load_embedder().tokenizer
    texts = [c.embed_text for c in idx.chunks]
    n_tokens = sum(min(len(tok(t)["input_ids"]), 256) for t in texts)
    t0 = time.perf_counter()
    embed(texts, idx.config, progress=False)
    embed_secs = time.perf_counter() - t0
    flops_per_token = 2 * 6 * (4 * 384 * 384 + 2 * 384 * 1536)  # 6 layers: attention projections + MLP
    ceiling = matmul_gflops() * 1e9 / (flops_per_token * n_tokens / len(texts))
    print(f"\n## Ingestion ({len(texts)} chunks, {n_tokens / len(texts):.0f} tokens/chunk on average)\n")
    print("| stage | chunks/s | fraction of FLOP ceiling |\n|---|---|---|")
    print(f"| full build (read, chunk, embed, save) | {len(texts) / secs:.0f} | {len(texts) / secs / ceiling:.2f} |")
    print(f"| embedding only | {len(texts) / embed_secs:.0f} | {len(texts) / embed_secs / ceiling:.2f} |")
    print(f"| ceiling (measured matmul GFLOP/s / MiniLM FLOPs per chunk) | {ceiling:.0f} | 1.00 |")


def scale(base: np.ndarray, sizes: list[int], n_queries: int = 200) -> None:
    import faiss

    rng = np.random.default_rng(0)
    print("\n## Query latency at scale (one query at a time, 2 threads)\n")
    print("| chunks | index | p50 ms | p95 ms | recall@10 vs exact | build s |\n|---|---|---|---|---|---|")
    for n in sizes:
        vecs = base[rng.integers(0, len(base), n)] + rng.normal(0, 0.04, (n, base.shape[1])).astype("float32")
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        queries = vecs[rng.integers(0, n, n_queries)] + rng.normal(0, 0.05, (n_queries, base.shape[1])).astype("float32")
        queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype("float32")
        exact = None
        for name in ("flat", "hnsw"):
            t0 = time.perf_counter()
            if name == "flat":
                index = faiss.IndexFlatIP(vecs.shape[1])
            else:
                index = faiss.IndexHNSWFlat(vecs.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efSearch = 100
            index.add(vecs)
            build = time.perf_counter() - t0
            lat, ids = [], []
            for q in queries:
                t = time.perf_counter()
                _, i = index.search(q[None], 10)
                lat.append((time.perf_counter() - t) * 1000)
                ids.append(i[0])
            exact = ids if name == "flat" else exact
            rec = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, exact, strict=True)])
            p50, p95 = np.percentile(lat, 50), np.percentile(lat, 95)
            print(f"| {n:,} | {name} | {p50:.2f} | {p95:.2f} | {rec:.3f} | {build:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--sizes", default="10000,100000")
    args = ap.parse_args()
    import faiss

    faiss.omp_set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        idx, secs = quality(args.data_dir, Path(tmp) / "kb")
        ingestion(idx, secs)
        scale(idx.vectors, [int(s) for s in args.sizes.split(",")])


if __name__ == "__main__":
    main()
