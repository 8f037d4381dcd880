"""Knowledge tab: the indexed sources; engineers add and remove documents."""

from shopfloor.assistant.ui.common import attempt
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.views import BUILD_USER, SOURCE_HEADERS, sources_table


def build(gr, ctx) -> None:
    a = ctx.assistant
    files = gr.File(label=t("Add documents (Markdown, text, HTML, PDF incl. scans, photos of pages and charts, "
                            "CSV/XLSX tables)"), file_count="multiple",
                    elem_id="kb-files")
    add = gr.Button(t("Add to the index"), variant="primary", elem_id="kb-add")
    note = gr.Markdown(elem_id="kb-note")
    initial = sources_table(a, BUILD_USER)
    table = gr.Dataframe(headers=SOURCE_HEADERS, value=initial, interactive=False, wrap=True)
    with gr.Row():
        pick = gr.Dropdown([s[0] for s in initial], value=None, label=t("Source"), allow_custom_value=True)
        approve = gr.Button(t("Approve (I have read it)"), elem_id="kb-approve")
        remove = gr.Button(t("Remove"), variant="stop")
    with gr.Row():
        readers = gr.Dropdown(["viewer", "technician", "engineer", "admin"], value="engineer",
                              label=t("Who may read it (the source above, or a folder: 'contracts/')"))
        limit = gr.Button(t("Limit to this role and above"), elem_id="kb-limit")
    gr.Markdown("Documents added here stay **unreviewed** until an engineer approves them: they are quoted marked "
                "as unreviewed and never become a next step. Read the *read first* column before approving.")

    def refreshed(msg, user):
        rows = sources_table(a, user or BUILD_USER)
        return msg, rows, gr.update(choices=[s[0] for s in rows], value=None)

    def on_add(paths, request: gr.Request):
        user = ctx.user(request)

        def add():
            r = a.knowledge.add(list(paths or []), user=user)
            tables = "".join(f"\n- table {s}: read as **{t['kind']}** ("
                             + (", ".join(f"{c} → {role}" for c, role in t["roles"].items()) or "no column recognised")
                             + (f"; {t['filled']} merged cells filled" if t.get("filled") else "") + ")"
                             for s, t in r.get("tables", {}).items())
            flags = "".join(f"\n- **read first** {src}: {f}" for src, fs in r.get("flags", {}).items() for f in fs)
            return (f"Indexed {r['files']} files ({r['chunks']} chunks), unreviewed until an engineer approves them."
                    + tables + flags
                    + "".join(f"\n- **warning** {s}: {w}" for s, w in r.get("warnings", []))
                    + "".join(f"\n- skipped {s}: {why}" for s, why in r["skipped"]))
        return refreshed(attempt(add), user)

    def on_remove(source, request: gr.Request):
        user = ctx.user(request)
        return refreshed(attempt(lambda: f"Removed {source} ({a.knowledge.remove(source or '', user=user)} chunks)."), user)

    def on_approve(source, request: gr.Request):
        user = ctx.user(request)

        def approved():
            rec = a.knowledge.approve(source or "", user=user)
            return f"Approved {rec.source} ({rec.reviewed_by}, {rec.reviewed_at} UTC)."
        return refreshed(attempt(approved), user)

    def on_limit(source, role, request: gr.Request):
        user = ctx.user(request)
        return refreshed(attempt(lambda: a.knowledge.restrict(source or "", role or "", user=user) + "."), user)

    add.click(on_add, files, [note, table, pick], api_name="documents_add")
    limit.click(on_limit, [pick, readers], [note, table, pick], api_name="documents_restrict")
    approve.click(on_approve, pick, [note, table, pick], api_name="documents_approve")
    remove.click(on_remove, pick, [note, table, pick], api_name="documents_remove")
