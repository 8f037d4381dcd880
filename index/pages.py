"""The text of each page of a PDF or an image file, from the best reader that gives fit text.

A PDF page is read by pdfium (``pypdfium2``); where its text is missing or unfit (:func:`text_problem`: words run
together, unmapped glyphs) pypdf is tried, and where that fails too the page is rendered and read by OCR
(:mod:`shopfloor.index.ocr`). An image file (PNG, JPEG, TIFF, ...) is OCR'd page by page. Each page says which
reader produced it, OCR's confidence, and what is still wrong with it; OCR'd text under ``min_confidence`` is
flagged so that it is quoted only with a "check the page" mark and never becomes a next step.

Measured on Debian's LinuxCNC manuals (``python benchmarks/bench_ocr.py --pdf DIR``, docs/index.md): pypdf ran
words together on 66 of 81 pages, pdfium on none, and pdfium is ~10x faster.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from shopfloor.errors import InputError
from shopfloor.index.ocr import Engine, Page, available, open_image, read_image
from shopfloor.index.text import text_problem

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
RENDER_DPI = 200
OCR_SECONDS_PER_FILE = 1800  # a 300-page scan on 2 cores is ~15 min; beyond this the rest is reported, not read


@dataclass
class PageText:
    """One page's text and where it came from."""

    page: int
    text: str
    reader: str  # "pdfium", "pypdf", "rapidocr", "tesseract"
    confidence: float | None = None  # OCR's, 0-1; None for a text layer
    problem: str | None = None  # why the text is not fit to quote as it stands
    table: list[dict[str, str]] | None = None  # an OCR'd grid as rows keyed by its header


@dataclass
class TextReport:
    """How a document's text was obtained (``shopfloor index build --json``, per source)."""

    pages: int = 0
    ocr_pages: int = 0
    ocr_confidence_mean: float | None = None
    text_problems: list[str] = field(default_factory=list)  # "p. 3: words run together ..."
    readers: dict[str, int] = field(default_factory=dict)  # reader -> pages

    @classmethod
    def of(cls, pages: list[PageText]) -> TextReport:
        confs = [p.confidence for p in pages if p.confidence is not None]
        readers: dict[str, int] = {}
        for p in pages:
            readers[p.reader] = readers.get(p.reader, 0) + 1
        return cls(len(pages), len(confs), round(sum(confs) / len(confs), 3) if confs else None,
                   [f"p. {p.page}: {p.problem}" for p in pages if p.problem], readers)


def _ocr_page(number: int, image, engine: Engine, min_confidence: float) -> PageText:
    page: Page = read_image(image, engine)
    text, conf = page.text(), page.confidence
    problem = None
    if not text.strip():
        problem = "no text found by OCR (a photo, a drawing or a blank page?)"
    elif conf < min_confidence:
        problem = f"read by OCR with low confidence ({conf:.2f}): check against the paper"
    elif text_problem(text):
        problem = "OCR ran words together (install Tesseract for English scans: apt-get install tesseract-ocr)"
    return PageText(number, text, page.engine, round(conf, 3), problem, page.table() if not problem else None)


def image_pages(source: str, path: Path, engine: Engine, min_confidence: float) -> list[PageText]:
    """Every page of an image file, OCR'd."""
    if not available(engine):
        raise InputError(f"{source}: an image needs OCR and the {engine} engine is not installed")
    return [_ocr_page(i, im, engine, min_confidence) for i, im in enumerate(open_image(path), start=1)]


def pdf_pages(source: str, path: Path, engine: Engine | None, min_confidence: float) -> list[PageText]:
    """Every page of a PDF from the first reader whose text is fit; ``engine`` None: never OCR."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        raise InputError(f"{source}: unreadable PDF ({e})") from None
    out: list[PageText] = []
    started, fallback = time.monotonic(), None
    try:
        for i in range(len(doc)):
            page = doc[i]
            text = _clean(page.get_textpage().get_text_range())
            got = PageText(i + 1, text, "pdfium", problem=_unfit(text))
            if got.problem:
                fallback = fallback or _PypdfPages(path)
                alt = fallback.text(i)
                if alt is not None and _unfit(alt) is None:
                    got = PageText(i + 1, alt, "pypdf")
            if got.problem and engine and available(engine):
                if time.monotonic() - started > OCR_SECONDS_PER_FILE:
                    got.problem += "; not OCR'd (the file's OCR time ran out: split the scan)"
                else:
                    image = page.render(scale=RENDER_DPI / 72).to_pil().convert("RGB")
                    ocr = _ocr_page(i + 1, image, engine, min_confidence)
                    if ocr.text.strip() or not got.text.strip():
                        got = ocr
            out.append(got)
    finally:
        doc.close()
    return out


def _unfit(text: str) -> str | None:
    if not text.strip():
        return "no text layer (a scanned page?)"
    return text_problem(text)


def _clean(text: str) -> str:
    """pdfium's line ends as newlines; its hyphen-at-line-end mark (U+0002) joins the word again."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x02\n", "").replace("\x02", "-")


class _PypdfPages:
    """pypdf opened once, on demand, for the pages pdfium could not read well."""

    def __init__(self, path: Path):
        from pypdf import PdfReader

        try:
            self.reader: object | None = PdfReader(str(path))
        except Exception as e:  # noqa: BLE001 - any pypdf failure only means no second opinion
            log.info("pypdf cannot open %s: %s", path, e)
            self.reader = None

    def text(self, i: int) -> str | None:
        if self.reader is None:
            return None
        try:
            return self.reader.pages[i].extract_text() or ""  # type: ignore[attr-defined]
        except Exception as e:  # noqa: BLE001
            log.info("pypdf cannot read page %d: %s", i + 1, e)
            return None
