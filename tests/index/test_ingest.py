from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.errors import InputError
from shopfloor.index.config import IndexConfig
from shopfloor.index.ingest import discover, html_to_markdown, read_chunks

CFG = IndexConfig()


def test_html_keeps_headings_and_tables(tmp_path: Path):
    html = ("<html><body><h1>Press</h1><h2>Faults</h2><p>Check oil first.</p><table><tr><th>Code</th><th>Meaning</th></tr>"
            "<tr><td>E-120</td><td>Ram drift</td></tr></table><script>alert(1)</script></body></html>")
    f = tmp_path / "press.html"
    f.write_text(html)
    chunks = read_chunks("press.html", f, CFG)
    assert any(c.section == "Press > Faults" and "Check oil" in c.text for c in chunks)
    row = next(c for c in chunks if c.row)
    assert row.metadata["columns"] == {"Code": "E-120", "Meaning": "Ram drift"}
    assert "alert" not in html_to_markdown(html)


def _pdf(path: Path, text: str | None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        for page in range(2):
            fig = plt.figure()
            if text:
                fig.text(0.1, 0.5, f"{text} page {page + 1}")
            else:
                fig.add_subplot().plot([0, 1], [0, 1])  # drawing only, no text layer
                fig.axes[0].axis("off")
            pdf.savefig(fig)
            plt.close(fig)


def test_pdf_pages_are_kept(tmp_path: Path):
    f = tmp_path / "manual.pdf"
    _pdf(f, "Replace the filter RF-25")
    chunks = read_chunks("manual.pdf", f, CFG)
    assert [c.page for c in chunks] == [1, 2]
    assert "RF-25" in chunks[1].text and chunks[1].section == "manual p. 2"


def test_pdf_without_text_layer_is_reported(tmp_path: Path):
    f = tmp_path / "scan.pdf"
    _pdf(f, None)
    with pytest.raises(InputError, match="no text found .OCR found none either"):
        read_chunks("scan.pdf", f, CFG)


def test_table_rows_carry_machine_and_date(docs: Path):
    chunks = read_chunks("incidents.csv", docs / "incidents.csv", CFG)
    assert len(chunks) == 3 and chunks[0].doc_type == "incident"
    assert chunks[0].metadata["machine_id"] == "P-101" and chunks[0].metadata["date"] == "2024-03-01"
    assert chunks[2].row == 3


def test_fmea_table_detected_and_empty_cells_skipped(tmp_path: Path):
    f = tmp_path / "fmea.xlsx"
    import pandas as pd

    pd.DataFrame({"Component": ["Pump", None], "Failure mode": ["Leak", None], "Effect": ["Oil loss", None],
                  "Severity": [7, None]}).to_excel(f, index=False)
    chunks = read_chunks("fmea.xlsx", f, CFG)
    assert len(chunks) == 1 and chunks[0].doc_type == "fmea"


def test_discover_rejects_unknown_types_and_missing_paths(tmp_path: Path):
    (tmp_path / "a.exe").write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported file type '.exe'"):
        discover([tmp_path / "a.exe"])
    with pytest.raises(InputError, match="not found"):
        discover([tmp_path / "nope"])
    (tmp_path / "b.md").write_text("# B\n\nbody")
    assert list(discover([tmp_path])) == ["b.md"]


def test_empty_file_is_an_error(tmp_path: Path):
    f = tmp_path / "empty.md"
    f.write_text("   \n")
    with pytest.raises(InputError, match="no text found"):
        read_chunks("empty.md", f, CFG)


def test_binary_renamed_md_and_non_utf8(tmp_path: Path):
    b = tmp_path / "bin.md"
    b.write_bytes(b"\x00\x01\x02 binary")
    with pytest.raises(InputError, match="binary file"):
        read_chunks("bin.md", b, CFG)
    w = tmp_path / "win.txt"
    w.write_bytes("Temperatur über 60 °C".encode("cp1252"))
    assert "über 60 °C" in read_chunks("win.txt", w, CFG)[0].text


def test_symlink_outside_folder_not_followed(tmp_path: Path):
    outside = tmp_path / "secret.md"
    outside.write_text("# secret")
    d = tmp_path / "docs"
    d.mkdir()
    (d / "ok.md").write_text("# ok")
    (d / "link.md").symlink_to(outside)
    assert list(discover([d])) == ["ok.md"]
    with pytest.raises(InputError, match="symbolic link"):  # named directly: refused, not read
        discover([d / "link.md"])


def test_corrupt_pdf_is_an_error(tmp_path: Path):
    f = tmp_path / "broken.pdf"
    f.write_bytes(b"%PDF-1.4 garbage garbage")
    with pytest.raises(InputError, match="broken.pdf"):
        read_chunks("broken.pdf", f, CFG)
