"""A drafted report's Markdown as DOCX or PDF: headings, bullets and paragraphs, nothing else (what an engineer
edited in the UI is what is exported)."""

from __future__ import annotations

import io
from pathlib import Path

FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Latin, Greek, Cyrillic
         "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Chinese (Debian fonts-wqy-microhei)


def _blocks(markdown: str) -> list[tuple[str, str]]:
    """("h1" | "h2" | "bullet" | "para", text) for each non-blank line."""
    out = []
    for line in markdown.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("## "):
            out.append(("h2", s[3:]))
        elif s.startswith("# "):
            out.append(("h1", s[2:]))
        elif s.startswith(("- ", "* ")):
            out.append(("bullet", s[2:]))
        else:
            out.append(("para", s.strip("_") if s.startswith("_") and s.endswith("_") else s))
    return out


def to_docx(markdown: str) -> bytes:
    from docx import Document

    doc = Document()
    for kind, text in _blocks(markdown):
        if kind in ("h1", "h2"):
            doc.add_heading(text, level=1 if kind == "h1" else 2)
        else:
            doc.add_paragraph(text, style="List Bullet" if kind == "bullet" else None)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(markdown: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    fonts = [f for f in FONTS if Path(f).exists()]
    for i, f in enumerate(fonts):
        pdf.add_font(f"f{i}", fname=f)
    family = "f0" if fonts else "helvetica"
    if len(fonts) > 1:
        pdf.set_fallback_fonts([f"f{i}" for i in range(1, len(fonts))])
    pdf.add_page()
    for kind, text in _blocks(markdown):
        size = {"h1": 16, "h2": 13}.get(kind, 10.5)
        pdf.set_font(family, size=size)
        if kind == "h2":
            pdf.ln(2)
        line = f"\u2022 {text}" if kind == "bullet" and fonts else f"- {text}" if kind == "bullet" else text
        if not fonts:  # the core fonts are Latin-1 only
            line = line.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, size * 0.55, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
