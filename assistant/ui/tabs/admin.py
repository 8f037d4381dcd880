"""Admin tab: models and retraining, users (add, password, role, revoke tokens), the audit log."""

from shopfloor.assistant.auth import ROLES
from shopfloor.assistant.pipeline.results import RetrainReport
from shopfloor.assistant.ui.common import attempt, friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.views import BUILD_USER, model_versions
from shopfloor.errors import ShopfloorError


def retrain_summary(r: RetrainReport) -> str:
    """What a retrain did, first line first: held-out accuracy against always picking the most common label, or
    why nothing is auto-accepted yet; labels kept from the taxonomy alone."""
    extra = len(r.labels_without_examples)
    head = (f"Retrained **{r.task}** with {r.reviewed_rows} reviewed rows"
            + (f" (plus {extra} taxonomy description{'s' if extra > 1 else ''} as training rows)." if extra else "."))
    if r.calib_accuracy is None:
        head += (" **Every row still goes to review**: too few rows to hold some out and measure the model"
                 + (f"; about {r.reviews_needed} more reviewed rows and a retrain give a held-out estimate."
                    if r.reviews_needed else "."))
    else:
        prior = r.calib_majority_accuracy
        head += (f" Held-out accuracy {r.calib_accuracy:.0%} on {r.n_calib} rows"
                 + (f", always the most common label {prior:.0%}." if prior is not None else "."))
        if prior is not None and r.calib_accuracy <= prior:
            head += " **Warning:** no better than always picking the most common label."
    if r.labels_without_examples:
        head += (f"\n\nNo reviewed row yet for {', '.join(r.labels_without_examples)}: kept, learned from the "
                 "taxonomy description alone (weak until people review some).")
    return head


def build(gr, ctx) -> None:
    AdminTab(gr, ctx).wire(gr)


class AdminTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire` (admins only)."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx, self.a = gr, ctx, ctx.assistant
        tasks = self.a.texts.tasks(user=BUILD_USER)
        gr.Markdown("### Models")
        self.versions = gr.Dataframe(headers=["task", "base", "labels", "train rows", "held-out accuracy",
                                              "review threshold", "created"], interactive=False)
        with gr.Row():
            self.task = gr.Dropdown(tasks, value=tasks[0] if tasks else None, label=t("Task"))
            self.retrain = gr.Button(t("Retrain with reviewed labels"), elem_id="admin-retrain")
        self.note = gr.Markdown(elem_id="admin-note")
        gr.Markdown("### Users")
        with gr.Row():
            self.name = gr.Textbox(label=t("Name"), elem_id="admin-user-name")
            self.pw = gr.Textbox(label=t("Password (8+ characters)"), type="password", elem_id="admin-user-pw")
            self.role = gr.Dropdown(list(ROLES), value="technician", label=t("Role"))
        with gr.Row():
            self.add = gr.Button(t("Add user"), elem_id="admin-user-add")
            self.set_pw = gr.Button(t("Set password"))
            self.set_role = gr.Button(t("Set role"))
            self.revoke = gr.Button(t("Revoke tokens and sessions"), variant="stop")
        self.users = gr.Dataframe(headers=["name", "role", "created_at", "live tokens"], interactive=False)
        gr.Markdown("### Audit log")
        self.audit = gr.Dataframe(headers=["id", "created_at", "user", "action", "detail"], interactive=False)
        self.refresh = gr.Button(t("Refresh"), elem_id="admin-refresh")

    def tables(self, user):
        """(users, audit, model versions) for an admin; empty tables for anyone else."""
        a = self.a
        try:
            u = [[r.name, r.role, r.created_at, r.live_tokens] for r in a.users.known(user=user)]
            log = [[r.id, r.created_at, r.user, r.action, r.detail] for r in a.users.audit_log(user=user)]
        except ShopfloorError:
            return [], [], []
        return u, log, model_versions(a)

    def refreshed(self, request):
        user = self.ctx.user(request)
        try:
            self.a.users.audit_log(1, user=user)
        except ShopfloorError as e:
            return (friendly(e), *self.tables(user))
        return (self.gr.update(), *self.tables(user))  # the last message (a retrain's report) stays

    def done(self, request, action):
        """(message, tables) after ``action(user)``, which returns the message."""
        user = self.ctx.user(request)
        return (attempt(lambda: action(user)), *self.tables(user))

    def retrained(self, task, request, progress):
        def retrain(user):
            progress(0.0, desc=f"retraining {task}: reading the texts")
            return retrain_summary(self.a.texts.retrain(
                task or "", progress=lambda stage, done, total: progress(done / total if total else 0.0,
                                                                         desc=f"{task}: {stage}"), user=user))
        return self.done(request, retrain)

    def added(self, n, p, r, request):
        return self.done(request, lambda user: f"User {n} ({r}) added. Their API token (shown once, copy it now): "
                                               f"`{self.a.users.add(n or '', p or '', r or '', user=user)}`")

    def password_set(self, n, p, request):
        return self.done(request, lambda user: f"Password of {n} changed; "
                                               f"{self.a.users.set_password(n or '', p or '', user=user)} "
                                               "tokens revoked and their web sessions ended.")

    def role_set(self, n, r, request):
        def set_role(user):
            self.a.users.set_role(n or "", r or "", user=user)
            return f"{n} is now {r}."
        return self.done(request, set_role)

    def revoked(self, n, request):
        return self.done(request, lambda user: f"Revoked {self.a.users.revoke_tokens(n or '', user=user)} tokens of "
                                               f"{n} and ended their web sessions.")

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        def on_refresh(request: gr.Request):
            return self.refreshed(request)

        def on_retrain(t, request: gr.Request, progress=gr.Progress()):
            return self.retrained(t, request, progress)

        def on_add(n, p, r, request: gr.Request):
            return self.added(n, p, r, request)

        def on_set_pw(n, p, request: gr.Request):
            return self.password_set(n, p, request)

        def on_set_role(n, r, request: gr.Request):
            return self.role_set(n, r, request)

        def on_revoke(n, request: gr.Request):
            return self.revoked(n, request)

        outs = [self.note, self.users, self.audit, self.versions]
        self.retrain.click(on_retrain, self.task, outs, api_name="admin_retrain",
                           show_progress_on=[self.note])  # one progress bar, where the result will be
        self.add.click(on_add, [self.name, self.pw, self.role], outs, api_name="admin_user_add")
        self.set_pw.click(on_set_pw, [self.name, self.pw], outs, api_name="admin_set_password")
        self.set_role.click(on_set_role, [self.name, self.role], outs, api_name="admin_set_role")
        self.revoke.click(on_revoke, self.name, outs, api_name="admin_revoke")
        self.refresh.click(on_refresh, None, outs, api_name="admin_refresh")
