"""The one review-queue widget of the UI: a page of items the model was unsure of, click one, see it (a photo is
shown), pick the right label (the model's alternatives first) and save. The Batch tab uses it for a task's rows,
the Inspect tab for photos; both go through ``assistant.reviews``."""

# No ``from __future__ import annotations`` here: Gradio finds a handler's ``request: gr.Request`` by evaluating
# its annotation, which must then be the class itself, not the string "gr.Request".
from dataclasses import dataclass

from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.errors import ShopfloorError

PAGE = 10


@dataclass(frozen=True)
class Kind:
    """What differs between the queues: element ids and API names (``prefix``), headers, words, a photo."""

    prefix: str  # "review" (texts) or "inspect" (photos)
    headers: tuple[str, ...]
    what: str  # "row" / "photo"
    label: str  # "Right label" / "Right class"
    photos: bool = False
    new_label: bool = False  # a checkbox to add a label the task does not know (texts)


TEXTS = Kind("review", ("id", "text", "label", "confidence", "source", "created_at"), "row", "Right label",
             new_label=True)
PHOTOS = Kind("inspect", ("id", "image", "class", "confidence", "anomaly", "inspected"), "photo", "Right class",
              photos=True)


class ReviewQueue:
    """Layout in ``__init__``, one method per event; :meth:`wire` connects them to the queue's name input."""

    def __init__(self, gr, ctx, kind: Kind) -> None:
        self.gr, self.ctx, self.kind, self.reviews = gr, ctx, kind, ctx.assistant.reviews
        p = kind.prefix
        self.table = gr.Dataframe(headers=list(kind.headers), interactive=False, elem_id=f"{p}-queue", wrap=True)
        with gr.Row():
            self.prev_b = gr.Button(t("◀ Previous"), size="sm", elem_id=f"{p}-prev")
            self.page_info = gr.Markdown(elem_id=f"{p}-page")
            self.next_b = gr.Button(t("Next ▶"), size="sm", elem_id=f"{p}-next")
        self.page = gr.State(0)
        with gr.Row():
            self.photo = gr.Image(label=t("Photo"), interactive=False, height=260, elem_id=f"{p}-photo") \
                if kind.photos else None
            with gr.Column():
                self.chosen = gr.Number(label=t(f"{kind.what.capitalize()} id"), precision=0, interactive=False,
                                        elem_id=f"{p}-id")
                self.label = gr.Dropdown([], label=t(kind.label), allow_custom_value=True, elem_id=f"{p}-label")
                self.is_new = gr.Checkbox(label=t("New label (a class the task does not have yet)"), value=False,
                                          elem_id=f"{p}-new") if kind.new_label else None
                self.save = gr.Button(t("Save label"), elem_id=f"{p}-save")
                self.note = gr.Markdown(elem_id=f"{p}-note")

    def rows(self, queue, p: int, user) -> tuple[list[list], str]:
        """One page of the queue as table rows, and "page 1 of 3 · 25 waiting"."""
        try:
            items, total = self.reviews.page(queue, PAGE, p * PAGE, user=user)
        except ShopfloorError as e:
            return [], friendly(e)
        pages = max(1, -(-total // PAGE))

        def fourth(r):
            if not self.kind.photos:
                return r.source
            return None if r.anomaly_score is None else round(r.anomaly_score, 2)
        out = [[r.id, r.subject, r.label or "", None if r.confidence is None else round(r.confidence, 3), fourth(r),
                r.created_at] for r in items]
        return out, f"page {min(p + 1, pages)} of {pages} · {total} waiting"

    def turned(self, queue, p: int, delta: int, request):
        user = self.ctx.user(request)
        p = max(0, p + delta)
        rows, info = self.rows(queue, p, user)
        if not rows and p > 0:
            p -= 1
            rows, info = self.rows(queue, p, user)
        return rows, info, p

    def picked(self, item_id, queue, request) -> tuple:
        """The item's photo (photos), the labels to offer and a line on what the model said."""
        gr = self.gr
        shown: list = [None] if self.kind.photos else []
        if item_id is None:
            return *shown, gr.update(choices=[], value=None), f"Click a {self.kind.what} in the queue."
        try:
            item = self.reviews.item(queue, item_id, user=self.ctx.user(request))
        except ShopfloorError as e:
            return *shown, gr.update(choices=[], value=None), friendly(e)
        if self.kind.photos:
            from pathlib import Path

            from shopfloor.assistant.pipeline.uploads import photo

            try:
                shown = [photo(Path(item.photo or ""))]
            except ShopfloorError:
                shown = [None]
        said = f"**{item.label or 'no class'}**" + ("" if item.confidence is None else f" ({item.confidence:.2f})")
        name = f" ({item.subject})" if self.kind.photos else ""
        return (*shown, gr.update(choices=item.choices, value=item.choices[0] if item.choices else None),
                f"{self.kind.what.capitalize()} {int(item_id)}{name}: the model said {said}.")

    def saved(self, item_id, label, fresh, queue, p: int, request):
        user = self.ctx.user(request)
        if item_id is None:
            return f"Click a {self.kind.what} in the queue first.", *self.rows(queue, p, user)
        try:
            c = self.reviews.correct(queue, item_id, label or "", bool(fresh), user=user)
        except ShopfloorError as e:
            return friendly(e), *self.rows(queue, p, user)
        extra = " (a new class: the next retrain adds it)" if c.new_class and self.kind.photos else ""
        return (f"Saved: {self.kind.what} {c.id} → **{c.label}**{extra} (was {c.was}; by {user.name}).",
                *self.rows(queue, p, user))

    def on_select(self, evt):
        """The clicked row's id (no data read here: picking it loads the item and checks the role)."""
        try:
            return int((evt.row_value or [None])[0])
        except (TypeError, ValueError, AttributeError):
            return None

    def wire(self, gr, queue_in) -> None:
        """``queue_in``: the task picker (texts) or a ``gr.State`` holding "inspection" (photos; hidden from the API,
        so the photo endpoints take no queue argument)."""
        p = self.kind.prefix
        listed = [self.table, self.page_info, self.page]

        def on_prev(queue, page, request: gr.Request):
            return self.turned(queue, page, -1, request)

        def on_next(queue, page, request: gr.Request):
            return self.turned(queue, page, 1, request)

        def on_pick(item_id, queue, request: gr.Request):
            return self.picked(item_id, queue, request)

        def on_select(evt: gr.SelectData):
            return self.on_select(evt)

        self.prev_b.click(on_prev, [queue_in, self.page], listed, api_name=f"{p}_prev")
        self.next_b.click(on_next, [queue_in, self.page], listed, api_name=f"{p}_next")
        self.table.select(on_select, None, self.chosen, api_visibility="private")
        self.chosen.change(on_pick, [self.chosen, queue_in], ([self.photo] if self.photo else []) +
                           [self.label, self.note], api_name=f"{p}_pick")
        after = [self.note, self.table, self.page_info]
        if self.is_new is not None:
            def on_save_new(item_id, label, fresh, queue, page, request: gr.Request):
                return self.saved(item_id, label, fresh, queue, page, request)

            self.save.click(on_save_new, [self.chosen, self.label, self.is_new, queue_in, self.page], after,
                            api_name=f"{p}_save")
        else:
            def on_save(item_id, label, queue, page, request: gr.Request):
                return self.saved(item_id, label, False, queue, page, request)

            self.save.click(on_save, [self.chosen, self.label, queue_in, self.page], after, api_name=f"{p}_save")
