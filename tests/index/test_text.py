"""Keyword tokens in any script, and text too broken to quote."""

from __future__ import annotations

from shopfloor.index.text import cjk_tokens, text_problem, tokenize


def test_chinese_is_searchable_by_character_bigrams():
    assert cjk_tokens("液压泵漏油") == ["液压", "压泵", "泵漏", "漏油"]
    toks = tokenize("泵P-101漏油, brg noise")
    assert {"漏油", "p-101", "p101", *tokenize("bearing")} <= set(toks)


def test_broken_pdf_text_is_detected_and_good_text_is_not():
    run_together = "Thepackagenamesarelistedbelowandeachonemustbeinstalledbeforethemachineisstarted " * 4
    assert "run together" in text_problem(run_together)
    assert "unreadable" in text_problem("The pump \ufffd\ufffd\ufffd bearing \ufffd\ufffd seal " * 10)
    assert text_problem("Replace the mechanical seal kit MS-40 and never run the pump dry. " * 5) is None
    assert text_problem("液压泵漏油，检查密封圈并更换。" * 10) is None
    assert text_problem("short") is None
    code = "Pins: gmoccapy.spindle.reset-spindle-override gmoccapy.jog.jog-velocity.direct-value V2.9.0~pre1+git2023 "
    assert text_problem(code * 3) is None  # identifiers and versions are not words run together
