"""Alarms through the facade: recorded by a status, linked to failure types and to the machine's own documents."""

from __future__ import annotations

import pytest

from shopfloor.errors import InputError


def test_an_alarm_links_to_the_machines_own_passage_about_its_signal(writable_assistant, tmp_path):
    a = writable_assistant
    doc = tmp_path / "HP-601-drive.md"
    doc.write_text("# HP-601 press drive\n\n## Troubleshooting\n\n| Symptom | Possible cause | Remedy |\n|---|---|---|\n"
                   "| Drive torque above normal, motor labours on every stroke | Blank thicker than specified or die "
                   "set too tight | Measure the blank thickness; reset the die shut height |\n")
    a.knowledge.add([doc])
    a.machines.status("HP-601")  # the status records the machine's alarms
    alarms = {x.sensor: x for x in a.machines.alarms(machine_id="hp 601")}
    torque = alarms["Torque [Nm]"]
    assert torque.state == "open" and torque.direction == "high"
    assert torque.failure_types == ["overstrain", "power"]
    assert [r.citation.split(" > ")[0] for r in torque.references] == ["HP-601-drive.md"]
    assert "die shut height" in torque.references[0].remedy
    wo = a.workorders.create_from_alarm(torque.id)  # the alarm becomes a work order with the cited remedy
    assert (wo.asset, wo.failure_mode, wo.priority, wo.state) == ("HP-601", "overstrain", "P1", "queued")
    assert "die shut height" in wo.action and "Blank thicker" in wo.cause and wo.citations[0].startswith("HP-601-drive")
    assert f"alarm #{torque.id}" in wo.description and "Torque too high" in wo.description
    assert wo.iso14224 == "PDE" and wo.alarm_id == torque.id  # parameter deviation: no more specific mode
    with pytest.raises(InputError, match=f"already has work order {wo.id}"):
        a.workorders.create_from_alarm(torque.id)  # a second click sends the CMMS no duplicate
    # the speed alarm: that passage does not name speed, and another machine's manual is not about this press
    speed = alarms.get("Rotational speed [rpm]")
    if speed is not None:
        assert speed.references == [] and "nothing is quoted" in speed.link_notes[0]
    fleet = a.machines.fleet()
    assert fleet[0].machine_id == "HP-601" and fleet[0].state == "alarm" and fleet[0].since
    done = a.machines.acknowledge(torque.id, "blank thickness checked")
    assert done.acknowledged_by == a.default_user.name
    assert all(x.id != torque.id for x in a.machines.alarms(state="open"))


def test_status_names_what_drives_a_real_risk_and_not_noise():
    from shopfloor.assistant.pipeline.alarms import alarms_markdown
    from shopfloor.assistant.pipeline.render import status_markdown
    from shopfloor.sensors.status import MachineStatus

    st = MachineStatus(machine_id="M-1", failure_probability=0.81, failure_type="overstrain", explanation=[
        {"feature": "Torque [Nm]", "value": 68.2, "typical": 40.1, "contribution": 0.74},
        {"feature": "Tool wear [min]", "value": 120.0, "typical": 110.0, "contribution": 0.01}])
    md = status_markdown(st)
    assert "What drives the risk:** Torque [Nm] 68.2 (typical 40.1): +74 points" in md and "Tool wear" not in md
    quiet = MachineStatus(machine_id="M-2", failure_probability=0.01, explanation=[
        {"feature": "Tool wear [min]", "value": 175.0, "typical": 110.0, "contribution": 0.008}])
    assert "What drives" not in status_markdown(quiet)
    assert alarms_markdown([]) == "**Alarms:** none open or active."


def test_alarms_are_reviewed_through_the_one_review_loop(writable_assistant):
    """An open alarm is an item of the ``alarms`` review queue; reviewing it acknowledges it, which a technician
    may do (a label correction still needs an engineer), with 'acknowledged' as its only outcome."""
    from shopfloor.assistant.policy import Role, User
    from shopfloor.errors import PermissionDeniedError

    a = writable_assistant
    a.machines.status("HP-601")  # records the press's alarms
    tech, viewer = User("tina", Role.technician), User("vic", Role.viewer)
    assert "alarms" in a.reviews.queues()
    items, total = a.reviews.page("alarms", user=tech)
    torque = next(i for i in items if "Torque" in i.subject)
    assert total == len(a.machines.alarms(state="open")) and torque.label == "open"
    assert torque.subject.startswith("HP-601 Torque [Nm] too high since")
    assert a.reviews.item("alarms", torque.id, user=tech).choices == ["acknowledged"]
    with pytest.raises(PermissionDeniedError):
        a.reviews.page("alarms", user=viewer)
    with pytest.raises(InputError, match="an alarm's review is 'acknowledged'"):
        a.reviews.correct("alarms", torque.id, "fixed", user=tech)
    done = a.reviews.correct("alarms", torque.id, "Acknowledged", user=tech)
    assert (done.queue, done.was, done.label) == ("alarms", "open", "acknowledged")
    assert a.machines.alarm(torque.id).acknowledged_by == "tina"
    assert torque.id not in {i.id for i in a.reviews.page("alarms", user=tech)[0]}
    text_items, _ = a.reviews.page("failure_mode", user=tech)
    if text_items:  # the same technician may not relabel a classified row
        with pytest.raises(PermissionDeniedError):
            a.reviews.correct("failure_mode", text_items[0].id, text_items[0].label or "x", user=tech)
