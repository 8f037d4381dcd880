"""An answer's and a card's own words follow the asker's language; the plant's text is quoted as written."""

from __future__ import annotations

from shopfloor.assistant.pipeline.diagnose import Cause, Diagnosis
from shopfloor.assistant.pipeline.words import cell, joined, language


def test_language_of_a_question():
    assert language("液压泵噪音大怎么办？") == "zh" and language("P-101 泵 noise loud since nightshift") == "en"
    assert language("Насос шумит") == "en"  # only Chinese has its own words so far
    row = joined([cell("cause", "滤网堵塞", "zh"), cell("remedy", "清洗滤网", "zh")], "zh")
    assert row == "原因：滤网堵塞；处理：清洗滤网"
    assert cell("remedy", "Clean the strainer", "en") == "remedy — Clean the strainer"


def test_a_chinese_log_gets_a_chinese_card():
    cause = Cause(symptom="液压泵噪音大", cause="吸油滤网堵塞", remedy="清洗滤网", citation="液压站故障表.png > p. 1 row 1",
                  score=0.8, kind="troubleshooting")
    d = Diagnosis(log="3号机液压泵噪音大，油温偏高", causes=[cause], next_step="停机后清洗滤网。")
    card = d.to_markdown()
    assert card.startswith("### 诊断") and "**可能的原因和处理（来自您的文档）**" in card and "**下一步:**" in card
    assert "_来源: 液压站故障表.png > p. 1 row 1" in card
    english = Diagnosis(log="P101 brg nse rumbling", causes=[cause]).to_markdown()
    assert english.startswith("### Diagnosis") and "**Next step:**" in english
