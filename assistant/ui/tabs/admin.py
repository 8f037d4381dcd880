"""Admin tab: models and retraining, users (add, password, role, revoke tokens), the audit log."""

from shopfloor.assistant.auth import ROLES
from shopfloor.assistant.ui.common import attempt, friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.views import BUILD_USER, model_versions
from shopfloor.errors import ShopfloorError


def build(gr, ctx) -> None:
    a = ctx.assistant
    tasks = a.texts.tasks(user=BUILD_USER)
    gr.Markdown("### Models")
    versions = gr.Dataframe(headers=["task", "base", "labels", "train rows", "held-out accuracy", "review threshold",
                                     "created"], interactive=False)
    with gr.Row():
        task = gr.Dropdown(tasks, value=tasks[0] if tasks else None, label=t("Task"))
        retrain = gr.Button(t("Retrain with reviewed labels"), elem_id="admin-retrain")
    note = gr.Markdown(elem_id="admin-note")
    gr.Markdown("### Users")
    with gr.Row():
        name = gr.Textbox(label=t("Name"), elem_id="admin-user-name")
        pw = gr.Textbox(label=t("Password (8+ characters)"), type="password", elem_id="admin-user-pw")
        role = gr.Dropdown(list(ROLES), value="technician", label=t("Role"))
    with gr.Row():
        add = gr.Button(t("Add user"), elem_id="admin-user-add")
        set_pw = gr.Button(t("Set password"))
        set_role = gr.Button(t("Set role"))
        revoke = gr.Button(t("Revoke tokens and sessions"), variant="stop")
    users = gr.Dataframe(headers=["name", "role", "created_at", "live tokens"], interactive=False)
    gr.Markdown("### Audit log")
    audit = gr.Dataframe(headers=["id", "created_at", "user", "action", "detail"], interactive=False)
    refresh = gr.Button(t("Refresh"), elem_id="admin-refresh")

    def tables(user):
        """(users, audit, model versions) for an admin; empty tables for anyone else."""
        try:
            u = [[r["name"], r["role"], r["created_at"], r["live_tokens"]] for r in a.users.known(user=user)]
            log = [[r["id"], r["created_at"], r["user"], r["action"], r["detail"]] for r in a.users.audit_log(user=user)]
        except ShopfloorError:
            return [], [], []
        return u, log, model_versions(a)

    def on_refresh(request: gr.Request):
        user = ctx.user(request)
        try:
            a.users.audit_log(1, user=user)
        except ShopfloorError as e:
            return (friendly(e), *tables(user))
        return ("", *tables(user))

    def done(request, action):
        """(message, tables) after ``action(user)``, which returns the message."""
        user = ctx.user(request)
        return (attempt(lambda: action(user)), *tables(user))

    def on_retrain(t, request: gr.Request, progress=gr.Progress()):
        def retrain(user):
            progress(0.1, desc=f"retraining {t}")
            r = a.texts.retrain(t or "", user=user)
            return f"Retrained {t} with {r['reviewed_rows']} reviewed rows; held-out accuracy {r['calib_accuracy']}."
        return done(request, retrain)

    def on_add(n, p, r, request: gr.Request):
        return done(request, lambda user: f"User {n} ({r}) added. Their API token (shown once, copy it now): "
                                          f"`{a.users.add(n or '', p or '', r or '', user=user)}`")

    def on_set_pw(n, p, request: gr.Request):
        return done(request, lambda user: f"Password of {n} changed; {a.users.set_password(n or '', p or '', user=user)} "
                                          "tokens revoked and their web sessions ended.")

    def on_set_role(n, r, request: gr.Request):
        def set_role(user):
            a.users.set_role(n or "", r or "", user=user)
            return f"{n} is now {r}."
        return done(request, set_role)

    def on_revoke(n, request: gr.Request):
        return done(request, lambda user: f"Revoked {a.users.revoke_tokens(n or '', user=user)} tokens of {n} and ended "
                                          "their web sessions.")

    outs = [note, users, audit, versions]
    retrain.click(on_retrain, task, outs, api_name="admin_retrain")
    add.click(on_add, [name, pw, role], outs, api_name="admin_user_add")
    set_pw.click(on_set_pw, [name, pw], outs, api_name="admin_set_password")
    set_role.click(on_set_role, [name, role], outs, api_name="admin_set_role")
    revoke.click(on_revoke, name, outs, api_name="admin_revoke")
    refresh.click(on_refresh, None, outs, api_name="admin_refresh")
