"""Knowledge tab: the indexed sources; engineers add and remove documents."""

from shopfloor.assistant.pipeline.results import Added
from shopfloor.assistant.ui.common import attempt
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.views import BUILD_USER, SOURCE_HEADERS, sources_table


def build(gr, ctx) -> None:
    KnowledgeTab(gr, ctx).wire(gr)


def added_summary(r: Added) -> str:
    """What adding documents did: files and chunks, how each table was read, what to read first, what was skipped."""
    tables = "".join(f"\n- table {s}: read as **{t.kind}** ("
                     + (", ".join(f"{c} → {role}" for c, role in t.roles.items()) or "no column recognised")
                     + (f"; {t.filled} merged cells filled" if t.filled else "") + ")"
                     for s, t in r.tables.items())
    flags = "".join(f"\n- **read first** {src}: {f}" for src, fs in r.flags.items() for f in fs)
    return (f"Indexed {r.files} files ({r.chunks} chunks), unreviewed until an engineer approves them."
            + tables + flags
            + "".join(f"\n- **warning** {s}: {w}" for s, w in r.warnings)
            + "".join(f"\n- skipped {s}: {why}" for s, why in r.skipped))


class KnowledgeTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire` (engineers and up change it)."""

    def __init__(self, gr, ctx) -> None:
        self.gr, self.ctx, self.a = gr, ctx, ctx.assistant
        self.files = gr.File(label=t("Add documents (Markdown, text, HTML, PDF incl. scans, photos of pages and charts, "
                                     "CSV/XLSX tables)"), file_count="multiple",
                             elem_id="kb-files")
        self.add = gr.Button(t("Add to the index"), variant="primary", elem_id="kb-add")
        self.note = gr.Markdown(elem_id="kb-note")
        initial = sources_table(self.a, BUILD_USER)
        self.table = gr.Dataframe(headers=SOURCE_HEADERS, value=initial, interactive=False, wrap=True)
        with gr.Row():
            self.pick = gr.Dropdown([s[0] for s in initial], value=None, label=t("Source"), allow_custom_value=True)
            self.approve = gr.Button(t("Approve (I have read it)"), elem_id="kb-approve")
            self.remove = gr.Button(t("Remove"), variant="stop")
        with gr.Row():
            self.readers = gr.Dropdown(["viewer", "technician", "engineer", "admin"], value="engineer",
                                       label=t("Who may read it (the source above, or a folder: 'contracts/')"))
            self.limit = gr.Button(t("Limit to this role and above"), elem_id="kb-limit")
        gr.Markdown("Documents added here stay **unreviewed** until an engineer approves them: they are quoted marked "
                    "as unreviewed and never become a next step. Read the *read first* column before approving.")

    def refreshed(self, msg, user):
        rows = sources_table(self.a, user or BUILD_USER)
        return msg, rows, self.gr.update(choices=[s[0] for s in rows], value=None)

    def added(self, paths, request):
        user = self.ctx.user(request)
        return self.refreshed(attempt(lambda: added_summary(self.a.knowledge.add(list(paths or []), user=user))), user)

    def removed(self, source, request):
        user = self.ctx.user(request)
        return self.refreshed(attempt(lambda: f"Removed {source} "
                                              f"({self.a.knowledge.remove(source or '', user=user)} chunks)."), user)

    def approved(self, source, request):
        user = self.ctx.user(request)

        def approved():
            rec = self.a.knowledge.approve(source or "", user=user)
            return f"Approved {rec.source} ({rec.reviewed_by}, {rec.reviewed_at} UTC)."
        return self.refreshed(attempt(approved), user)

    def limited(self, source, role, request):
        user = self.ctx.user(request)
        return self.refreshed(attempt(lambda: self.a.knowledge.restrict(source or "", role or "", user=user) + "."),
                              user)

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        def on_add(paths, request: gr.Request):
            return self.added(paths, request)

        def on_remove(source, request: gr.Request):
            return self.removed(source, request)

        def on_approve(source, request: gr.Request):
            return self.approved(source, request)

        def on_limit(source, role, request: gr.Request):
            return self.limited(source, role, request)

        shown = [self.note, self.table, self.pick]
        self.add.click(on_add, self.files, shown, api_name="documents_add")
        self.limit.click(on_limit, [self.pick, self.readers], shown, api_name="documents_restrict")
        self.approve.click(on_approve, self.pick, shown, api_name="documents_approve")
        self.remove.click(on_remove, self.pick, shown, api_name="documents_remove")
