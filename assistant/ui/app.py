"""The Gradio app: one module per tab under ``assistant.ui.tabs``, thin callbacks over the Assistant.

Every callback asks :class:`Ctx` who is calling (from Gradio's request) and passes that user to the
Assistant, which decides what is allowed; the UI only hides tabs a role cannot use. Build with
``build_ui(assistant, login_required, export_dir)``; nothing loads at import.
"""

# No `from __future__ import annotations` in the UI modules: Gradio finds the `request: gr.Request`
# parameter by its evaluated annotation; a string annotation would leave every callback without a user.

import logging
from dataclasses import dataclass
from pathlib import Path

from assistant.policy import Action, User
from assistant.ui import views

log = logging.getLogger(__name__)
CSS = ".sf-card {font-size: 15px} footer {display: none !important}"


@dataclass
class Ctx:
    """What every tab needs: the assistant, whether login is on, and the folder files are served from."""

    assistant: object
    login_required: bool
    export_dir: Path

    def user(self, request) -> User | None:
        return views.user_of(self.assistant, getattr(request, "username", None), self.login_required)


def friendly(e: Exception) -> str:
    return f"**Problem:** {e}"


def build_ui(assistant, login_required: bool = False, export_dir: Path | None = None):
    import tempfile

    import gradio as gr

    from assistant.ui.tabs import account, admin, batch, chat, diagnose, knowledge, machines

    ctx = Ctx(assistant, login_required, Path(export_dir or tempfile.mkdtemp(prefix="shopfloor-export-")))
    with gr.Blocks(title="shopfloor") as demo:
        gr.Markdown("## shopfloor — offline quality assistant\nEvery answer shows where it came from. "
                    "Nothing leaves this machine.")
        who = gr.Markdown(elem_id="who")
        tabs = {}
        for name, module, action in (("Chat", chat, Action.ask), ("Diagnose", diagnose, Action.diagnose),
                                     ("Batch", batch, Action.classify), ("Machines", machines, Action.view_machines),
                                     ("Knowledge", knowledge, Action.ask), ("Admin", admin, Action.manage_users),
                                     ("Account", account, Action.change_own_password)):
            with gr.Tab(name, id=name.lower()) as tab:
                module.build(gr, ctx)
            tabs[tab] = action

        def show_for(request: gr.Request):
            user = ctx.user(request)
            label = f"Signed in as **{user.name}** ({user.role.value})" if user else "Not signed in."
            return [label] + [gr.update(visible=bool(user and user.can(a))) for a in tabs.values()]

        demo.load(show_for, None, [who, *tabs], api_name="whoami")
    return demo
