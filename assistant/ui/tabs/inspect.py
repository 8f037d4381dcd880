"""Inspect tab: photos (or a zip of them) -> class, confidence, heatmap; unsure photos reviewed by clicking a row."""

import csv
import tempfile
import time
from pathlib import Path

from shopfloor.assistant.pipeline.results import ImageModel, InspectedPhoto
from shopfloor.assistant.ui.common import friendly
from shopfloor.assistant.ui.i18n import t
from shopfloor.assistant.ui.review import PHOTOS, ReviewQueue
from shopfloor.assistant.ui.views import export_path
from shopfloor.errors import ShopfloorError
from shopfloor.tables import safe_row

RESULT_HEADERS = ["id", "image", "class", "confidence", "anomaly", "status"]


def _caption(r: InspectedPhoto) -> str:
    from shopfloor.assistant.pipeline.render import inspection_line

    return f"{r.image} — {inspection_line(r)}".replace("**", "")


def _status(r: InspectedPhoto) -> str:
    """What a person should do about one result, in a few words."""
    if r.error:
        return f"not read: {r.error.split(': ', 1)[-1]}"
    words = ((["unknown kind"] if r.unknown else []) + (["needs review"] if r.needs_review else [])
             + (["unlike good parts"] if r.anomalous else []))
    return ", ".join(words) or "ok"


def _files(paths, unpack_to: Path) -> list[tuple[str, Path]]:
    """(name, path) of the uploaded photos, read later one at a time; zips are unpacked under ``unpack_to``
    (names inside kept, paths never trusted, sizes checked while streaming)."""
    from shopfloor.assistant.pipeline.uploads import unpack_photos

    out = []
    for i, p in enumerate(paths or []):
        p = Path(p)
        if p.suffix.lower() == ".zip":
            out += [(f.name.split("_", 1)[1], f) for f in unpack_photos(p, unpack_to / f"zip{i}")]
        else:
            out.append((p.name, p))
    return out


def _gallery(results: list[InspectedPhoto], files: list[tuple[str, Path]], limit: int = 60) -> list:
    """(photo with its heatmap, caption) for the first ``limit`` readable photos; results and files by position."""
    from shopfloor.assistant.pipeline.uploads import photo, with_heatmap

    items = []
    for r, (name, path) in list(zip(results, files, strict=True))[:limit]:
        if r.error is None:
            img = photo(path, name=name, shrink=True)
            items.append((with_heatmap(img, r.heatmap) if r.heatmap is not None else img, _caption(r)))
    return items


def models_note(models: list[ImageModel], samples: Path) -> str:
    """One line per trained image model, with its cross-validated figures, and where to find sample photos."""
    lines = []
    for m in models:
        if m.kind == "classifier":
            lines.append(f"- **Classifier**: {len(m.classes)} classes ({', '.join(m.classes)}), trained on {m.images} "
                         f"photos; cross-validated accuracy {m.cv_accuracy or 0:.3f}, macro-F1 {m.cv_macro_f1 or 0:.3f}; "
                         f"below {m.review_threshold or 0:.0%} confidence a photo goes to review.")
        elif m.kind == "anomaly":
            lines.append(f"- **Anomaly model**: fitted on {m.images} photos of good parts ({m.normal_class}); "
                         f"scores are shown against its alarm line (1.0), set to flag about "
                         f"{m.target_false_alarm or 0:.0%} of good parts; the heatmap glows where a photo is unlike them.")
    if not lines:
        return "_No image model is trained yet: `shopfloor inspect train --data DIR` (or `shopfloor demo`)._"
    if samples.is_dir():
        lines.append(f"- Sample photos to try: `{samples}`")
    return "\n".join(lines)


def build(gr, ctx) -> None:
    InspectTab(gr, ctx).wire(gr)


class InspectTab:
    """Layout in ``__init__``, one method per event, the wiring in :meth:`wire`; the photo review queue below."""

    def __init__(self, gr, ctx) -> None:
        from shopfloor.assistant.ui.views import BUILD_USER

        self.gr, self.ctx, self.a = gr, ctx, ctx.assistant
        a = self.a
        gr.Markdown("Upload photos of parts (JPEG, PNG, BMP, TIFF) or a zip of them. Each gets a defect class with "
                    "its calibrated confidence and, when an anomaly model is trained on good parts, a score and a "
                    "heatmap of where it differs from them (1.0 = the alarm line). Unsure photos go to the review "
                    "queue below.")
        gr.Markdown(models_note(a.inspection.models(user=BUILD_USER), a.ws.root / "vision" / "samples"),
                    elem_id="inspect-models")
        self.upload = gr.File(label=t("Photos or a .zip"), file_count="multiple", elem_id="inspect-files",
                              file_types=[".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".zip"])
        with gr.Row():
            self.go = gr.Button(t("Inspect"), variant="primary", elem_id="inspect-go")
        self.summary = gr.Markdown(elem_id="inspect-summary")
        self.gallery = gr.Gallery(label=t("Heatmaps"), columns=4, height="auto", elem_id="inspect-gallery",
                                  object_fit="contain")
        self.table = gr.Dataframe(headers=RESULT_HEADERS, interactive=False, elem_id="inspect-results", wrap=True)
        self.out_file = gr.File(label=t("Results (CSV)"), elem_id="inspect-csv")

        gr.Markdown("### Photos waiting for review\nClick a row, look at the photo, pick the right class "
                    "(the model's alternatives come first) and save. The next retrain learns from every saved label.")
        self.review = ReviewQueue(gr, ctx, PHOTOS)
        self.photos_queue = gr.State("inspection")
        self.retrain = gr.Button("Retrain the image classifier with the reviewed photos (admin)", size="sm",
                                 elem_id="inspect-retrain")

    def queue_page(self, p, user):
        return self.review.rows("inspection", p, user)

    def inspected(self, paths, request, progress):
        user = self.ctx.user(request)
        if not paths:
            return "Upload photos first.", [], [], None, *self.queue_page(0, user), 0
        t0 = time.monotonic()

        def step(stage, done, total):
            left = (time.monotonic() - t0) / done * (total - done) if done else 0
            progress(done / total if total else 0.0, desc=f"{done}/{total} photos, about {left:.0f} s left")
        with tempfile.TemporaryDirectory(prefix="shopfloor-zip-") as tmp:
            try:
                files = _files(paths, Path(tmp))
                results = self.a.inspection.run(files, source="ui", progress=step, user=user)
            except ShopfloorError as e:
                return friendly(e), [], [], None, *self.queue_page(0, user), 0
            gallery_items = _gallery(results, files)
        rows = [[r.id, r.image, r.label or "", r.confidence, r.anomaly_score, _status(r)] for r in results]
        out = export_path(f"inspection-{time.strftime('%Y%m%d-%H%M%S')}.csv", self.ctx.export_dir)
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(RESULT_HEADERS)
            w.writerows(safe_row(r) for r in rows)  # photo names like '=cmd|...' stay text
        md = _inspect_summary(results, time.monotonic() - t0)
        return md, gallery_items, rows, str(out), *self.queue_page(0, user), 0

    def retrained(self, request, progress) -> str:
        try:
            r = self.a.inspection.retrain(progress=lambda s, d, t: progress(d / t if t else 0, desc=s),
                                          user=self.ctx.user(request))
        except ShopfloorError as e:
            return friendly(e)
        return r.line()

    def loaded(self, request):
        rows, info = self.queue_page(0, self.ctx.user(request))
        return rows, info

    def wire(self, gr) -> None:
        """Gradio reads a handler's ``request: gr.Request`` from its signature: each event gets a small adapter."""
        review = self.review
        queue, page_info, page, note = review.table, review.page_info, review.page, review.note

        def on_inspect(paths, request: gr.Request, progress=gr.Progress()):
            return self.inspected(paths, request, progress)

        def on_retrain(request: gr.Request, progress=gr.Progress()):
            return self.retrained(request, progress)

        def on_load(request: gr.Request):
            return self.loaded(request)

        outs = [self.summary, self.gallery, self.table, self.out_file, queue, page_info, page]
        self.go.click(on_inspect, [self.upload], outs, api_name="inspect")
        review.wire(gr, self.photos_queue)
        self.retrain.click(on_retrain, None, note, api_name="inspect_retrain")
        self.ctx.on_load.append((on_load, [queue, page_info], "inspect_queue"))


def _inspect_summary(results: list[InspectedPhoto], seconds: float) -> str:
    """The first line of an inspection run: photos, time, how many need review, are anomalous, were not read."""
    n_rev = sum(1 for r in results if r.needs_review)
    n_an = sum(1 for r in results if r.anomalous)
    n_err = sum(1 for r in results if r.error)
    return (f"**{len(results)} photos** inspected in {seconds:.1f} s; **{n_rev} need review**"
            + (f"; {n_an} unlike the good parts" if any(r.anomaly_score is not None for r in results) else "")
            + (f"; {n_err} could not be read" if n_err else "") + "."
            + (f" Heatmaps shown for the first 60 of {len(results)}; all are in the CSV." if len(results) > 60 else ""))
