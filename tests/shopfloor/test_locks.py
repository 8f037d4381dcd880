"""One writer per store: while one holds the index, a model folder or the readings, a second writer is refused
with a message naming what runs (in another process too: flock is per open file), and nothing is written."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from shopfloor.errors import InputError
from shopfloor.locks import store_lock

HOLD = "import sys, time; from shopfloor.locks import store_lock\nwith store_lock(sys.argv[1], 'x'):\n" \
       "    print('held', flush=True); time.sleep(30)"


def _held_by_another_process(folder):
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_refused_and_the_lock_is_released(tmp_path):
    with store_lock(tmp_path, "index update"):
        with pytest.raises(InputError, match="another index update is running"):
            with store_lock(tmp_path, "index update"):
                pass
    with store_lock(tmp_path, "index update"):  # released: the next writer gets it
        pass


def test_index_add_is_refused_at_once_while_another_process_writes(tmp_path):
    from shopfloor.index import Index, IndexConfig

    doc = tmp_path / "docs" / "pump.md"
    doc.parent.mkdir()
    doc.write_text("# Pump P-1\n\nCheck the seal.\n")
    root = tmp_path / "index"
    proc = _held_by_another_process(root)
    try:
        t0 = time.perf_counter()
        with pytest.raises(InputError, match="another index update is running"):
            Index.build([doc.parent], root, IndexConfig(), progress=False)
        assert time.perf_counter() - t0 < 5  # refused at once, not after waiting
        assert not list(root.glob("v*"))  # nothing written
    finally:
        proc.kill()
        proc.wait()
    assert Index.build([doc.parent], root, IndexConfig(), progress=False).sources()  # the holder died: free again
