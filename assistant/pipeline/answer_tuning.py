"""Training examples for the LoRA answerer, built from the plant's own documents (`shopfloor lm tune`).

Each example is the chat prompt exactly as :mod:`ask` sends it (system rules, the numbered passages the
index retrieves for the question, the question) and the reply a careful technician would write from them:
whole sentences taken from the passage that answers, each ending with that passage's number. Questions come
from the documents' structure, never from an evaluation file:

- troubleshooting and FMEA rows: "What causes <symptom>?" -> the cause and remedy columns, cited;
- manual sections: "What does the manual say about <heading>?" -> the section's two sentences closest to it,
  or a question on a few of one sentence's own words ("What about chuck key hand?") -> that sentence;
- work orders / incidents: "Has <symptom> happened before?" -> the incident and its action, cited;
- refusals: a question with passages retrieved for another document -> "Not in your documents."

The answering passage is placed among the retrieved ones at a random position, so the model learns to find
it and cite its number rather than always citing [1].
"""

from __future__ import annotations

import random
import re

from shopfloor.assistant.pipeline.ask import NO_ANSWER, passages
from shopfloor.assistant.pipeline.grounding import best_sentence_list, best_sentences
from shopfloor.finetune.chat_lora import ChatExample

SHARES = {"table row": 0.35, "section": 0.4, "incident": 0.1, "refusal": 0.15}
PASSAGES = 3  # as many as the chat gives the model


def build_examples(index, n: int = 240, seed: int = 0, trust=None) -> list[ChatExample]:
    """About ``n`` examples from ``index`` in the shares of :data:`SHARES` (fewer when the documents have fewer
    rows or sections); no example uses a document no engineer has approved (``trust``)."""
    rng = random.Random(seed)
    rows, sections, incidents = [], [], []
    for i, ch in enumerate(index.chunks):
        if trust is not None and not trust.reviewed(ch.source):
            continue
        row = ch.table
        if row is not None:
            what = row.failure()
            if row.kind == "incident":
                text = row.get("text") or what
                if text and len(text.split()) >= 3:
                    incidents.append(i)
            elif what and (row.get("cause") or row.get("remedy")):
                rows.append(i)
        elif ch.section and len(best_sentences(ch.text, ch.section).split()) >= 8:
            sections.append(i)
    pools = {"table row": rows, "section": sections, "incident": incidents}
    out: list[ChatExample] = []
    for kind, share in SHARES.items():
        want = round(n * share)
        pool = pools.get(kind, rows + sections)
        for i in rng.sample(pool, min(want, len(pool))):
            ex = _example(index, i, kind, rng, rows + sections, trust)
            if ex is not None:
                out.append(ex)
    rng.shuffle(out)
    return out


def _question(index, i: int, kind: str, rng: random.Random) -> tuple[str, str] | None:
    """(question, reply template with {n} for the passage number) for chunk ``i``."""
    ch = index.chunks[i]
    row = ch.table

    def get(role: str) -> str:
        return _clean(row.get(role)) if row else ""

    if kind == "table row":
        what = get("symptom") or get("failure_mode")
        where = get("component") or get("subsystem")
        subject = f"{what.rstrip('.').lower()}" + (f" on the {where.lower()}" if where else "")
        cause, remedy = get("cause"), get("remedy")
        if cause and (not remedy or rng.random() < 0.5):
            q = rng.choice(["What causes {s}?", "Why do we get {s}?", "{S}: what is the likely cause?"])
            reply = f"The likely cause is {_lower(cause)} {{n}}." + (f" Remedy: {_lower(remedy)} {{n}}." if remedy else "")
        else:
            q = rng.choice(["What should I do about {s}?", "How do I fix {s}?", "{S} - what is the remedy?"])
            reply = f"{_sentence(remedy, '{n}')}" + (f" The likely cause is {_lower(cause)} {{n}}." if cause else "")
        return q.format(s=subject, S=subject[:1].upper() + subject[1:]), reply
    if kind == "incident":
        text = get("text") or get("symptom")
        short = " ".join(text.split()[:8]).rstrip(".,;").lower()
        q = rng.choice(["Has {s} happened before?", "Any past work orders about {s}?"]).format(s=short)
        action = get("remedy")
        reply = f"Yes: a past work order reads \"{text.rstrip('.')}\" {{n}}." + (
            f" The action taken was {_lower(action)} {{n}}." if action else "")
        return q, reply
    heading = _heading(ch.section)
    if _shared_headings(index).get(heading.lower(), 0) > 1:  # "Maintenance schedule" in every manual: say whose
        heading = f"{heading} of the {ch.section.split(' > ')[0].split(' — ')[0].strip(' #*')}"
    q = rng.choice(["What does the manual say about {h}?", "{h}: what should I know?", "Tell me about {h}.",
                    "What are the key points of {h}?"]).format(h=heading.lower() if rng.random() < 0.5 else heading)
    sentences = [x for x in best_sentence_list(ch.text, "", n=1000) if len(x.split()) >= 6]
    if sentences and rng.random() < 0.6:  # a question on one sentence's own words: the model learns to find it
        target = rng.choice(sentences)
        words = _key_words(target, rng)
        if len(words) >= 2:
            topic = " ".join(words)
            q = rng.choice(["What does the manual say about {t}?", "{T}: what should I do?", "What about {t}?",
                            "Anything on {t}?", "{T} - what is the rule?"]).format(t=topic, T=topic.capitalize())
            return q, _sentence(target, "{n}")
    return q, " ".join(_sentence(s, "{n}") for s in best_sentence_list(ch.text, q))


def _key_words(sentence: str, rng: random.Random) -> list[str]:
    """Two to four content words of ``sentence`` in their order (the kind of words a person's question uses)."""
    from shopfloor.index.text import STOPWORDS

    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", _clean(sentence)) if w.lower() not in STOPWORDS]
    seen, out = set(), []
    for w in words:
        if w.lower() not in seen:
            seen.add(w.lower())
            out.append(w.lower())
    if len(out) <= 2:
        return out
    k = rng.randint(2, min(4, len(out)))
    keep = sorted(rng.sample(range(len(out)), k))
    return [out[i] for i in keep]


def _heading(section: str) -> str:
    parts = [re.sub(r"^[\d.]+\s+", "", p.strip(" #*")) for p in section.split(" > ")]
    return parts[-1] if len(parts[-1].split()) >= 2 or len(parts) == 1 else " ".join(parts[-2:])


def _shared_headings(index) -> dict[str, int]:
    """Heading -> number of documents using it (cached on the index object for one build)."""
    cached = getattr(index, "_tuning_headings", None)
    if cached is None:
        seen: dict[str, set] = {}
        for ch in index.chunks:
            if ch.section:
                seen.setdefault(_heading(ch.section).lower(), set()).add(ch.source)
        cached = {h: len(s) for h, s in seen.items()}
        index._tuning_headings = cached
    return cached


def _kind_of(ch) -> str:
    return "table row" if (ch.metadata or {}).get("roles") else "section"


def _example(index, i: int, kind: str, rng: random.Random, answerable: list[int],
             trust=None) -> ChatExample | None:
    """The example for chunk ``i``: its question with the passages retrieved for it (the chunk among them at a
    random number), or for a refusal, the question with passages retrieved for another document's question."""
    from shopfloor.prompts import render

    ch = index.chunks[i]
    qa = _question(index, i, _kind_of(ch) if kind == "refusal" else kind, rng)
    if qa is None or not qa[1].strip():
        return None
    question, reply = qa
    if kind == "refusal":
        other = rng.choice([j for j in answerable if index.chunks[j].source != ch.source] or answerable)
        asked = _question(index, other, _kind_of(index.chunks[other]), rng)
        if asked is None:
            return None
        other_question = asked[0]
        hits = [h for h in index.search(other_question, k=PASSAGES + 4) if h.source != ch.source][:PASSAGES]
        reply = NO_ANSWER
    else:
        found = index.search(question, k=PASSAGES + 4)
        target = next((h for h in found if h.source == ch.source and h.text == ch.text), None) or _as_hit(ch)
        hits = [h for h in found if h is not target][:PASSAGES - 1] + [target]
        rng.shuffle(hits)
        reply = reply.replace("{n}", f"[{hits.index(target) + 1}]")
    if not hits:
        return None
    ps = passages(hits, question, trust)
    if any(p["safety"] or not p["reviewed"] for p in ps):
        return None  # a flagged or unreviewed passage is never given to the model (ask._synthesis does the same)
    msgs = [{"role": "system", "content": render("system")},
            {"role": "user", "content": render("grounded_answer", passages=ps, question=question)}]
    return ChatExample(messages=msgs, reply=reply, kind=kind)


def _as_hit(ch):
    from shopfloor.index.search import Hit

    return Hit(text=ch.text, score=0.0, dense_score=1.0, source=ch.source, section=ch.section, page=ch.page,
               row=ch.row, doc_type=ch.doc_type, metadata=ch.metadata)


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`#>]", "", str(s or ""))).strip()


def _lower(s: str) -> str:
    s = _clean(s).rstrip(".")
    return s[:1].lower() + s[1:] if s[1:2].islower() else s


def _sentence(s: str, cite: str) -> str:
    s = _clean(s).rstrip(".")
    return f"{s[:1].upper()}{s[1:]} {cite}." if s else ""


KEYS = ("evidence_in_answer", "summary_evidence", "citation_precision", "refusal_accuracy", "false_refusal_rate",
        "unsupported_sentences_shown", "summaries_kept")


def beats(tuned: dict, untuned: dict) -> tuple[bool, str]:
    """Whether the tuned answerer is kept: it must add evidence (``summary_evidence`` up, or equal with more
    precise citations) without losing evidence, refusals or citation precision, and show nothing unsupported."""
    def get(m, k):
        return m.get(k) if m.get(k) is not None else 0.0

    worse = [k for k in ("evidence_in_answer", "refusal_accuracy") if get(tuned, k) < get(untuned, k)]
    if get(tuned, "false_refusal_rate") > get(untuned, "false_refusal_rate"):
        worse.append("false_refusal_rate")
    if get(tuned, "citation_precision") < get(untuned, "citation_precision") - 0.02:
        worse.append("citation_precision")
    if tuned.get("unsupported_sentences_shown"):
        worse.append("unsupported_sentences_shown")
    if worse:
        return False, "worse on " + ", ".join(worse)
    gain = get(tuned, "summary_evidence") - get(untuned, "summary_evidence")
    if gain > 0:
        return True, f"its syntheses hold the evidence in {gain:+.0%} more answers"
    return False, "it adds no evidence to the answers"


def measure_answers(ws, adapter, qa: list[dict], unanswerable: list[dict], *, user=None,
                    use_llm: bool = True) -> dict:
    """ask-eval's measures (:data:`KEYS`) of the workspace's answers with ``adapter`` (None: without one) or,
    ``use_llm`` false, without a language model; plus the seconds it took."""
    import dataclasses
    import time

    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.assistant.pipeline.answer_eval import evaluate_answers

    w = dataclasses.replace(ws, config=ws.config.model_copy(deep=True))
    w.config.llm.adapter = str(adapter) if adapter else None
    w.config.llm.synthesis = "on"  # measuring what the model adds: shown even where the default keeps it off
    t0 = time.perf_counter()
    m = evaluate_answers(Assistant(w, use_llm=use_llm, user=user), qa, unanswerable)
    return {**{k: m.get(k) for k in KEYS}, "seconds": round(time.perf_counter() - t0, 1)}


def tune_answerer(ws, qa: list[dict], unanswerable: list[dict], *, examples: int = 240, budget_s: float | None = None,
                  activate: str = "auto", seed: int = 0, progress=None, user=None) -> dict:
    """Train a LoRA answerer on the workspace's documents, measure it against the model without it on the QA
    files (``ask-eval``'s measures, same run), and set ``llm.adapter`` in config.yaml when it is kept
    (``activate``: "auto" = only if :func:`beats`, "always", "never"). ``user`` asks the QA questions."""
    import json
    import time

    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.config import save_config
    from shopfloor.finetune.chat_lora import ChatLoraConfig, train_chat_lora
    from shopfloor.workspace import CONFIG_FILE

    if ws.config.llm.backend not in ("local", "transformers"):
        raise ValueError(f"llm.backend is {ws.config.llm.backend!r}: a LoRA answerer needs the local model")
    t0 = time.perf_counter()
    components = Assistant(ws, use_llm=False).components
    exs = build_examples(components.index(), examples, seed=seed, trust=components.trust())
    out = ws.root / "models" / "answerer" / time.strftime("%Y%m%d-%H%M%S")
    train_chat_lora(exs, out, ChatLoraConfig(base=ws.config.llm.model, budget_s=budget_s, seed=seed),
                    progress=progress)
    report: dict = {"adapter": str(out), "examples": len(exs), "train_s": round(time.perf_counter() - t0, 1)}
    kept, why = activate == "always", "activated as asked" if activate == "always" else "not activated"
    if qa or unanswerable:
        report["untuned"] = measure_answers(ws, None, qa, unanswerable, user=user)
        report["tuned"] = measure_answers(ws, out, qa, unanswerable, user=user)
        better, why = beats(report["tuned"], report["untuned"])
        kept = activate == "always" or (activate == "auto" and better)
    elif activate == "auto":
        why = "not activated: give --qa to measure it against the model without it"
    if kept:
        cfg = ws.config.model_copy(deep=True)
        cfg.llm.adapter = str(out)
        save_config(cfg, ws.root / CONFIG_FILE)
    report.update(active=kept, reason=why, seconds=round(time.perf_counter() - t0, 1))
    (out / "tune_report.json").write_text(json.dumps(report, indent=2))
    return report
