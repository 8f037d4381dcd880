"""Chat tab: grounded answers with their sources under each answer (the [n] markers link to them), and helpful /
not helpful feedback."""

import html
import re

from shopfloor.assistant.pipeline.events import REFUSAL, Answer, Token
from shopfloor.assistant.pipeline.words import label as say
from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.errors import ShopfloorError


def _text(content) -> str:
    """Chat message content as plain text (Gradio 6 may hand back a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, (list, tuple)):
        return " ".join(_text(c) for c in content)
    return ""


SOURCES = '\n\n<details class="sources">'  # where an answer's own text ends and its sources begin


def answer_only(content) -> str:
    """The answer as the assistant wrote it: without the sources block under it and with plain [n] markers
    (for feedback and for the history sent back with a follow-up)."""
    return re.sub(r"\[\[(\d+)\]\]\(#src-\d+-\d+\)", r"[\1]", _text(content).split(SOURCES, 1)[0])


def with_sources(done: Answer, turn: int) -> str:
    """The final answer with each [n] linked to its source, and the sources listed under it (collapsible).

    Only what was streamed is kept and something is added below it: the text shown while streaming is never
    taken back. Anchors carry the turn so that [1] of an earlier answer does not jump to a later one.
    """
    refused = not done.grounded and done.route == "ask" and done.answer.startswith(REFUSAL)
    text = done.answer.replace(REFUSAL, f"**{REFUSAL}**", 1) if refused else done.answer  # a refusal looks like one
    if not done.citations:
        return text
    numbers = {c.n for c in done.citations}
    linked = re.sub(r"\[(\d+)\](?!\()", lambda m: f"[[{m[1]}]](#src-{turn}-{m[1]})" if int(m[1]) in numbers else m[0],
                    text)
    items = "".join(f'<p id="src-{turn}-{c.n}"><b>[{c.n}] {html.escape(c.citation)}</b><br>'
                    + (f"<b>{html.escape(c.safety)}</b><br>" if c.safety else "")
                    + ("" if c.reviewed else "<b>Unreviewed document: no engineer has approved it yet.</b><br>")
                    + html.escape(c.text[:600]) + "</p>" for c in done.citations)
    label = say("Related passages, not an answer" if refused else "Sources", done.language)
    return f"{linked}{SOURCES}<summary>{label} ({len(done.citations)})</summary>{items}</details>"


def build(gr, ctx) -> None:
    ChatTab(gr, ctx).wire(gr)


class ChatTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire`."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx = gr, ctx
        self.chatbot = gr.Chatbot(label=t("Ask about your machines and manuals"), height=420, elem_id="chatbot")
        with gr.Row():
            self.msg = gr.Textbox(placeholder=t("e.g. What causes cavitation on P-101?  ·  paste a log  ·  how is "
                                                "HP-601?"), show_label=False, scale=5, elem_id="chat-input")
            self.send = gr.Button(t("Send"), variant="primary", scale=1, elem_id="chat-send")
        with gr.Row():
            self.comment = gr.Textbox(placeholder=t("Comment on the last answer (optional)"), show_label=False,
                                      scale=4)
            self.up = gr.Button(t("Helpful"), scale=1, elem_id="thumbs-up")
            self.down = gr.Button(t("Not helpful"), scale=1, elem_id="thumbs-down")
        self.feedback_note = gr.Markdown()

    def respond(self, message, history, request):
        """The chat history as it grows: the question, the answer streamed token by token, then its sources."""
        history = list(history or [])
        if not isinstance(message, str) or not message.strip():
            yield history, ""
            return
        past = [{"role": h["role"], "content": answer_only(h.get("content"))} for h in history if isinstance(h, dict)]
        history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        try:
            for e in self.ctx.assistant.ask(message, past, user=self.ctx.user(request)):
                if isinstance(e, Token):
                    history[-1]["content"] += e.text
                    yield history, ""
                elif isinstance(e, Answer):
                    history[-1]["content"] = with_sources(e, len(history))
                    yield history, ""
        except ShopfloorError as err:
            history[-1]["content"] = friendly(err)
            yield history, ""

    def rated(self, value: int, history, text, request) -> str:
        history = [h for h in (history or []) if isinstance(h, dict)]
        if not history or history[-1].get("role") != "assistant":
            return "Ask something first."
        question = next((_text(h.get("content")) for h in reversed(history) if h.get("role") == "user"), "")
        try:
            self.ctx.assistant.record_feedback(question, answer_only(history[-1].get("content")), value, text or "",
                                               user=self.ctx.user(request))
        except ShopfloorError as e:
            return friendly(e)
        return "Thanks — feedback stored."

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter
        (a generator for the streamed answer, so that Gradio streams it)."""
        def respond(message, history, request: gr.Request):
            yield from self.respond(message, history, request)

        def rate(value: int):
            def fn(history, text, request: gr.Request):
                return self.rated(value, history, text, request)
            return fn

        self.send.click(respond, [self.msg, self.chatbot], [self.chatbot, self.msg], api_name="chat")
        self.msg.submit(respond, [self.msg, self.chatbot], [self.chatbot, self.msg], api_name="chat_submit")
        self.up.click(rate(1), [self.chatbot, self.comment], self.feedback_note, api_name="feedback_up")
        self.down.click(rate(-1), [self.chatbot, self.comment], self.feedback_note, api_name="feedback_down")
