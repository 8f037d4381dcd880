"""Account tab: who is signed in; change one's own password; sign out."""

from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.errors import ShopfloorError


def build(gr, ctx) -> None:
    AccountTab(gr, ctx).wire(gr)


class AccountTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire`."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx = gr, ctx
        gr.Markdown("Change your password (8+ characters). Your API tokens are revoked when it changes." +
                    ("  \n[Sign out](/logout)" if ctx.login_required else ""))
        self.old = gr.Textbox(label=t("Current password"), type="password", elem_id="acct-old")
        self.new = gr.Textbox(label=t("New password"), type="password", elem_id="acct-new")
        self.go = gr.Button(t("Change password"), elem_id="acct-go")
        self.note = gr.Markdown(elem_id="acct-note")

    def changed(self, current, password, request) -> str:

        ctx = self.ctx
        user = ctx.user(request)
        if user is None:
            return "Sign in first."
        if ctx.login_required:
            if ctx.assistant.users.check_password(user.name, current or "") is None:
                return "**Problem:** the current password is wrong."
        try:
            ctx.assistant.users.set_password(user.name, password or "", user=user)
        except ShopfloorError as e:
            return friendly(e)
        return "Password changed. Sign in again with the new one."

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        def change(current, password, request: gr.Request):
            return self.changed(current, password, request)

        self.go.click(change, [self.old, self.new], self.note, api_name="account_password")
