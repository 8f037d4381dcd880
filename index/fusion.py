"""Combining dense and keyword rankings.

"linear" (default): a convex combination of per-query min-max normalised scores; "rrf": reciprocal
rank fusion (Cormack, Clarke and Buettcher 2009). On the lathe handbook QA (docs/index.md) the
linear fusion with an untuned 0.5 weight beat RRF, which discards how far ahead the top hit is.
"""

from __future__ import annotations


def _minmax(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    return {i: (s - lo) / (hi - lo) if hi > lo else 1.0 for i, s in scores.items()}


def fuse(dense: dict[int, float], keyword: dict[int, float], mode: str, rrf_k: int = 60,
         dense_weight: float = 0.5) -> list[tuple[int, float]]:
    """(chunk id, score) best first. ``mode``: "linear"/"rrf" fuse both; "dense"/"keyword" use one ranking.

    Example:
        >>> fuse({1: 0.9, 2: 0.5}, {2: 7.0, 3: 1.0}, "rrf")[0][0]
        2
        >>> fuse({1: 0.9, 2: 0.85, 4: 0.1}, {2: 7.0, 3: 1.0}, "linear")[0][0]
        2
    """
    if mode == "dense":
        return sorted(dense.items(), key=lambda kv: -kv[1])
    if mode == "keyword":
        return sorted(keyword.items(), key=lambda kv: -kv[1])
    if mode == "linear":
        dn, kn = _minmax(dense), _minmax(keyword)
        fused = {i: dense_weight * dn.get(i, 0.0) + (1 - dense_weight) * kn.get(i, 0.0) for i in dn.keys() | kn.keys()}
        return sorted(fused.items(), key=lambda kv: -kv[1])
    if mode != "rrf":
        raise ValueError(f"mode must be 'linear', 'rrf', 'dense' or 'keyword', got {mode!r}")
    scores: dict[int, float] = {}
    for ranking in (dense, keyword):
        for rank, (i, _s) in enumerate(sorted(ranking.items(), key=lambda kv: -kv[1]), start=1):
            scores[i] = scores.get(i, 0.0) + 1.0 / (rrf_k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])
