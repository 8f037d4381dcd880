"""Pages for the OCR tests: a photographed Chinese troubleshooting chart, drawn with Debian's CJK font."""

from __future__ import annotations

from pathlib import Path

FONT_ZH = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"  # Debian fonts-wqy-microhei (make test installs it)
FONT_EN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CHART = [("症状", "原因", "处理"), ("液压泵噪音大", "吸油滤网堵塞", "清洗滤网，检查油位"),
         ("油温过高", "冷却器脏污", "清洗冷却器"), ("压力不稳定", "溢流阀卡滞", "拆洗溢流阀")]


def chart_png(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT_ZH, 26)
    im = Image.new("RGB", (1000, 320), "white")
    d = ImageDraw.Draw(im)
    d.text((20, 10), "液压系统故障排除表", font=font, fill="black")
    for i, row in enumerate(CHART):
        for j, cell in enumerate(row):
            d.text((20 + j * 330, 70 + i * 60), cell, font=font, fill="black")
        d.line((10, 60 + i * 60, 990, 60 + i * 60), fill="black")
    im.save(path)
