"""The Gradio app: one module per tab under ``shopfloor.assistant.ui.tabs``, thin callbacks over the Assistant.

Every callback asks :class:`Ctx` who is calling (from Gradio's request) and passes that user to the
Assistant, which decides what is allowed; the UI only swaps the body of a tab a role cannot use for a
notice. Build with
``build_ui(assistant, login_required, export_dir)``; nothing loads at import.
"""

# No `from __future__ import annotations` in the UI modules: Gradio finds the `request: gr.Request`
# parameter by its evaluated annotation; a string annotation would leave every callback without a user.

import logging
from pathlib import Path

from shopfloor.assistant.policy import MIN_ROLE, Action
from shopfloor.assistant.ui.common import Ctx

log = logging.getLogger(__name__)
CSS = (".sf-card {font-size: 15px} footer {display: none !important} "
       # charts keep their aspect at any width (a phone shows all panels, not a 90 px strip)
       "#machine-charts img, #machine-residuals img {height: auto !important; max-height: none !important; "
       "object-fit: contain} #machine-charts .image-container, #machine-residuals .image-container, "
       "#machine-charts .image-frame, #machine-residuals .image-frame {height: auto !important} "
       # fleet headers break between words, never letter by letter
       "#fleet-table th, #fleet-table th span {word-break: keep-all; overflow-wrap: normal; white-space: nowrap}")


def build_ui(assistant, login_required: bool = False, export_dir: Path | None = None):
    import tempfile

    import gradio as gr

    from shopfloor.assistant.ui.i18n import t
    from shopfloor.assistant.ui.tabs import (
        account,
        admin,
        batch,
        chat,
        diagnose,
        inspect,
        knowledge,
        machines,
        trends,
    )

    ctx = Ctx(assistant, login_required, Path(export_dir or tempfile.mkdtemp(prefix="shopfloor-export-")))
    with gr.Blocks(title="shopfloor") as demo:
        gr.Markdown(t("## shopfloor — offline quality assistant\nEvery answer shows where it came from. "
                      "Nothing leaves this machine."))
        who = gr.Markdown(elem_id="who")
        sections = []  # (tab name, action, notice shown instead, the tab's body)
        for name, module, action in (("Chat", chat, Action.ask), ("Diagnose", diagnose, Action.diagnose),
                                     ("Batch", batch, Action.classify), ("Inspect", inspect, Action.inspect),
                                     ("Machines", machines, Action.view_machines),
                                     ("Trends", trends, Action.view_trends),
                                     ("Knowledge", knowledge, Action.ask), ("Admin", admin, Action.manage_users),
                                     ("Account", account, Action.change_own_password)):
            with gr.Tab(t(name), id=name.lower()):
                notice = gr.Markdown(visible=False, elem_id=f"{name.lower()}-notice")
                with gr.Column() as body:
                    module.build(gr, ctx)
            sections.append((name, action, notice, body))

        def show_for(request: gr.Request):
            # Gradio 6.31 ignores visibility updates of a Tab itself, so the tab stays and its body is
            # swapped for a notice. Hiding is for clarity only: the Assistant refuses the calls anyway.
            user = ctx.user(request)
            out: list = [f"Signed in as **{user.name}** ({user.role.value})" if user else "Not signed in."]
            for name, action, _, _ in sections:
                allowed = bool(user and user.can(action))
                need = MIN_ROLE[action].value
                out += [gr.update(visible=not allowed, value=f"The {name} tab needs the **{need}** role"
                                  + (f"; you are signed in as {user.name} ({user.role.value})." if user else ".")),
                        gr.update(visible=allowed)]
            return out

        demo.load(show_for, None, [who, *(c for _, _, n, b in sections for c in (n, b))], api_name="whoami")
        for callback, outputs, api_name in ctx.on_load:
            demo.load(callback, None, outputs, api_name=api_name)
    return demo
