"""Offline OCR of scanned pages and photographed charts: lines with boxes and confidences, in reading order,
and table rows when the page is a grid (a photographed troubleshooting chart).

Two engines, both offline, measured on the same pages by ``benchmarks/bench_ocr.py`` (docs/index.md):

* ``rapidocr``: PaddleOCR's Chinese+English detection and recognition models in ONNX, shipped inside the
  ``rapidocr-onnxruntime`` wheel. Best on Chinese, but on dense English it drops the spaces between words;
* ``tesseract``: Debian's Tesseract 5 with its ``eng`` and ``chi_sim`` language packs (``make test`` installs
  them), called as a program. Keeps English words apart; poor on Chinese charts;
* ``auto`` (default): Tesseract's English reading where it is confident, else RapidOCR.

Example:
    >>> page = read_image("chart.png")                                   # doctest: +SKIP
    >>> page.confidence, page.text()[:40]                                # doctest: +SKIP
    (0.97, 'Hydraulic pump troubleshooting\\nSymptom Cause')
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from shopfloor.errors import InputError

if TYPE_CHECKING:
    from PIL import Image

Engine = Literal["auto", "rapidocr", "tesseract"]
ENGINES: tuple[Engine, ...] = ("auto", "rapidocr", "tesseract")
MAX_PIXELS = 40_000_000  # a 300 dpi A3 scan is ~17 MP; more is a decompression bomb or a poster
MAX_SIDE = 3000  # longer sides are scaled down before OCR (the models read ~30 px text lines best)
_LOCK = threading.Lock()
_RAPID = None


@dataclass(frozen=True)
class Line:
    """One line of text the engine read, its box in pixels and the engine's confidence (0-1)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)


@dataclass(frozen=True)
class Page:
    """What OCR read on one page or photo."""

    lines: tuple[Line, ...]
    width: int
    height: int
    engine: str

    @property
    def confidence(self) -> float:
        """Mean confidence weighted by characters (0.0 when nothing was read)."""
        chars = sum(len(ln.text) for ln in self.lines)
        return sum(ln.confidence * len(ln.text) for ln in self.lines) / chars if chars else 0.0

    def rows(self) -> list[list[Line]]:
        """Lines grouped into visual rows (top to bottom), each row's lines left to right."""
        return _rows(self.lines)

    def columns(self) -> float | None:
        """The x of the gutter between two text columns, or None for a one-column page (or a grid)."""
        wide = [ln for ln in self.lines if len(ln.text) >= 12]
        if len(wide) < 8:
            return None
        # prose, not a grid: lines wider than a third of the page, or sentences running on ("... with fresh" /
        # "coolant to the mark."); a table's cells are short and start afresh
        running = sum(ln.text.strip()[:1].islower() for ln in wide) >= 0.3 * len(wide)
        prose = running or sorted(ln.x1 - ln.x0 for ln in wide)[len(wide) // 2] > 0.3 * self.width
        for split in sorted((self.width * f / 20 for f in range(7, 14)), key=lambda x: abs(x - self.width / 2)):
            crossing = sum(ln.x0 < split < ln.x1 for ln in wide)
            left = sum(ln.x1 <= split for ln in wide)
            right = sum(ln.x0 >= split for ln in wide)
            if prose and crossing <= max(3, 0.15 * len(wide)) and min(left, right) >= 0.3 * len(wide):
                return split
        return None

    def reading_order(self) -> list[list[Line]]:
        """Rows in the order a person reads them: on a two-column page the left column, then the right, between
        the lines that span both (a title, a full-width figure caption)."""
        split = self.columns()
        if split is None:
            return self.rows()
        out: list[list[Line]] = []
        left: list[Line] = []
        right: list[Line] = []
        for ln in sorted(self.lines, key=lambda ln: ln.y0):
            if ln.x0 < split < ln.x1:  # spans the gutter: what came before it is read first
                out += _rows(left) + _rows(right) + [[ln]]
                left, right = [], []
            else:
                (left if (ln.x0 + ln.x1) / 2 < split else right).append(ln)
        return out + _rows(left) + _rows(right)

    def text(self) -> str:
        """The page as text in reading order: one visual row a line, a blank line where the gap between rows
        is large or a column ends."""
        rows = self.reading_order()
        out: list[str] = []
        for i, row in enumerate(rows):
            gap = min(x.y0 for x in row) - max(x.y1 for x in rows[i - 1]) if i else 0.0
            if i and (gap > 1.2 * row[0].height or gap < -row[0].height):  # a wide gap, or back up to a column top
                out.append("")
            out.append(_join(ln.text for ln in row))
        return "\n".join(out)

    def table(self) -> list[dict[str, str]] | None:
        """The page as table rows keyed by the header row's cells, when it is a grid (not two columns of prose);
        else None."""
        return None if self.columns() is not None else grid_rows(self.rows())


def _rows(lines) -> list[list[Line]]:
    out: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.y0 + ln.y1) / 2):
        mid = (ln.y0 + ln.y1) / 2
        if out:
            last = out[-1]
            top, bottom = min(x.y0 for x in last), max(x.y1 for x in last)
            if top <= mid <= bottom and abs(mid - (top + bottom) / 2) < 0.5 * ln.height:
                last.append(ln)
                continue
        out.append([ln])
    return [sorted(r, key=lambda ln: ln.x0) for r in out]


def _join(parts) -> str:
    """Pieces of a row joined; no space between two Chinese pieces."""
    out = ""
    for p in parts:
        p = p.strip()
        if out and p and not (_cjk(out[-1]) and _cjk(p[0])):
            out += " "
        out += p
    return out


def _cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uff00" <= ch <= "\uffef"


def grid_rows(rows: list[list[Line]]) -> list[dict[str, str]] | None:
    """Rows under a header of >= 2 cells, each line put in the column it overlaps most; a row with nothing in
    the first column continues the row above (a wrapped cell). None when fewer than 2 rows fill >= 2 columns."""
    head_at = next((i for i, r in enumerate(rows) if len(r) >= 2), None)
    if head_at is None:
        return None
    header = rows[head_at]
    names = _unique([ln.text.strip() or f"column {i + 1}" for i, ln in enumerate(header)])
    bounds = [(-1e9 if i == 0 else (header[i - 1].x1 + ln.x0) / 2,
               1e9 if i == len(header) - 1 else (ln.x1 + header[i + 1].x0) / 2) for i, ln in enumerate(header)]
    records: list[dict[str, str]] = []
    for row in rows[head_at + 1:]:
        cells: dict[int, list[str]] = {}
        for ln in row:
            col = max(range(len(bounds)), key=lambda k: min(ln.x1, bounds[k][1]) - max(ln.x0, bounds[k][0]))
            cells.setdefault(col, []).append(ln.text)
        if 0 not in cells and records:
            for col, texts in cells.items():
                records[-1][names[col]] = _join([records[-1][names[col]], *texts])
            continue
        records.append({name: _join(cells.get(k, [])) for k, name in enumerate(names)})
    full = sum(sum(bool(v) for v in r.values()) >= 2 for r in records)
    return records if full >= 2 and full >= 0.6 * len(records) else None


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def open_image(path: Path) -> list[Image.Image]:
    """The pages of an image file (a multi-page TIFF has several), upright (EXIF orientation) and RGB.
    Raises InputError for what is not an image or is too large to be a page."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        im = Image.open(path)
        if im.width * im.height > MAX_PIXELS:
            raise InputError(f"{path.name}: {im.width}x{im.height} pixels is over the {MAX_PIXELS // 10**6} MP limit "
                             "for a page; scan at 300 dpi or less")
        pages = []
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            pages.append(ImageOps.exif_transpose(im.convert("RGB")))
        return pages
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise InputError(f"{path.name}: not a readable image ({e})") from None


def read_image(image: Image.Image | str | Path, engine: Engine = "rapidocr") -> Page:
    """OCR of one page image with ``engine``."""
    from PIL import Image

    if not isinstance(image, Image.Image):
        image = open_image(Path(image))[0]
    scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)))
    if engine == "auto":
        return _auto(image)
    if engine == "rapidocr":
        return _rapidocr(image)
    if engine == "tesseract":
        return _tesseract(image)
    raise InputError(f"unknown OCR engine {engine!r}; engines: {', '.join(ENGINES)}")


AUTO_LATIN_CONFIDENCE = 0.75  # Tesseract's English reading of a Chinese page scores ~0.3, of an English one ~0.95


def _auto(image: Image.Image) -> Page:
    """Tesseract's English reading where it is confident (an English page: it keeps words apart, RapidOCR does
    not), else RapidOCR (Chinese, or no Tesseract installed)."""
    if available("tesseract"):
        latin = _tesseract(image, "eng")
        if latin.confidence >= AUTO_LATIN_CONFIDENCE:
            return latin
    return _rapidocr(image)


def available(engine: Engine) -> bool:
    """Whether ``engine`` can run here (Tesseract is a program Debian installs; RapidOCR is a dependency)."""
    if engine == "tesseract":
        return shutil.which("tesseract") is not None
    if engine not in ENGINES:
        return False
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _rapidocr(image: Image.Image) -> Page:
    import numpy as np

    global _RAPID
    with _LOCK:
        if _RAPID is None:
            import logging

            from rapidocr_onnxruntime import RapidOCR

            _RAPID = RapidOCR()
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        result, _ = _RAPID(np.asarray(image)[:, :, ::-1])  # the engine reads OpenCV's BGR order
    lines = []
    for box, text, conf in result or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        lines.append(Line(str(text), min(xs), min(ys), max(xs), max(ys), float(conf)))
    return Page(tuple(lines), image.width, image.height, "rapidocr")


def _tesseract(image: Image.Image, langs: str = "eng+chi_sim") -> Page:
    if not available("tesseract"):
        raise InputError("Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.png"
        image.save(src)
        out = subprocess.run(["tesseract", str(src), "stdout", "-l", langs, "--psm", "3", "tsv"],
                             capture_output=True, text=True, timeout=300, check=False)
    if out.returncode:
        raise InputError(f"tesseract failed: {out.stderr.strip()[:300]}")
    return Page(tuple(_tsv_lines(out.stdout)), image.width, image.height, "tesseract")


def _tsv_lines(tsv: str) -> list[Line]:
    """Tesseract's word rows (level 5) joined into its lines (block, paragraph, line), a line split where a gap
    wider than 1.5 line heights separates two words (two columns, or two cells of a table row)."""
    groups: dict[tuple[str, str, str], list[list[str]]] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) == 12 and f[0] == "5" and f[11].strip() and float(f[10]) >= 0:
            groups.setdefault((f[2], f[3], f[4]), []).append(f)
    lines = []
    for words in groups.values():
        words.sort(key=lambda w: int(w[6]))
        height = max(int(w[9]) for w in words)
        piece = [words[0]]
        for prev, w in zip(words, words[1:], strict=False):
            if int(w[6]) - (int(prev[6]) + int(prev[8])) > 1.5 * height:
                lines.append(_tsv_line(piece))
                piece = []
            piece.append(w)
        lines.append(_tsv_line(piece))
    return lines


def _tsv_line(words: list[list[str]]) -> Line:
    x0 = min(int(w[6]) for w in words)
    y0 = min(int(w[7]) for w in words)
    x1 = max(int(w[6]) + int(w[8]) for w in words)
    y1 = max(int(w[7]) + int(w[9]) for w in words)
    conf = sum(float(w[10]) * len(w[11]) for w in words) / max(sum(len(w[11]) for w in words), 1) / 100
    return Line(_join(w[11] for w in words), x0, y0, x1, y1, conf)
