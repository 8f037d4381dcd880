"""Answers shaped like the question, and refused when the text does not answer it (no model loaded: the hits'
similarities are set by hand, the rest is the real code on a small handbook)."""

import pytest

from shopfloor.assistant.pipeline.answerable import choose
from shopfloor.assistant.pipeline.ask import _row_quote
from shopfloor.assistant.pipeline.question import read_question
from shopfloor.assistant.pipeline.shape import blocks, quote_list
from shopfloor.index.chunk import chunk_markdown
from shopfloor.index.search import Hit
from shopfloor.index.sections import Sections
from tests.index.test_sections import HANDBOOK

OILS = """# Lubricants

## Way Oil (ISO 68): The Foundation

Way oil stands as the single most critical fluid in any machine shop.
Prevents oil from being scraped away by moving slides.

## Light Machine Oils

These lower-viscosity oils excel where way oil would be too thick.
"""


@pytest.mark.parametrize(("question", "kind"), [
    ("How do I true a four-jaw chuck?", "howto"), ("how to set tool height", "howto"),
    ("What causes chatter when parting off?", "cause"), ("parting chatter why", "cause"),
    ("What oil viscosity does the headstock gearbox take?", "value"), ("rpm for a 1/2 drill in mild steel", "value"),
    ("sev rating for brake pad wear", "value"), ("power feed for a finish pass, per rev", "value"),
    ("is a dead centre hardened", "other"),
])
def test_the_kind_of_answer_is_read_from_the_wording(question, kind):
    assert read_question(question).kind == kind


def test_topic_terms_leave_the_asking_words_and_know_shop_synonyms():
    q = read_question("How do I true a four-jaw chuck?")
    assert {"4-jaw", "jaw", "chuck", "true"} <= q.terms and not {"how", "do"} & q.terms
    assert "center" in q.alternatives["true"]  # truing a chuck is centring the work
    assert read_question("What cutting speed for 932 bronze?").numbers == {"932"}
    assert {"cros", "slide"} <= read_question("adjust the cross-slide gibs").terms  # stemmed as the index is


def test_a_list_keeps_its_lead_in_its_order_and_one_item_per_line():
    parsed = blocks("Common Failures and Fixes\n\n**Chattering:**\n\n- Reduce speed\n- Check tool height\n\n"
                    "Steps:\n1. Mount the indicator\n2. Zero the dial\n\nA closing sentence.")
    lists = [b for b in parsed if b.items]
    assert [(b.lead, b.items, b.ordered) for b in lists] == [
        ("Chattering", ["Reduce speed", "Check tool height"], False),
        ("Steps", ["Mount the indicator", "Zero the dial"], True)]
    assert quote_list(lists[0], "Fixes") == ["Fixes — Chattering:", "- Reduce speed", "- Check tool height"]


def _ask(question: str, text: str = HANDBOOK, dense: float = 0.5):
    chunks = chunk_markdown(text, "lathe.md", max_chars=600, overlap=60)
    hits = [Hit(c.text, 1.0, dense, c.source, c.section) for c in chunks]
    return choose(read_question(question), hits, Sections(chunks), _row_quote, 0.3)


def test_a_how_to_question_gets_the_whole_procedure_in_order():
    shown = _ask("how do i true a 4-jaw")
    assert len(shown) == 1 and shown[0].path.endswith("Centering Work in 4-Jaw Chuck")
    assert shown[0].lines[1] == "1. Mount indicator perpendicular to workpiece"
    assert shown[0].lines[-1] == "7. Continue until runout is acceptable"


def test_a_why_question_gets_the_list_under_its_lead_in():
    shown = _ask("What causes chatter when parting off?")
    assert shown and shown[0].lines == ["Common Failures and Fixes — Chattering:", "- Reduce speed",
                                        "- Check tool height"]


def test_a_value_the_documents_never_give_is_refused_and_one_they_give_is_quoted():
    assert _ask("What oil viscosity does the headstock gearbox take?", OILS) == []
    shown = _ask("what grade of way oil", OILS)
    assert shown and "ISO 68" in " ".join(shown[0].lines)


PRESS = """# Press HP-601

## Die change

The die clamp bolts are tightened in a cross pattern. Slide gibs are set to 0.05 mm clearance.

### Clamping

Tighten the die clamp bolts to 120 Nm in two passes.
"""


def test_a_value_of_another_quantity_is_not_an_answer():
    assert read_question("What torque for the HP-601 die clamp bolts?").quantities == ("torque",)
    shown = _ask("What torque for the HP-601 die clamp bolts?", PRESS)
    assert shown and "120 Nm" in " ".join(shown[0].lines)  # a unit says what the value is of
    no_torque = PRESS.replace("to 120 Nm in two passes", "in two passes")
    assert _ask("What torque for the HP-601 die clamp bolts?", no_torque) == []  # 0.05 mm is a clearance
    assert _ask("what clearance for the slide gibs", no_torque)  # ... which a clearance question gets
    assert _ask("What torque for the HP-601 die clamp bolts?", PRESS.replace("120 Nm", "120Nm"))  # glued unit
    assert _ask("What torque for the HP-601 die clamp bolts?", no_torque.replace("0.05 mm", "0.05mm")) == []
    assert read_question("Max ſpeed, vİscosity?").quantities == ()  # odd case folding is no quantity, no crash


def test_a_how_to_is_a_procedure_or_a_refusal_not_sentences_that_mention_it():
    text = "# Tailstock\n\n## Alignment\n\nVerify alignment using the test bar method. Adjust if necessary.\n"
    assert _ask("How do I check tailstock alignment with a test bar, step by step?", text) == []
    assert _ask("tailstock alignment test bar?", text)  # the same sentences answer a plain question
    prime = "# Coolant pump CP-9\n\n## Priming\n\nTo prime the coolant pump CP-9, open vent valve V-3.\n"
    assert _ask("How do I prime the coolant pump CP-9?", prime)  # a sentence that says to do what was asked
    assert not read_question("stepper motor missed steps how to fix").steps  # "steps" of a motor ask no procedure


def test_text_under_the_no_answer_level_is_not_an_answer():
    assert _ask("What causes chatter when parting off?", dense=0.1)  # a list whose words leave no doubt
    assert _ask("is a dead centre hardened", dense=0.1) == []


def test_a_failure_row_is_quoted_by_what_the_question_asks():
    from shopfloor.index.tables import map_columns

    header = ["Component", "Potential Failure Mode", "Potential Effect(s) of Failure", "Severity",
              "Potential Cause(s) of Failure", "Current Controls", "Recommended Action"]
    rows = [["Belts", "Wearing", "Loss of belt-driven components", "3", "Age", "Daily visual check", "Replace belts"],
            ["Fuel tank", "Cracked or leaking", "Fuel loss, fire", "4", "Physical impact", "Daily visual inspection",
             "Drain and flush tank"]]
    roles = map_columns(header)
    hits = [Hit("; ".join(f"{k}: {v}" for k, v in zip(header, r, strict=True)), 1.0, 0.6, "fmea.csv", "fmea row",
                row=i, metadata={"columns": dict(zip(header, r, strict=True)), "roles": roles, "table_kind": "fmea"})
            for i, r in enumerate(rows, start=1)]
    shown = choose(read_question("what happens if an engine belt wears"), hits, Sections([]), _row_quote, 0.3)
    assert [e.lines for e in shown] == [["Belts: Wearing: effect — Loss of belt-driven components"]]
    shown = choose(read_question("how are fuel tank leaks detected"), hits, Sections([]), _row_quote, 0.3)
    assert shown and shown[0].lines == ["Fuel tank: Cracked or leaking: detected by — Daily visual inspection"]
    assert choose(read_question("fill capacity of the fuel tank in litres"), hits, Sections([]), _row_quote, 0.3) == []


def test_chinese_is_decided_by_its_words_not_by_the_embedder():
    """MiniLM scores every Chinese pair high (0.95 for a compressor question the documents do not cover): the
    similarity given here is that high, and only the words decide."""
    doc = "# 液压站\n\n## 故障排除\n\n**油温过高:**\n\n- 清洗冷却器\n- 检查溢流阀设定\n"
    assert _ask("液压站油温过高怎么办", doc, dense=0.95)
    assert _ask("空压机排气压力低怎么办", doc, dense=0.95) == []
