"""Small document sets written per test; the embedder itself is loaded once per session (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

PUMP_MD = """# Pump P-101 manual

## Troubleshooting

| Symptom | Possible cause | Remedy |
|---|---|---|
| Crackling noise and low flow (cavitation) | Suction strainer clogged | Clean strainer ST-2 and open the suction valve |
| Rumbling noise from the bearing housing | Bearing worn | Replace bearings PB-6308 |

## Error codes

E-14 means suction pressure too low. Check the strainer first.
"""

MILL_MD = """# Mill M-201 manual

## Spindle

Chatter marks on the finishing pass mean a worn cutter or too high a feed per tooth.
Replace the end mill and reduce the feed. Alarm E-42 reports high spindle load.
"""

INCIDENTS_CSV = """incident_id,date,machine_id,text,action
INC-1,2024-03-01,P-101,brg nse on pump rumbling,replaced bearing
INC-2,2025-06-10,M-201,chatter on finish pass E-42,replaced cutter
INC-3,2025-07-11,HP-601,ram drifts down oil on rod,replaced seal
"""


@pytest.fixture()
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "P-101.md").write_text(PUMP_MD)
    (d / "M-201.md").write_text(MILL_MD)
    (d / "incidents.csv").write_text(INCIDENTS_CSV)
    return d


@pytest.fixture()
def built(docs: Path, tmp_path: Path, embedder):
    from shopfloor.index import Index

    return Index.build([docs], tmp_path / "kb", progress=False)
