"""Bad files given to the CLI end in one line that says what is wrong - no traceback - and exit code 2."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.security.conftest import SHOPFLOOR

TAXONOMY = "failure_mode:\n  bearing: bearing noise, wear or rumbling\n  leak: oil, water or air leak\n"
CASES = [  # (case, files to write, command, message the user reads)
    ("classify run, header-only CSV", {"only_header.csv": b"text\r\n", "tax.yaml": TAXONOMY.encode()},
     ["classify", "run", "--input", "only_header.csv", "--text-col", "text", "--taxonomy", "tax.yaml"],
     "only_header.csv: no rows to classify"),
    ("sensor import, 0-byte CSV", {"empty.csv": b""}, ["sensor", "import", "--data", "empty.csv"],
     "empty.csv is empty: nothing to import"),
    ("sensor import, empty machine_id column", {"no_ids.csv": b"machine_id,timestamp,temp_c\n,2024-05-01 08:00,41.5\n"
                                                              b",2024-05-01 09:00,42.0\n"},
     ["sensor", "import", "--data", "no_ids.csv"], "no row has both a readable time and a machine id"),
    ("lm tune --qa, invalid UTF-8", {"qa.jsonl": b'{"question": "ok?", "evidence": "x"}\n{"question": "\xff\xfe"}\n'},
     ["lm", "tune", "--qa", "qa.jsonl"], "qa.jsonl:2: not UTF-8 (byte 0xff); save the file as UTF-8"),
]


@pytest.mark.parametrize(("case", "files", "command", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_files_are_one_line_errors(tmp_path, case, files, command, message):
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(tmp_path / "ws")}
    r = subprocess.run([str(SHOPFLOOR), *command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, (case, r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr + r.stdout
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], r.stderr[-2000:]
