"""How far a text is from what a classifier was trained on, so an unlike text is never labelled confidently.

A classifier puts a label on anything, confidently: a complaint classifier on an engine log ("PICKUP
BOX"), a failure-mode classifier on "the coffee machine is out of milk". Two guards: a task declares
the kind of text it was trained on (``TrainConfig.text_kind``: diagnosis applies only the tasks for
maintenance logs), and at training time :func:`fit_domain` keeps the sentence embeddings of (up to
``MAX_KEPT``) training texts and a threshold, the 1st percentile of each training text's similarity
to its nearest *other* training text. A new text whose nearest training text is less similar than
that is unlike anything the classifier has seen: its label is kept but forced to review, with the
reason. Measured on the shared data (all-MiniLM-L6-v2; docs/real_plant.md): short mining work-order
texts sit at 0.40 median nearest-neighbour similarity to the failure-mode training logs, vehicle
complaints at 0.34, office chatter at 0.32, so this is a weak, lenient guard, not a gate.
Saved as ``domain.npz`` beside the adapter; a classifier trained before this existed has none.

Example:
    >>> d = fit_domain(["hyd hose burst on boom", "engine overheating radiator blocked"])  # doctest: +SKIP
    >>> domain_score(d, "coffee machine out of milk") < d["threshold"]                     # doctest: +SKIP
    True
"""

from __future__ import annotations

from pathlib import Path

from shopfloor.models import EMBEDDER

FILE = "domain.npz"
MAX_KEPT = 2000
PERCENTILE = 1.0


def fit_domain(texts: list[str], embedder: str = EMBEDDER, seed: int = 13) -> dict:
    """Embeddings of the training texts (a seeded sample of MAX_KEPT at most) and the in-domain threshold."""
    import numpy as np

    from shopfloor.models import load_embedder

    uniq = sorted({t.strip() for t in texts if t and t.strip()})
    if len(uniq) > MAX_KEPT:
        rng = np.random.default_rng(seed)
        uniq = [uniq[i] for i in sorted(rng.choice(len(uniq), MAX_KEPT, replace=False))]
    vecs = load_embedder(embedder).encode(uniq, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                                          show_progress_bar=False)
    return fit_domain_vectors(uniq, vecs, embedder, seed)


def fit_domain_vectors(texts: list[str], vectors, embedder: str = EMBEDDER, seed: int = 13) -> dict:
    """:func:`fit_domain` from embeddings already computed (one row per text, same embedder)."""
    import numpy as np

    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        if t and t.strip():
            first.setdefault(t.strip(), i)
    keep = [first[t] for t in sorted(first)]
    if len(keep) > MAX_KEPT:
        rng = np.random.default_rng(seed)
        keep = [keep[i] for i in sorted(rng.choice(len(keep), MAX_KEPT, replace=False))]
    vecs = np.asarray(vectors, dtype="float32")[keep]
    if len(vecs) < 2:
        return {"vectors": vecs, "threshold": 0.0, "embedder": embedder}
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -1.0)
    return {"vectors": vecs, "threshold": float(np.percentile(sims.max(axis=1), PERCENTILE)), "embedder": embedder}


def save_domain(folder: str | Path, domain: dict) -> None:
    import numpy as np

    np.savez_compressed(Path(folder) / FILE, vectors=domain["vectors"].astype("float16"),
                        threshold=np.float32(domain["threshold"]), embedder=np.array(domain["embedder"]))


def load_domain(folder: str | Path) -> dict | None:
    """The saved domain of a classifier folder, or None for one trained before domains were kept."""
    import numpy as np

    path = Path(folder) / FILE
    if not path.exists():
        return None
    with np.load(path) as z:
        return {"vectors": z["vectors"].astype("float32"), "threshold": float(z["threshold"]),
                "embedder": str(z["embedder"])}


def domain_score(domain: dict, text: str, engine: str = "torch") -> float:
    """Cosine similarity of ``text`` to its nearest training text (``engine``: how the vectors were made)."""
    from shopfloor.finetune.ensemble import sentence_vectors

    v = sentence_vectors([text], domain["embedder"], engine=engine)[0]
    return float((domain["vectors"] @ v).max()) if len(domain["vectors"]) else 1.0
