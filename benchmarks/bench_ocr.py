"""OCR engines and PDF text readers on pages whose true text is known.

Pages: English pages typeset from the lathe handbook (``../shared/data/manuals/lathe``), Chinese pages of a
maintenance text written for this benchmark (below), and, with ``--pdf DIR``, real PDF pages (e.g. Debian's
linuxcnc-doc-en) rendered to images with the pdfium text layer as truth. Every page is printed as a scan would
be: 200 dpi, a small skew, blur, sensor noise and JPEG compression (seeded). Character error rate (CER) =
edit distance / characters of the truth, whitespace collapsed to one space (English: a missing space between
words is an error) and removed for Chinese.

With ``--pdf DIR`` the PDF text readers (pypdf, pypdfium2) are also compared on the files' text layers: pages
whose text is unfit (words run together, unmapped glyphs) and seconds.

    python benchmarks/bench_ocr.py --json                       # ~4 min on 2 cores
    python benchmarks/bench_ocr.py --pdf /tmp/linuxcnc/usr/share/doc/linuxcnc --json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "manuals" / "lathe"
FONT_EN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_ZH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
DPI = 200

ZH_TEXT = """液压站日常点检与故障处理
开机前检查油箱油位，油位应在油标上下限之间。油液颜色发白说明进水，应立即停机并更换液压油。
液压泵噪音大时，先检查吸油滤网是否堵塞，再检查油位是否过低以及吸油管接头是否漏气。
油温超过六十度时，检查冷却器是否脏污、冷却水阀门是否打开，必要时清洗冷却器芯体。
系统压力不稳定，多为溢流阀阀芯卡滞或弹簧疲劳，拆洗溢流阀并检查阀座有无划伤。
更换滤芯前必须卸压，关闭主电源并挂牌上锁，确认压力表读数为零后方可拆卸。
主轴箱润滑每班检查一次，润滑泵压力低于零点二兆帕时报警，应检查润滑管路是否堵塞。
导轨润滑不足会引起爬行和精度下降，按规定每周清理一次导轨防护罩内的切屑。
冷却液浓度保持在百分之五到百分之八，浓度过低会导致工件生锈，过高会引起皮肤过敏。
电机过热跳闸时，检查负载是否过大、风扇是否损坏、三相电流是否平衡，不得强行复位。
每月检查一次皮带张紧度，用手指按压皮带中部，下沉量约为十到十五毫米为宜。
发现异常振动应先降低转速，记录振动值并通知设备工程师，不得带病运行。"""


def _wrap(draw, text: str, font, width: int, cjk: bool) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        units = list(para) if cjk else para.split()
        cur = ""
        for u in units:
            trial = cur + u if cjk or not cur else cur + " " + u
            if draw.textlength(trial, font=font) > width and cur:
                lines.append(cur)
                cur = u
            else:
                cur = trial
        lines.append(cur)
    return lines


def typeset(text: str, font_path: str, cjk: bool, size_pt: float = 11.0):
    """``text`` printed on an A4 page at 200 dpi; returns the image and the text that fitted on it."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = int(8.27 * DPI), int(11.69 * DPI)
    font = ImageFont.truetype(font_path, int(size_pt / 72 * DPI))
    im = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(im)
    margin, y, step = int(0.8 * DPI), int(0.8 * DPI), int(size_pt / 72 * DPI * 1.5)
    shown = []
    for line in _wrap(d, text, font, w - 2 * margin, cjk):
        if y + step > h - margin:
            break
        d.text((margin, y), line, font=font, fill=0)
        shown.append(line)
        y += step
    return im, "\n".join(shown)


def degrade(im, rng: random.Random):
    """A scan: skew up to 1.5 degrees, blur, noise, JPEG at quality 55."""
    import io

    import numpy as np
    from PIL import Image, ImageFilter

    im = im.rotate(rng.uniform(-1.5, 1.5), fillcolor=255, resample=Image.BICUBIC)
    im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.0)))
    a = np.asarray(im, dtype="float32") + np.random.default_rng(rng.randrange(1 << 30)).normal(0, 12, im.size[::-1])
    im = Image.fromarray(np.clip(a, 0, 255).astype("uint8"))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=55)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _plain(md: str) -> str:
    md = re.sub(r"^---\n.*?\n---\n", "", md, flags=re.S)
    md = re.sub(r"[#*_`>|]", "", md)
    md = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", md)
    return "\n".join(ln.strip(" -") for ln in md.splitlines() if ln.strip(" -"))


def pages(n_en: int, pdf_dir: Path | None, n_pdf: int, seed: int) -> list[tuple[str, str, object]]:
    """(set, truth, image) for every page of the benchmark."""
    rng = random.Random(seed)
    out = []
    files = sorted(SHARED.rglob("*.md"))
    for f in rng.sample(files, min(n_en, len(files))):
        im, truth = typeset(_plain(f.read_text()), FONT_EN, cjk=False)
        out.append(("en typeset", truth, degrade(im, rng)))
    paras = ZH_TEXT.split("\n")
    for i in range(2):
        im, truth = typeset("\n".join(paras[:1] + rng.sample(paras[1:], len(paras) - 1)), FONT_ZH, cjk=True,
                            size_pt=11 + 2 * i)
        out.append(("zh typeset", truth, degrade(im, rng)))
    if pdf_dir:
        import pypdfium2 as pdfium

        for f in sorted(pdf_dir.glob("*.pdf"))[:3]:
            doc = pdfium.PdfDocument(str(f))
            for i in rng.sample(range(len(doc)), min(n_pdf, len(doc))):
                truth = doc[i].get_textpage().get_text_range().replace("\r\n", "\n")
                if len(truth.strip()) < 200:
                    continue
                im = doc[i].render(scale=DPI / 72).to_pil().convert("L")
                out.append(("en real PDF page", truth, degrade(im, rng)))
    return out


def cer(truth: str, text: str, cjk: bool) -> float:
    from rapidfuzz.distance import Levenshtein

    norm = (lambda s: re.sub(r"\s+", "", s)) if cjk else (lambda s: re.sub(r"\s+", " ", s).strip())
    t = norm(truth)
    return Levenshtein.distance(t, norm(text)) / max(len(t), 1)


def ocr_table(n_en: int, pdf_dir: Path | None, n_pdf: int, seed: int) -> dict:
    from shopfloor.index.ocr import ENGINES, available, read_image

    rows: dict[str, dict[str, dict]] = {}
    for kind, truth, im in pages(n_en, pdf_dir, n_pdf, seed):
        for engine in ENGINES:
            if not available(engine):
                continue
            t0 = time.perf_counter()
            page = read_image(im, engine)
            secs = time.perf_counter() - t0
            r = rows.setdefault(engine, {}).setdefault(kind, {"cer": [], "seconds": [], "confidence": []})
            r["cer"].append(cer(truth, page.text(), kind.startswith("zh")))
            r["seconds"].append(secs)
            r["confidence"].append(page.confidence)
            print(f"{engine:10s} {kind:18s} CER {r['cer'][-1]:.3f}  conf {page.confidence:.2f}  {secs:.1f} s",
                  file=sys.stderr)
    return {e: {k: {"pages": len(v["cer"]), "cer": round(sum(v["cer"]) / len(v["cer"]), 4),
                    "cer_max": round(max(v["cer"]), 4), "confidence_mean": round(sum(v["confidence"]) / len(v["cer"]), 3),
                    "pages_per_second": round(len(v["seconds"]) / sum(v["seconds"]), 3)}
                for k, v in by.items()} for e, by in rows.items()}


def pdf_readers(pdf_dir: Path) -> dict:
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    from shopfloor.index.text import text_problem

    out = {}
    for f in sorted(pdf_dir.glob("*.pdf")):
        t0 = time.perf_counter()
        a = [p.extract_text() or "" for p in PdfReader(str(f)).pages]
        ta = time.perf_counter() - t0
        t0 = time.perf_counter()
        doc = pdfium.PdfDocument(str(f))
        b = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        tb = time.perf_counter() - t0
        out[f.name] = {"pages": len(a),
                       "pypdf": {"unfit_pages": sum(bool(text_problem(x)) for x in a), "seconds": round(ta, 2)},
                       "pypdfium2": {"unfit_pages": sum(bool(text_problem(x)) for x in b), "seconds": round(tb, 2)}}
        print(f"{f.name}: {out[f.name]}", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--en-pages", type=int, default=4)
    ap.add_argument("--pdf", type=Path, help="folder of real PDFs (e.g. linuxcnc-doc-en's) for readers and OCR")
    ap.add_argument("--pdf-pages", type=int, default=2, help="pages OCR'd per real PDF (at most 3 PDFs)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    result = {"dpi": DPI, "ocr": ocr_table(a.en_pages, a.pdf, a.pdf_pages, a.seed)}
    if a.pdf:
        result["pdf_readers"] = pdf_readers(a.pdf)
    if a.json:
        print(json.dumps(result, indent=1))
    else:
        for engine, by in result["ocr"].items():
            for kind, r in by.items():
                print(f"{engine:10s} {kind:18s} pages {r['pages']}  CER {r['cer']:.3f} (max {r['cer_max']:.3f})  "
                      f"conf {r['confidence_mean']:.2f}  {r['pages_per_second']:.2f} pages/s")


if __name__ == "__main__":
    main()
