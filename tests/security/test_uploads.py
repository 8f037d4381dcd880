"""Photo uploads: each photo keeps its own result whatever its name, zips cannot inflate into memory, inspect work
is gated, and the image model switches atomically (a crash mid-save leaves the old model whole)."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import threading
import time
import zipfile

import httpx
import numpy as np
import pytest

from tests.security.conftest import SHOPFLOOR


def _sample(served, name: str) -> bytes:
    return (served.root / "vision" / "samples" / name).read_bytes()


def test_same_named_photos_each_get_their_own_result(served):
    crack, clean = _sample(served, "crack_000.png"), _sample(served, "clean_001.png")
    truncated = crack[: len(crack) // 2]
    photos = [crack, clean, truncated, crack]  # before: all got the last one's result; the truncated one a label
    headers = {"Authorization": f"Bearer {served.token('tom')}"}
    r = httpx.post(f"{served.url}/api/inspect", headers=headers, timeout=300,
                   files=[("files", ("photo.png", p, "image/png")) for p in photos])
    assert r.status_code == 200, r.text
    got = r.json()["results"]
    assert [g["sha256"] for g in got] == [hashlib.sha256(p).hexdigest() for p in photos]
    assert [g["label"] for g in got] == ["crack", "clean", None, "crack"]
    assert "not a readable image" in got[2]["error"] and got[2]["id"] is None and r.json()["errors"] == 1
    assert got[0]["id"] == got[3]["id"] != got[1]["id"]  # same content, same row; other content, other row
    with served.db() as conn:
        rows = dict(conn.execute("SELECT sha256, label FROM inspections WHERE sha256 IN (?, ?, ?)",
                                 tuple(hashlib.sha256(p).hexdigest() for p in photos[:3])).fetchall())
    assert rows == {hashlib.sha256(crack).hexdigest(): "crack", hashlib.sha256(clean).hexdigest(): "clean"}


def _zeros_zip(path, members: dict[str, int]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, size in members.items():
            with zf.open(name, "w", force_zip64=True) as f:
                for _ in range(size // (1 << 20)):
                    f.write(bytes(1 << 20))


def _lying_zip(path, real: int, declared: int) -> None:
    """A member of ``real`` zero bytes whose headers say it is ``declared`` bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.png", bytes(real))
    data = bytearray(buf.getvalue())
    for sig, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size in local and central headers
        i = data.index(sig)
        data[i + at:i + at + 4] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_zip_of_zeros_is_refused_before_anything_is_inflated(tmp_path):
    import tracemalloc

    from shopfloor.errors import InputError
    from shopfloor.vision.images import unpack_zip

    bomb = tmp_path / "bomb.zip"
    _zeros_zip(bomb, {"zeros.png": 300 << 20})
    assert bomb.stat().st_size < 1_000_000  # < 1 MB on the wire, 300 MB inflated
    tracemalloc.start()
    with pytest.raises(InputError, match=r"zeros.png expands to 315 MB; at most 50 MB per photo"):
        unpack_zip(bomb, tmp_path / "out")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000 and not (tmp_path / "out").exists()
    many = tmp_path / "many.zip"
    _zeros_zip(many, {f"p{i}.png": 40 << 20 for i in range(26)})  # 26 x 40 MB: each allowed, 1.09 GB in all
    with pytest.raises(InputError, match=r"expands to 1.1 GB of images; at most 1 GB per zip"):
        unpack_zip(many, tmp_path / "out")
    liar = tmp_path / "liar.zip"
    _lying_zip(liar, real=20 << 20, declared=1000)
    tracemalloc.start()
    with pytest.raises(InputError, match=r"a.png cannot be unpacked|inflates past its declared 1,000 bytes"):
        unpack_zip(liar, tmp_path / "out2")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000 and list((tmp_path / "out2").iterdir()) == []


def test_zip_bomb_through_the_ui_and_the_cli_is_a_clear_message(served, tmp_path):
    import psutil
    from gradio_client import Client, handle_file

    bomb = tmp_path / "bomb.zip"
    _zeros_zip(bomb, {"zeros.png": 900 << 20})  # the issue's ~1 MB zip that inflated to 0.85 GB in the server
    server = psutil.Process(served.proc.pid)
    before = server.memory_info().rss
    tom = Client(served.url, auth=("tom", "technician-pass"), verbose=False)
    summary = tom.predict([handle_file(str(bomb))], api_name="/inspect")[0]
    assert "zeros.png expands to 944 MB; at most 50 MB per photo" in summary
    assert server.memory_info().rss - before < 150_000_000
    env = {**os.environ, "SHOPFLOOR_WORKSPACE": str(served.root)}
    r = subprocess.run([str(SHOPFLOOR), "inspect", "run", "--model", str(served.root / "models" / "vision" /
                        "classifier"), "--input", str(bomb)], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode in (1, 2) and "Traceback" not in r.stderr
    assert "expands to 944 MB; at most 50 MB per photo" in r.stdout + r.stderr


def test_inspect_work_is_gated_to_the_configured_number_at_once(workspace, monkeypatch):
    from shopfloor.assistant.pipeline import inspection
    from shopfloor.vision import model as vision_model
    from shopfloor.vision.results import InspectionResult

    running, peak, lock = [0], [0], threading.Lock()

    def slow_run(models, sources, **kw):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.3)
        with lock:
            running[0] -= 1
        return [InspectionResult(image=n, error="unreadable") for n, _ in sources]

    class Components:
        @staticmethod
        def vision_models():
            return [type("M", (), {"kind": "classifier"})()]

    monkeypatch.setattr(vision_model, "run", slow_run)
    workspace.connect().close()  # the database exists before the threads open it
    assert workspace.config.server.inspect_workers == 2  # the default
    calls = [threading.Thread(target=inspection.inspect, args=(Components(), workspace, [("a.png", b"x")], "api", "t"))
             for _ in range(6)]
    for t in calls:
        t.start()
    for t in calls:
        t.join()
    assert peak[0] == 2


def _classifier(classes: list[str], seed: int):
    from shopfloor.vision.classifier import DefectClassifier, Head

    rng = np.random.default_rng(seed)
    head = Head(rng.normal(size=1280), np.ones(1280), rng.normal(size=(len(classes), 1280)), np.zeros(len(classes)))
    return DefectClassifier(classes, head, 1.0, 0.5, {"kind": "classifier", "seed": seed})


def test_image_model_save_is_atomic(tmp_path, monkeypatch):
    from shopfloor.vision.model import load_model

    folder = tmp_path / "classifier"
    old = _classifier(["clean", "crack"], seed=1)
    old.save(folder)
    new = _classifier(["clean", "crack", "pit"], seed=2)
    real_replace = os.replace

    def crash_on_metadata(src, dst):
        if str(dst).endswith("model.json"):
            raise OSError("disk full")  # the process dies between the weights and the metadata
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_metadata)
    with pytest.raises(OSError, match="disk full"):
        new.save(folder)
    monkeypatch.setattr(os, "replace", real_replace)
    loaded = load_model(folder)  # the old model, whole: its classes with its own weights
    assert loaded.classes == ["clean", "crack"] and np.array_equal(loaded.head.coef, old.head.coef)
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]  # no temporary file left
    new.save(folder)
    loaded = load_model(folder)
    assert loaded.classes == ["clean", "crack", "pit"] and np.array_equal(loaded.head.coef, new.head.coef)
    assert [p.name for p in folder.glob("weights*.npz")] == [loaded.meta["weights"]]  # old weights removed


def test_models_saved_before_the_switch_still_load(tmp_path):
    import json

    from shopfloor.errors import NotBuiltError
    from shopfloor.vision.model import load_model

    m = _classifier(["clean", "crack"], seed=3)
    np.savez(tmp_path / "weights.npz", mean=m.head.mean, scale=m.head.scale, coef=m.head.coef,
             intercept=m.head.intercept)
    (tmp_path / "model.json").write_text(json.dumps({**m.meta, "classes": m.classes, "temperature": 1.0,
                                                     "review_threshold": 0.5}))
    assert np.array_equal(load_model(tmp_path).head.coef, m.head.coef)
    (tmp_path / "model.json").write_text(json.dumps({"kind": "classifier", "weights": "weights-0000.npz"}))
    with pytest.raises(NotBuiltError, match="weights-0000.npz, which is missing; retrain"):
        load_model(tmp_path)
