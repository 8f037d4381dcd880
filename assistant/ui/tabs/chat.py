"""Chat tab: grounded answers with sources, and helpful / not helpful feedback."""

from shopfloor.assistant.pipeline.events import Answer, Token
from shopfloor.assistant.ui.app import friendly
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


def sources_md(done: Answer) -> str:
    if not done.citations:
        return "_No sources for this answer._"
    return "\n\n".join(f"**[{c.n}] {c.citation}**  \n" + (f"**{c.safety}**  \n" if c.safety else "") + c.text[:600]
                       for c in done.citations)


def build(gr, ctx) -> None:
    chatbot = gr.Chatbot(label="Ask about your machines and manuals", height=420, elem_id="chatbot")
    with gr.Row():
        msg = gr.Textbox(placeholder="e.g. What causes cavitation on P-101?  ·  paste a log  ·  how is HP-601?",
                         show_label=False, scale=5, elem_id="chat-input")
        send = gr.Button("Send", variant="primary", scale=1, elem_id="chat-send")
    with gr.Accordion("Sources of the last answer", open=False, elem_id="sources"):
        sources = gr.Markdown()
    with gr.Row():
        comment = gr.Textbox(placeholder="Comment on the last answer (optional)", show_label=False, scale=4)
        up = gr.Button("Helpful", scale=1, elem_id="thumbs-up")
        down = gr.Button("Not helpful", scale=1, elem_id="thumbs-down")
    feedback_note = gr.Markdown()

    def respond(message, history, request: gr.Request):
        history = list(history or [])
        if not isinstance(message, str) or not message.strip():
            yield history, "", gr.update()
            return
        past = [{"role": h["role"], "content": _text(h.get("content"))} for h in history if isinstance(h, dict)]
        history = history + [{"role": "user", "content": message}, {"role": "assistant", "content": ""}]
        try:
            for e in ctx.assistant.ask(message, past, user=ctx.user(request)):
                if isinstance(e, Token):
                    history[-1]["content"] += e.text
                    yield history, "", gr.update()
                elif isinstance(e, Answer):
                    history[-1]["content"] = e.answer
                    yield history, "", sources_md(e)
        except ShopfloorError as err:
            history[-1]["content"] = friendly(err)
            yield history, "", gr.update()

    send.click(respond, [msg, chatbot], [chatbot, msg, sources], api_name="chat")
    msg.submit(respond, [msg, chatbot], [chatbot, msg, sources], api_name="chat_submit")

    def rate(value: int):
        def fn(history, text, request: gr.Request):
            history = [h for h in (history or []) if isinstance(h, dict)]
            if not history or history[-1].get("role") != "assistant":
                return "Ask something first."
            question = next((_text(h.get("content")) for h in reversed(history) if h.get("role") == "user"), "")
            try:
                ctx.assistant.record_feedback(question, _text(history[-1].get("content")), value, text or "",
                                              user=ctx.user(request))
            except ShopfloorError as e:
                return friendly(e)
            return "Thanks — feedback stored."
        return fn

    up.click(rate(1), [chatbot, comment], feedback_note, api_name="feedback_up")
    down.click(rate(-1), [chatbot, comment], feedback_note, api_name="feedback_down")
