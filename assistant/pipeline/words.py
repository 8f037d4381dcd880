"""The fixed words of an answer in the asker's language: English, or Chinese for a question written in Chinese.

The passages are quoted as the plant wrote them; only the product's own words around them (a table row's
labels, the refusal, the heading of the related passages, "Sources") follow the question. The refusal keeps
"Not in your documents." first in every language: clients and checks recognise a refusal by it.

Example:
    >>> language("液压泵噪音大怎么办？"), label("remedy", "zh"), label("remedy", "en")
    ('zh', '处理', 'remedy')
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "zh"]
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

_ZH = {
    "cause": "原因", "effect": "影响", "detected by": "探测方式", "remedy": "处理", "failure_mode": "失效模式",
    "past incident": "过往故障", "action": "处理措施", "Sources": "来源",
    "Related passages (they do not answer the question):": "相关段落（并未回答这个问题）：",
    "Related passages, not an answer": "相关段落，不是答案", "not in your documents": "您的文档中没有这方面的内容。",
    "Diagnosis": "诊断", "Failure mode": "失效模式", "alternatives": "其他可能",
    "Likely causes and remedies (from your documents)": "可能的原因和处理（来自您的文档）",
    "Similar past incidents": "类似的过往故障", "Machine status": "设备状态", "Next step": "下一步", "source": "来源",
    "Summary": "摘要", "(written by the language model from the facts above)": "（由语言模型根据以上事实撰写）",
}


def language(text: str) -> Language:
    """"zh" when more than a third of the letters of ``text`` are Chinese characters, else "en"."""
    letters = [c for c in str(text) if c.isalpha()]
    return "zh" if letters and sum(bool(_CJK.match(c)) for c in letters) > len(letters) / 3 else "en"


def label(word: str, lang: Language) -> str:
    """``word`` (a role name or a fixed phrase, in English) in ``lang``."""
    return _ZH.get(word, word) if lang == "zh" else word


def cell(role: str, value: str, lang: Language) -> str:
    """One labelled cell of a quoted table row: "remedy — Clean the strainer" / "处理：清洗滤网"."""
    return f"{label(role, lang)}：{value}" if lang == "zh" else f"{role} — {value}"


def joined(cells: list[str], lang: Language) -> str:
    return "；".join(cells) if lang == "zh" else "; ".join(cells)
