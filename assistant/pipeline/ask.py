"""Answering a question from the documents, as a stream of events.

The answer is extractive first (quoted passages with numbered citations appear at once), then the
language model may add a short synthesis, which is kept only if it rests on the passages.
Follow-ups are condensed deterministically with the previous user turn, so "and how do I check
it?" still retrieves about the pump discussed before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from shopfloor.assistant.pipeline.events import Answer, ChatEvent, Citation, Notice, Token
from shopfloor.assistant.pipeline.grounding import (
    REFUSAL,
    best_sentences,
    cited_sentences_grammar,
    supported_sentences,
)
from shopfloor.assistant.safety import neutralise, plain, safety_warning, unsafe_reason
from shopfloor.errors import BackendError, NotBuiltError
from shopfloor.index.text import tokenize

log = logging.getLogger(__name__)
FOLLOW_UP_WORDS = {"it", "that", "this", "they", "them", "those", "there", "he", "she", "one", "same", "also", "and"}
NO_ANSWER = REFUSAL


def condense(question: str, history: list[dict]) -> str:
    """A standalone search query: a short or pronoun-led follow-up gets the previous user question prepended."""
    previous = [h["content"] for h in history if h.get("role") == "user" and h.get("content")]
    words = question.lower().split()
    if previous and (len(words) <= 6 or (words and words[0].strip(",") in FOLLOW_UP_WORDS)
                     or FOLLOW_UP_WORDS & set(words[:4])):
        return f"{previous[-1]} {question}"
    return question


def passages(hits, query: str, provenance=None) -> list[dict]:
    """Numbered passages as plain text, instructions neutralised; a passage that weakens a safety step carries
    ``safety`` (the warning with its provenance) and is quoted only behind that warning."""
    out = []
    for n, h in enumerate(hits, start=1):
        quote = _row_quote(h) or best_sentences(h.text, query)
        text, quote = neutralise(plain(h.text)), neutralise(plain(quote))
        reason = unsafe_reason(text)
        warning = safety_warning(reason, f"[{n}] {h.citation}", provenance(h.source) if provenance else
                                 "provenance unknown") if reason else None
        out.append({"n": n, "source": h.source, "section": h.section, "page": h.page, "citation": h.citation,
                    "text": text, "quote": f"{warning} The passage says: {quote}" if warning else quote,
                    "score": h.dense_score, "safety": warning})
    return out


def _row_quote(h) -> str:
    """A table row quoted by the roles of its columns (symptom: cause; remedy), or '' for prose."""
    from shopfloor.index.tables import role_getter

    get = role_getter(h.metadata)
    if get is None:
        return ""
    meta = h.metadata
    cols, roles = meta.get("columns") or {}, meta["roles"]
    kind = meta.get("table_kind") or h.doc_type

    what = " / ".join(v for v in (get("subsystem"), get("component")) if v)
    head = ": ".join(v for v in (what, get("symptom") or get("failure_mode")) if v)
    if kind == "incident":
        when = " ".join(v for v in (get("date"), get("machine")) if v)
        return f"Past incident {when}: {get('text') or head}" + (f"; action — {get('remedy')}" if get("remedy") else "")
    parts = [f"cause — {get('cause')}" if get("cause") else "", f"effect — {get('effect')}" if get("effect") else "",
             f"remedy — {get('remedy')}" if get("remedy") else ""]
    ratings = ", ".join(f"{c} {cols[c]}" for c, r in roles.items()
                        if r in ("severity", "occurrence", "detection", "rpn") and cols.get(c))
    body = "; ".join(p for p in [*parts, ratings] if p)
    return f"{head}: {body}" if head and body else head or body


def answer_events(components, llm, settings, question: str, history: list[dict], k: int, threshold: float,
                  filters: dict | None = None) -> Iterator[ChatEvent]:
    query = condense(question, history)
    try:
        index = components.index()
    except NotBuiltError as e:
        yield Token(text=str(e))
        yield _done(str(e), [], False, query)
        return
    if not filters:
        table = _table_answer(index, question)
        if table is not None:
            yield Token(text=table.answer)
            yield table
            return
    hits = index.search(query, k=k, filters=filters)
    cites = passages(hits, query, components.provenance)
    if not cites or cites[0]["score"] < threshold:
        yield Token(text=NO_ANSWER)
        yield _done(refusal(cites[:2]), cites[:2], False, query)
        return
    good = _on_topic([c for c in cites if c["score"] >= threshold][:3], question)
    extract = "From the manuals:\n" + "\n".join(f"- {c['quote']} [{c['n']}]" for c in good)
    yield Token(text=extract)
    answer, summary = extract, None
    safe = [c for c in good if not c["safety"]]  # the model never restates a flagged passage without its warning
    if llm is not None and safe:
        summary = yield from _synthesis(llm, settings, question, safe)
        if summary:
            answer = f"{extract}{SUMMARY_HEAD}{summary}"  # the order it was streamed in
    yield _done(answer, cites, True, query, summary_kept=summary is not None)


# words of a question that say what kind of answer is wanted, not what it is about
_ASKING = {"what", "which", "why", "how", "when", "where", "cause", "causes", "caused", "fix", "fixes", "remedy",
           "problem", "problems", "do", "does", "should", "can", "check", "symptom", "machine", "happen", "mean"}


def _on_topic(good: list[dict], question: str) -> list[dict]:
    """The passages whose own text (not the document title in the heading) shares a topic word with the
    question, in retrieval order, so the first bullet is about what was asked; none does: the best one alone.
    A table's lead-in ("Find the symptom, check the causes in order") scores 0.51 against a cavitation question
    in the embedding, heading included, but answers none. The rest stay in the sources."""
    words = _topic_words(question)
    on_topic = [c for c in good if words & set(tokenize(c["text"]))] if words else good
    return on_topic or good[:1]


def _topic_words(question: str) -> set[str]:
    """The question's words that say what it is about (stemmed), without the words that ask."""
    return set(tokenize(question)) - {t for w in _ASKING for t in tokenize(w)}


def _table_answer(index, question: str) -> Answer | None:
    """The answer of a question with a condition on a table's columns (rows filtered, each cited), or None."""
    from shopfloor.index.tablequery import answer_table_question, summarise_row

    tables = index.tables()
    result = answer_table_question(question, tables) if tables else None
    if result is None:
        return None
    roles = {t.source: t.roles for t in tables}
    cites = [Citation(n=n, source=r.source, citation=r.citation, section=f"row {r.row}",
                      text=neutralise(plain(summarise_row(r, roles.get(r.source, {})))))
             for n, r in enumerate(result.rows, start=1)]
    return Answer(answer=neutralise(plain(result.text)), citations=cites, route="table", grounded=result.found,
                  query=question)


SUMMARY_HEAD = "\n\nIn short: "


def _synthesis(llm, settings, question: str, good: list[dict]) -> Iterator[ChatEvent]:
    """The model's short synthesis, checked sentence by sentence before anything is shown.

    The model's text is collected, not streamed (llama.cpp writes the ~100 tokens in about a second), so
    no client ever sees a sentence that is then dropped; only supported sentences appear, under
    "In short:", after the extract. Nothing supported: nothing shown, and a notice says so. On llama.cpp a
    grammar makes each reply cited sentences or the refusal; a sentence is kept only if it rests on the
    passages it cites and shares a topic word with the question (a copied but unrelated sentence is not an
    answer).
    """
    from shopfloor.assistant.llm import complete
    from shopfloor.prompts import render

    msgs = [{"role": "system", "content": render("system")},
            {"role": "user", "content": render("grounded_answer", passages=good, question=question)}]
    try:
        text = complete(llm, msgs, settings.max_new_tokens, settings.temperature,
                        grammar=cited_sentences_grammar([g["n"] for g in good]))
    except BackendError as e:
        yield Notice(text=f"language model unavailable ({e}); showing the retrieved passages alone")
        return None
    topic = _topic_words(question)
    kept = [s for s in supported_sentences(text, {g["n"]: g["text"] for g in good})
            if NO_ANSWER.lower() not in s.lower() and (not topic or topic & set(tokenize(s)))]
    if not kept:
        yield Notice(text="the language model's wording was not supported by the passages, so it is not shown")
        return None
    summary = " ".join(kept)
    yield Token(text=SUMMARY_HEAD + summary)
    return summary


def refusal(related: list[dict]) -> str:
    """The refusal as people read it: the first line says so; the closest passages are listed as related, not
    as the answer (the similarity threshold behind it is for logs, not for a technician)."""
    if not related:
        return NO_ANSWER
    return NO_ANSWER + "\nRelated passages (they do not answer the question):\n" + "\n".join(
        f"- {c['citation']} [{c['n']}]" for c in related)


def _done(answer: str, cites: list[dict], grounded: bool, query: str, summary_kept: bool = False) -> Answer:
    keep = ("n", "source", "section", "page", "citation", "text", "score", "safety")
    return Answer(answer=answer, citations=[Citation(**{k: c[k] for k in keep}) for c in cites], route="ask",
                  grounded=grounded, query=query, summary_kept=summary_kept)
