"""Sections rebuilt from chunks (overlap removed), found by heading or lead-in; navigation is recognised."""

from shopfloor.index.chunk import chunk_markdown
from shopfloor.index.sections import Sections, is_navigation
from shopfloor.index.text import tokenize

HANDBOOK = """# Parting

## When Things Go Wrong

### Common Failures and Fixes

**Chattering:**

- Reduce speed
- Check tool height

**Blade grabbing:**

- Tool too low
- Feed too aggressive

## Dial Indicators

### Centering Work in 4-Jaw Chuck

1. Mount indicator perpendicular to workpiece
2. Set light preload at 12 o'clock position
3. Zero the dial
4. Rotate to 6 o'clock, note reading
5. Adjust opposing jaws to split difference
6. Repeat for 3-9 o'clock positions
7. Continue until runout is acceptable
"""


def test_a_section_split_into_chunks_is_whole_again():
    chunks = chunk_markdown(HANDBOOK, "lathe.md", max_chars=120, overlap=30)
    procedure = [c for c in chunks if c.section.endswith("4-Jaw Chuck")]
    assert len(procedure) > 1  # cut by the chunk size, with overlap
    sec = Sections(chunks).get("lathe.md", procedure[0].section)
    assert sec.text.count("Mount indicator") == 1 and sec.text.count("Zero the dial") == 1
    assert sec.text.index("1. Mount") < sec.text.index("7. Continue until runout is acceptable")
    assert sec.heading == "Centering Work in 4-Jaw Chuck" and sec.ids == tuple(chunks.index(c) for c in procedure)


def test_sections_are_found_by_heading_and_by_lead_in():
    secs = Sections(chunk_markdown(HANDBOOK, "lathe.md", max_chars=600, overlap=60))
    found = secs.by_heading({t for t in tokenize("4-jaw chuck")})
    assert found and found[0].heading == "Centering Work in 4-Jaw Chuck"
    # "Chattering" is a lead-in inside "Common Failures and Fixes", not a heading
    found = secs.by_heading(set(tokenize("chattering")))
    assert found and found[0].heading == "Common Failures and Fixes"
    assert secs.by_heading(set(tokenize("gearbox viscosity"))) == []
    assert secs.idf("never-seen") > secs.idf(tokenize("chuck")[0])


def test_a_table_of_contents_is_navigation_and_prose_is_not():
    toc = "- [Facing](04-facing.md)\n- [Turning](04-turning.md)\n- [Parting](08-parting.md)\nChapter 9 Troubleshooting"
    assert is_navigation(toc)
    assert not is_navigation("Reduce speed when the blade chatters. Check the tool height against the centre.")
