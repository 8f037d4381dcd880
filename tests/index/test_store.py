"""A kill -9 in the middle of saving never leaves an index that cannot be loaded."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from shopfloor.index import Index

WRITER = """
import sys, itertools
from pathlib import Path
from shopfloor.index import Index
docs, root = Path(sys.argv[1]), Path(sys.argv[2])
idx = Index.load(root)
print("ready", flush=True)
for i in itertools.count():
    (docs / "extra.md").write_text(f"# Extra\\n\\nrevision {i} " + "text " * (i % 50))
    idx.add([docs], progress=False)
"""


def test_killed_writer_leaves_a_loadable_index(built: Index, docs: Path, tmp_path: Path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    for delay in (0.4, 1.1, 2.3):
        proc = subprocess.Popen([sys.executable, str(script), str(docs), str(built.root)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[2])
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        idx = Index.load(built.root)
        assert len(idx.chunks) == len(idx.vectors) == idx._faiss.ntotal
        assert idx.search("strainer", k=1)
    versions = [p for p in built.root.iterdir() if p.name.startswith("v") and not p.name.endswith(".tmp")]
    assert len(versions) <= 3  # old versions pruned
