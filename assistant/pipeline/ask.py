"""Answering a question from the documents, as a stream of events.

The answer is extractive first (quoted passages with numbered citations appear at once), then the
language model may add a short synthesis, which is kept only if it rests on the passages.
Follow-ups are condensed deterministically with the previous user turn, so "and how do I check
it?" still retrieves about the pump discussed before.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Generator, Iterator

from shopfloor.assistant.pipeline.events import Answer, ChatEvent, Citation, Notice, Token
from shopfloor.assistant.pipeline.grounding import (
    REFUSAL,
    best_sentences,
    cited_sentences_grammar,
    supported_sentences,
)
from shopfloor.assistant.pipeline.question import read_question
from shopfloor.assistant.pipeline.words import Language, cell, joined, label, language
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


def passages(hits, query: str, trust=None) -> list[dict]:
    """Numbered passages as plain text, instructions neutralised; a passage that weakens a safety step carries
    ``safety`` (the warning with its provenance) and is quoted only behind that warning; one from a document
    no engineer has reviewed is quoted marked as such."""
    out = []
    for n, h in enumerate(hits, start=1):
        quote = _row_quote(h, language(query)) or best_sentences(h.text, query)
        text, quote = neutralise(plain(h.text)), neutralise(plain(quote))
        out.append(_passage(n, h.source, h.section, h.page, h.citation, text, [quote], h.dense_score, trust,
                            _problem(h)))
    return out


CHECK_PAGE = "CHECK THE PAGE"


def _problem(hit) -> str | None:
    """Why a passage's text is not fit to quote as it stands (low-confidence OCR, words run together), or None."""
    meta = getattr(hit, "metadata", None)
    return meta.get("text_problem") if isinstance(meta, dict) else None


UNREVIEWED = "UNREVIEWED DOCUMENT"


def _passage(n: int, source: str, section, page, citation: str, text: str, lines: list[str], score: float,
             trust, problem: str | None = None) -> dict:
    """One numbered passage: its lines behind the safety warning, the unreviewed mark and the "check the page"
    mark (text read by OCR with low confidence, or otherwise unfit) where they apply."""
    reviewed = trust.reviewed(source) if trust else True
    origin = trust.provenance(source) if trust else "provenance unknown"
    reason = unsafe_reason(text)
    warning = safety_warning(reason, f"[{n}] {citation}", origin) if reason else None
    lines = _warned(lines, warning)
    if problem:
        lines[0] = f"{CHECK_PAGE} ({problem}): {lines[0]}"
    if not reviewed:
        lines[0] = f"{UNREVIEWED} ({origin}; an engineer has not approved it, check before acting): {lines[0]}"
    return {"n": n, "source": source, "section": section, "page": page, "citation": citation, "text": text,
            "quote": "\n".join(lines), "score": score, "safety": warning, "reviewed": reviewed, "problem": problem}


def _row_quote(h, lang: Language = "en") -> str:
    """A table row quoted by the roles of its columns (symptom: cause; remedy), or '' for prose; the labels in the
    asker's language."""
    row = h.table
    if row is None:
        return ""
    head = row.head()
    if row.kind == "incident":
        when = " ".join(v for v in (row.get("date"), row.get("machine")) if v)
        past = "Past incident" if lang == "en" else label("past incident", lang)
        action = [cell("action", row.get("remedy"), lang)] if row.get("remedy") else []
        return f"{past} {when}: " + joined([row.get("text") or head, *action], lang)
    parts = [cell(label_of, row.get(role), lang) for role, label_of in
             (("cause", "cause"), ("effect", "effect"), ("controls", "detected by"), ("remedy", "remedy")) if row.get(role)]
    body = joined([p for p in [*parts, row.ratings_text()] if p], lang)
    return f"{head}: {body}" if head and body else head or body


MAX_INCIDENTS = 2


def varied(hits: list, k: int) -> list:
    """The first ``k`` hits with at most :data:`MAX_INCIDENTS` past-incident rows: a plant logs the same failure
    many times, and five copies of one incident would leave no room for the manual's row that says its cause."""
    out, incidents = [], 0
    for h in hits:
        row = h.table
        if row is not None and row.kind == "incident":
            if incidents >= MAX_INCIDENTS:
                continue
            incidents += 1
        out.append(h)
        if len(out) == k:
            break
    return out


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
        table = _table_answer(index, question, components.trust())
        if table is not None:
            yield Token(text=table.answer)
            yield table
            return
    hits = varied(index.search(query, k=3 * k, filters=filters), k)
    on_topic = bool(hits) and max(h.dense_score for h in hits) >= threshold  # the configured floor always holds
    trust = components.trust()
    shown = _shown(read_question(query), hits, index, threshold, trust) if on_topic else []
    if not shown:
        related = passages(hits[:2], query, trust)
        yield Token(text=NO_ANSWER)
        yield _done(refusal(related, language(question)), related, False, query)
        return
    extract = "\n\n".join(c["quote"] for c in shown)
    yield Token(text=extract)
    answer, summary = extract, None
    # the model never restates a flagged passage without its warning, nor an unreviewed one without its mark
    safe = [c for c in shown if not c["safety"] and c["reviewed"] and not c["problem"]]
    if llm is not None and safe and synthesis_on(settings):
        summary = yield from _synthesis(llm, settings, question, safe)
        if summary:
            answer = f"{extract}{SUMMARY_HEAD}{summary}"  # the order it was streamed in
    yield _done(answer, shown, True, query, summary_kept=summary is not None)


def synthesis_on(settings) -> bool:
    """Whether the model's synthesis is added (``llm.synthesis``): 'auto' keeps it off for the bundled 135M model
    run here, whose "In short:" held the evidence in 1 of 50 answers on an unseen handbook (filler, ~2 s each),
    and on for any other model or server the plant points at."""
    mode = settings.synthesis
    bundled = settings.backend in ("local", "transformers") and "135m" in str(settings.model).lower()
    return mode == "on" or (mode == "auto" and not bundled)


def _shown(q, hits, index, threshold: float, trust) -> list[dict]:
    """The extracts that answer ``q`` as numbered passages (quote = the lines shown, cited once), or []."""
    from shopfloor.assistant.pipeline.answerable import choose

    out = []
    similarity = functools.partial(index.similarity_to, q.text)
    row_quote = functools.partial(_row_quote, lang=language(q.text))
    for n, e in enumerate(choose(q, hits, index.sections(), row_quote, threshold, similarity), start=1):
        lines = [neutralise(plain(line)) for line in e.lines]
        lines[-1] += f" [{n}]"
        out.append(_passage(n, e.source, e.path, e.page, e.citation, neutralise(plain(e.full_text)), lines, e.dense,
                            trust, _problem(e.hit)))
    return out


def _warned(lines: list[str], warning: str | None) -> list[str]:
    """The lines with the safety warning in front of each line that weakens a safety step (of the first line
    when the passage does so only as a whole), on the same line, so that no client shows the words alone."""
    if not warning:
        return lines
    flagged = [i for i, line in enumerate(lines) if unsafe_reason(line)] or [0]
    return [f"{warning} The passage says: {line}" if i in flagged else line for i, line in enumerate(lines)]


def _table_answer(index, question: str, trust=None) -> Answer | None:
    """The answer of a question with a condition on a table's columns (rows filtered, each cited), or None; rows of
    a table no engineer has approved are cited as unreviewed and the answer says so on its first line."""
    from shopfloor.index.tablequery import answer_table_question, summarise_row

    tables = index.tables()
    result = answer_table_question(question, tables) if tables else None
    if result is None:
        return None
    roles = {t.source: t.roles for t in tables}
    cites = [Citation(n=n, source=r.source, citation=r.citation, section=f"row {r.row}",
                      text=neutralise(plain(summarise_row(r, roles.get(r.source, {})))),
                      reviewed=trust.reviewed(r.source) if trust else True)
             for n, r in enumerate(result.rows, start=1)]
    for c in cites:
        reason = unsafe_reason(c.text)
        c.safety = safety_warning(reason, f"[{c.n}] {c.citation}", trust.provenance(c.source) if trust else
                                  "provenance unknown") if reason else None
    text = neutralise(plain(result.text))
    unreviewed = sorted({c.source for c in cites if not c.reviewed})
    warnings = [c.safety for c in cites if c.safety]
    if unreviewed:
        text = f"{UNREVIEWED} ({', '.join(unreviewed)}; an engineer has not approved it, check before acting):\n{text}"
    if warnings:
        text = "\n".join(warnings) + "\n" + text
    return Answer(answer=text, citations=cites, route="table", grounded=result.found, query=question)


SUMMARY_HEAD = "\n\nIn short: "


def _synthesis(llm, settings, question: str, good: list[dict]) -> Generator[ChatEvent, None, str | None]:
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
    topic = read_question(question).terms
    own = frozenset(tokenize(question))  # the question's own words are never evidence
    kept = [s for s in supported_sentences(text, {g["n"]: g["text"] for g in good}, exclude=own)
            if NO_ANSWER.lower() not in s.lower() and (not topic or topic & set(tokenize(s)))]
    if not kept:
        yield Notice(text="the language model's wording was not supported by the passages, so it is not shown")
        return None
    summary = " ".join(kept)
    yield Token(text=SUMMARY_HEAD + summary)
    return summary


def refusal(related: list[dict], lang: Language = "en") -> str:
    """The refusal as people read it: the first line says so (in the asker's language after the English words
    every client recognises); the closest passages are listed as related, not as the answer (the similarity
    threshold behind it is for logs, not for a technician)."""
    first = NO_ANSWER if lang == "en" else f"{NO_ANSWER} {label('not in your documents', lang)}"
    if not related:
        return first
    head = label("Related passages (they do not answer the question):", lang)
    return first + f"\n{head}\n" + "\n".join(f"- {c['citation']} [{c['n']}]" for c in related)


def _done(answer: str, cites: list[dict], grounded: bool, query: str, summary_kept: bool = False) -> Answer:
    keep = ("n", "source", "section", "page", "citation", "text", "score", "safety", "reviewed", "problem")
    return Answer(answer=answer, citations=[Citation(**{k: c[k] for k in keep}) for c in cites], route="ask",
                  grounded=grounded, query=query, summary_kept=summary_kept)
