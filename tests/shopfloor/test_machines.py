"""Machine ids: one key for every spelling, one registry (the machines table)."""

from __future__ import annotations

import pytest

from shopfloor.machines import known_machines, machine_key, match_machine, register_machines


@pytest.mark.parametrize("spelling", ["P-101", "p101", "P 101", " p_101 ", "P--101"])
def test_every_spelling_has_one_key(spelling):
    assert machine_key(spelling) == "P101"


def test_match_finds_the_registered_spelling_in_a_sentence():
    known = ["P-101", "CV-401"]
    assert match_machine("p101 brg nse since monday", known) == "P-101"
    assert match_machine("cv 401", known) == "CV-401"
    assert match_machine("P-102 is fine", known) is None
    assert match_machine("", known) is None


def test_register_maps_spellings_to_known_ids_and_adds_new_ones(workspace):
    with workspace.connect() as conn:
        conn.execute("INSERT INTO machines (id, name, type) VALUES ('P-101', 'Pump', 'pump')")
        conn.commit()
        spelling = register_machines(conn, ["p101", "M 7", "M-7"])
        assert spelling == {"p101": "P-101", "M 7": "M 7", "M-7": "M 7"}
        assert known_machines(conn) == ["M 7", "P-101"]
        assert conn.execute("SELECT type FROM machines WHERE id='M 7'").fetchone()[0] == "unregistered"


def test_ids_are_found_next_to_any_script():
    assert match_machine("泵P-101漏油", ["P-101"]) == "P-101"
    assert match_machine("(p101)", ["P-101"]) == "P-101"
    assert match_machine("XP1012", ["P-101"]) is None
