"""OCR of scanned pages and photographed charts: layout, tables, confidence, and the index's reading of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.index.config import IndexConfig
from shopfloor.index.ingest import IngestReport, read_chunks
from shopfloor.index.ocr import Line, Page, _tsv_lines, grid_rows
from tests.ocr_pages import CHART, FONT_EN, chart_png


def _line(text: str, x0: float, y0: float, w: float = 80, h: float = 20, conf: float = 0.95) -> Line:
    return Line(text, x0, y0, x0 + w, y0 + h, conf)


def test_grid_rows_read_a_chart_with_a_wrapped_cell():
    rows = Page((
        _line("Pump troubleshooting", 10, 0, 300),
        _line("Symptom", 10, 50), _line("Cause", 300, 52), _line("Remedy", 600, 49),
        _line("Noisy pump", 10, 100), _line("Clogged strainer", 300, 101, 150), _line("Clean the strainer", 600, 99),
        _line("and check the oil level", 600, 125, 200),  # the remedy cell wraps onto a second line
        _line("Hot oil", 10, 170), _line("Dirty cooler", 300, 170), _line("Clean the cooler", 600, 171),
    ), 900, 300, "test").rows()
    assert grid_rows(rows) == [
        {"Symptom": "Noisy pump", "Cause": "Clogged strainer", "Remedy": "Clean the strainer and check the oil level"},
        {"Symptom": "Hot oil", "Cause": "Dirty cooler", "Remedy": "Clean the cooler"}]


def test_prose_is_not_a_table_and_chinese_pieces_join_without_spaces():
    page = Page((_line("液压泵", 10, 0), _line("噪音大", 95, 1), _line("Check the oil level first.", 10, 60, 400)),
                500, 100, "test")
    assert page.table() is None
    assert page.text().splitlines()[0] == "液压泵噪音大"
    assert page.confidence == pytest.approx(0.95)


def test_tesseract_words_become_its_lines():
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    words = ["5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.0\tCheck", "5\t1\t1\t1\t1\t2\t70\t10\t40\t20\t90.0\toil",
             "5\t1\t1\t1\t2\t1\t10\t40\t60\t20\t50.0\tdaily", "4\t1\t1\t1\t2\t0\t10\t40\t60\t20\t-1\t"]
    lines = _tsv_lines("\n".join([head, *words]))
    assert [(ln.text, ln.x0, ln.x1) for ln in lines] == [("Check oil", 10, 110), ("daily", 10, 70)]
    assert lines[0].confidence == pytest.approx((96 * 5 + 90 * 3) / 8 / 100)


def test_a_photographed_chinese_chart_becomes_troubleshooting_rows(tmp_path: Path):
    f = tmp_path / "液压站故障表.png"
    chart_png(f)
    report = IngestReport()
    chunks = read_chunks(f.name, f, IndexConfig(), report)
    assert report.tables[f.name]["kind"] == "troubleshooting"
    assert report.tables[f.name]["roles"] == {"症状": "symptom", "原因": "cause", "处理": "remedy"}
    first = chunks[0]
    assert first.metadata["columns"] == dict(zip(CHART[0], CHART[1], strict=True))
    assert (first.page, first.row, first.section) == (1, 1, "液压站故障表 p. 1 row 1")
    assert first.metadata["ocr_confidence"] > 0.9
    text = report.texts[f.name]
    assert (text.pages, text.ocr_pages, text.text_problems) == (1, 1, [])


def test_a_scanned_pdf_is_read_by_ocr_with_page_numbers(tmp_path: Path):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT_EN, 30)
    pages = []
    for n, line in enumerate(["Torque the chuck bolts to 45 Nm.", "Drain the coolant tank every month."], start=1):
        im = Image.new("RGB", (1240, 1754), "white")
        ImageDraw.Draw(im).text((120, 200), f"Section {n}. {line}", font=font, fill="black")
        pages.append(im.rotate(0.8, fillcolor="white"))
    f = tmp_path / "scan.pdf"
    pages[0].save(f, save_all=True, append_images=pages[1:], resolution=150)  # images only: no text layer
    report = IngestReport()
    chunks = read_chunks("scan.pdf", f, IndexConfig(), report)
    assert [c.page for c in chunks] == [1, 2]
    assert "45 Nm" in chunks[0].text and "coolant" in chunks[1].text
    assert report.texts["scan.pdf"].ocr_pages == 2
    assert any("read by OCR" in w for s, w in report.warnings if s == "scan.pdf")


def test_low_confidence_ocr_is_flagged_and_never_a_table(tmp_path: Path, monkeypatch):
    from PIL import Image

    from shopfloor.index import pages

    shaky = [_line(t, x, y, conf=0.41) for t, x, y in [("Symptom", 10, 0), ("Cause", 300, 0), ("Noisy", 10, 40),
                                                        ("Air", 300, 40), ("Hot", 10, 80), ("Dirt", 300, 80)]]
    monkeypatch.setattr(pages, "read_image", lambda image, engine: Page(tuple(shaky), 500, 200, engine))
    f = tmp_path / "blurred.jpg"
    Image.new("RGB", (500, 200), "white").save(f)
    report = IngestReport()
    chunks = read_chunks("blurred.jpg", f, IndexConfig(), report)
    assert chunks[0].row is None and "low confidence (0.41)" in chunks[0].metadata["text_problem"]
    assert report.texts["blurred.jpg"].text_problems == ["p. 1: read by OCR with low confidence (0.41): check "
                                                         "against the paper"]


def test_an_image_that_is_not_one_is_refused(tmp_path: Path):
    from shopfloor.errors import InputError

    f = tmp_path / "chart.png"
    f.write_text("not a picture")
    with pytest.raises(InputError, match="not a readable image"):
        read_chunks("chart.png", f, IndexConfig())


def test_a_two_column_page_is_read_column_by_column_and_is_no_table():
    left = [_line(f"Left column sentence number {i} goes here.", 50, 100 + 30 * i, 380) for i in range(6)]
    right = [_line(f"Right column sentence number {i} goes on.", 520, 101 + 30 * i, 380) for i in range(6)]
    title = _line("Section 4: Lubrication of the headstock and the carriage", 50, 40, 850)
    footer = _line("A note across both columns closes the page here.", 50, 400, 850)
    page = Page((title, *right, *left, footer), 1000, 500, "test")
    lines = [ln for ln in page.text().splitlines() if ln]
    assert lines[0].startswith("Section 4") and lines[-1].startswith("A note across")
    assert lines[1:7] == [ln.text for ln in left] and lines[7:13] == [ln.text for ln in right]
    assert page.table() is None


def test_a_rendered_two_column_scan_keeps_each_column_together(tmp_path: Path):
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT_EN, 26)
    im = Image.new("RGB", (1240, 900), "white")
    d = ImageDraw.Draw(im)
    left = ["Drain the coolant tank", "before the monthly check", "and refill it with fresh", "coolant to the mark."]
    right = ["Grease the carriage ways", "every shift with the gun", "and wipe off the old", "grease from the bed."]
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        d.text((80, 120 + 44 * i), a, font=font, fill="black")
        d.text((680, 120 + 44 * i), b, font=font, fill="black")
    f = tmp_path / "page.png"
    im.save(f)
    text = " ".join(read_chunks("page.png", f, IndexConfig())[0].text.split())
    assert "refill it with fresh coolant to the mark" in text and "wipe off the old grease from the bed" in text


def test_a_photographed_english_chart_becomes_rows_with_tesseract(tmp_path: Path):
    """Tesseract puts a table row's cells on one line; the wide gaps between them split it into cells again."""
    from PIL import Image, ImageDraw, ImageFont

    rows = [("Symptom", "Probable cause", "Remedy"), ("Pump noisy", "Strainer clogged", "Clean strainer ST-2"),
            ("Oil too hot", "Cooler fouled", "Clean the cooler core"),
            ("Pressure unstable", "Relief valve sticking", "Overhaul relief valve RV-3")]
    font = ImageFont.truetype(FONT_EN, 24)
    im = Image.new("RGB", (1200, 320), "white")
    d = ImageDraw.Draw(im)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            d.text((20 + j * 380, 40 + i * 60), cell, font=font, fill="black")
    f = tmp_path / "chart.jpg"
    im.save(f, quality=90)
    report = IngestReport()
    chunks = read_chunks("chart.jpg", f, IndexConfig(), report)
    assert report.tables["chart.jpg"]["kind"] == "troubleshooting" and report.texts["chart.jpg"].readers == {
        "tesseract": 1}
    assert chunks[2].metadata["columns"] == dict(zip(rows[0], rows[3], strict=True))
