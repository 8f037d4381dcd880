"""A Chinese plant: a photographed troubleshooting chart and a scanned English page, added through the product,
answer questions with page citations, the answer's own words in the asker's language; a question they do not
cover is refused; no "not English" note under answers when the plant's documents are Chinese."""

from __future__ import annotations

import pytest

from shopfloor.assistant.policy import Role, User
from tests.ocr_pages import FONT_EN, chart_png

ENG = User("li.wei", Role.engineer)


@pytest.fixture(scope="module")
def plant(tmp_path_factory):
    from PIL import Image, ImageDraw, ImageFont

    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.workspace import Workspace

    tmp = tmp_path_factory.mktemp("zh")
    docs = tmp / "docs"
    docs.mkdir()
    chart_png(docs / "液压站故障表.png")
    page = Image.new("RGB", (1240, 1754), "white")
    font = ImageFont.truetype(FONT_EN, 28)
    for i, line in enumerate(["Spindle lubrication unit SL-3", "Refill the SL-3 reservoir with ISO VG 32 oil when the",
                              "level drops below the red mark. Check the pump filter every 500 hours."]):
        ImageDraw.Draw(page).text((120, 200 + 60 * i), line, font=font, fill="black")
    page.rotate(0.6, fillcolor="white").save(docs / "SL-3_scan.pdf", resolution=150)
    a = Assistant(Workspace.open(tmp / "ws"), use_llm=False, user=ENG)
    added = a.knowledge.add([docs], user=ENG)
    for source in ("液压站故障表.png", "SL-3_scan.pdf"):
        a.knowledge.approve(source, user=ENG)
    return a, added


def test_a_chinese_question_is_answered_from_the_photographed_chart(plant):
    a, added = plant
    assert added.texts["液压站故障表.png"].ocr_pages == 1
    done = a.answer("液压泵噪音大怎么办？", user=ENG)
    assert done.grounded and "处理：清洗滤网" in done.answer.splitlines()[0] and done.language == "zh"
    assert done.citations[0].citation.startswith("液压站故障表.png") and "p. 1 row 1" in done.citations[0].citation
    assert not any("English" in n for n in done.notes)


def test_what_the_chart_does_not_cover_is_refused(plant):
    a, _ = plant
    done = a.answer("空压机排气温度高怎么办？", user=ENG)
    assert not done.grounded and done.answer.startswith("Not in your documents. 您的文档中没有这方面的内容。")


def test_a_scanned_english_page_answers_with_its_page(plant):
    a, added = plant
    assert added.texts["SL-3_scan.pdf"].ocr_pages == 1
    done = a.answer("What oil goes in the SL-3 reservoir?", user=ENG)
    assert done.grounded and "ISO VG 32" in done.answer and done.language == "en"
    assert done.citations[0].page == 1 and "p. 1" in done.citations[0].citation
