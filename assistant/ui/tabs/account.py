"""Account tab: who is signed in; change one's own password; sign out."""

from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.errors import ShopfloorError


def build(gr, ctx) -> None:
    gr.Markdown("Change your password (8+ characters). Your API tokens are revoked when it changes." +
                ("  \n[Sign out](/logout)" if ctx.login_required else ""))
    old = gr.Textbox(label=t("Current password"), type="password", elem_id="acct-old")
    new = gr.Textbox(label=t("New password"), type="password", elem_id="acct-new")
    go = gr.Button(t("Change password"), elem_id="acct-go")
    note = gr.Markdown(elem_id="acct-note")

    def change(current, password, request: gr.Request):
        from shopfloor.assistant import auth

        user = ctx.user(request)
        if user is None:
            return "Sign in first."
        if ctx.login_required:
            with ctx.assistant.ws.connect() as conn:
                if auth.check_password(conn, user.name, current or "") is None:
                    return "**Problem:** the current password is wrong."
        try:
            ctx.assistant.users.set_password(user.name, password or "", user=user)
        except ShopfloorError as e:
            return friendly(e)
        return "Password changed. Sign in again with the new one."

    go.click(change, [old, new], note, api_name="account_password")
