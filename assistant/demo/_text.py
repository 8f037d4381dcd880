"""Text for the demo plant: manuals in Markdown, technician logs, incidents and customer complaints.

Logs are written the way technicians write them: abbreviations ("brg", "mtr", "chk"), dropped
words, typos (a seeded character swap/drop), machine ids in different spellings. A few percent of
logs describe a symptom that fits a second failure mode too, so the labels are not trivially
separable (real logs never are).
"""

from __future__ import annotations

import random

from shopfloor.assistant.demo._plant import COMPLAINT_CATEGORIES, MACHINES, TROUBLE

ABBREV = {
    "bearing": "brg", "motor": "mtr", "check": "chk", "replaced": "repl", "temperature": "temp",
    "pressure": "press", "vibration": "vib", "hydraulic": "hyd", "leaking": "lkg", "pump": "pmp",
    "spindle": "spndl", "conveyor": "conv", "compressor": "comp", "filter": "filt", "noise": "nse",
    "running": "rng", "approximately": "approx", "maintenance": "maint", "operator": "op",
}

OPENERS = ["", "op reports ", "found ", "night shift: ", "", "during PM ", "reported by line lead - ", "callout: "]
CLOSERS = ["", " pls chk", " asap", " - tagged out", " again", ", 2nd time this wk", " see photo", ""]
FIXES = {
    "replace": ["replaced {part}", "repl {part}, tested ok", "swapped {part}"],
    "adjust": ["adjusted, ran ok", "re-aligned and tensioned", "set to spec"],
    "clean": ["cleaned out, back in service", "flushed + cleaned", "blew out, ok now"],
    "lubricate": ["topped up oil", "greased + oil change", "refilled lube"],
    "tighten": ["tightened fittings", "torqued up, no more leak"],
    "recalibrate": ["recalibrated, reading ok", "reset + recal"],
    "repair": ["repaired", "rewired terminal, ok", "fixed in place"],
}


def typo(word: str, rng: random.Random) -> str:
    """Drop or swap one inner character (a technician in a hurry)."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1:] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2:]


def shorthand(text: str, rng: random.Random, p_abbrev: float = 0.6, p_typo: float = 0.08) -> str:
    words = []
    for w in text.lower().replace(",", "").split():
        if w in ABBREV and rng.random() < p_abbrev:
            w = ABBREV[w]
        elif rng.random() < p_typo:
            w = typo(w, rng)
        words.append(w)
    if rng.random() < 0.4:  # terse: drop trailing detail
        words = words[: max(3, len(words) - rng.randrange(0, 4))]
    return " ".join(words)


def machine_ref(machine_id: str, rng: random.Random) -> str:
    return rng.choice([machine_id, machine_id.replace("-", ""), machine_id.lower(), machine_id, ""])


def log_entry(rng: random.Random) -> dict[str, str]:
    """One labelled maintenance log: text in shorthand plus its labels."""
    machine_id = rng.choice([m[0] for m in MACHINES])
    row = rng.choice(TROUBLE[machine_id])
    mode, component, symptom, _cause, remedy, action, code = row
    if rng.random() < 0.05:  # ambiguous wording borrowed from another row of the same machine
        symptom = rng.choice(TROUBLE[machine_id])[2]
    parts = [rng.choice(OPENERS), machine_ref(machine_id, rng), " ", shorthand(symptom, rng)]
    if code and rng.random() < 0.5:
        parts.append(f" {code}")
    parts.append(rng.choice(CLOSERS))
    text = "".join(parts).strip().replace("  ", " ")
    severity = "high" if ("stop" in symptom.lower() or "not" in symptom.lower() or "trip" in symptom.lower()) else \
        rng.choice(["low", "medium", "medium"])
    return {"text": text, "machine_id": machine_id, "failure_mode": mode, "component": component,
            "action": action, "severity": severity, "_remedy": remedy}


def incident(rng: random.Random, n: int, date: str) -> dict[str, str]:
    entry = log_entry(rng)
    part = entry["_remedy"].split("(")[-1].split(")")[0] if "(" in entry["_remedy"] else entry["component"]
    fix = rng.choice(FIXES[entry["action"]]).format(part=part)
    downtime = round(rng.uniform(0.2, 1.5) * {"low": 1, "medium": 2.5, "high": 6}[entry["severity"]], 1)
    return {"incident_id": f"INC-{n:04d}", "date": date, "machine_id": entry["machine_id"],
            "text": f"{entry['text']}. {fix}", "failure_mode": entry["failure_mode"],
            "component": entry["component"], "action": entry["action"], "downtime_h": f"{downtime}"}


PRODUCTS = ["bracket BR-220", "pump housing PH-10", "cover plate CP-5", "gear blank GB-40", "clip C-7", "panel P-300"]
COMPLAINT_TEXT = {
    "dimensional": ["hole spacing out by {x} mm on {p}, does not fit our fixture", "{p} thickness over tolerance, measured {x} mm too thick",
                    "bore diameter undersize on several {p}, bolts won't go in", "flatness of {p} out of spec, rocks on the bench"],
    "surface_defect": ["deep scratches on visible face of {p}", "flash along the edge of {p}, cuts hands at assembly",
                       "sink marks and discolouration on {p}", "burrs on {p} not removed, rejected at incoming"],
    "contamination": ["oily residue on {p}, paint will not stick", "metal chips inside {p} packaging",
                      "black specks moulded into {p}", "dirt and grease on all {p} in the lot"],
    "functional": ["{p} cracked after first use in our assembly", "{p} leaks at pressure test",
                   "{p} breaks when tightened to spec torque", "{p} does not lock into place"],
    "packaging_labelling": ["box labelled {p} but contained other parts", "quantity short by {n} pcs in lot of {p}",
                            "label barcode unreadable on {p} cartons", "mixed revisions of {p} in one box"],
    "delivery_damage": ["{p} arrived bent, pallet crushed", "shipment of {p} arrived {n} days late, line stopped",
                        "cartons wet and {p} rusty on arrival", "{p} dented in transit, packaging too thin"],
}


def complaint(rng: random.Random, n: int, date: str) -> dict[str, str]:
    cat = rng.choice(list(COMPLAINT_CATEGORIES))
    product = rng.choice(PRODUCTS)
    text = rng.choice(COMPLAINT_TEXT[cat]).format(p=product, x=round(rng.uniform(0.1, 1.5), 2), n=rng.randrange(2, 40))
    text = rng.choice(["", "Hello, ", "Complaint: ", "URGENT - ", "Dear supplier, "]) + text
    text = shorthand(text, rng, p_abbrev=0.0, p_typo=0.03) if rng.random() < 0.5 else text
    severity = "high" if cat in ("functional", "delivery_damage") and rng.random() < 0.6 else rng.choice(["low", "medium"])
    return {"complaint_id": f"CMP-{n:04d}", "date": date, "product": product, "text": text, "category": cat,
            "severity": severity}
