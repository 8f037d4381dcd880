"""Inspection in the product: the demo plant's image models behind the facade and the REST API."""

from __future__ import annotations

import base64
import io

import pytest
from fastapi.testclient import TestClient


@pytest.fixture()
def client(writable_assistant):
    from shopfloor.assistant.api.app import create_app

    return TestClient(create_app(writable_assistant, login_required=False, ui=False), base_url="http://127.0.0.1")


def _photo(ws, name: str) -> tuple[str, bytes]:
    return name, (ws.root / "vision" / "samples" / name).read_bytes()


def test_demo_plant_has_image_models(assistant):
    kinds = [m.kind for m in assistant.components.vision_models()]
    assert kinds == ["classifier", "anomaly"]
    assert set(assistant.inspection.labels()) == {"clean", "scratch", "pit", "inclusion", "patch", "crack"}
    assert len(list((assistant.ws.root / "vision" / "samples").glob("*.png"))) == 12


def test_inspect_api_results_heatmaps_and_no_duplicates(client, writable_assistant):
    from PIL import Image

    ws = writable_assistant.ws
    files = [("files", _photo(ws, n) + ("image/png",)) for n in ("crack_000.png", "clean_001.png")]
    files.append(("files", ("notes.jpg", b"not an image", "image/jpeg")))
    r = client.post("/api/inspect?heatmaps=true", files=files)
    assert r.status_code == 200, r.text
    j = r.json()
    crack, clean, bad = j["results"]
    assert crack["label"] == "crack" and crack["anomalous"] is True and crack["id"] >= 1
    assert crack["unknown"] is False and clean["unknown"] is False  # a confident known class is no unknown kind
    assert clean["label"] == "clean" and clean["anomaly_score"] < crack["anomaly_score"]
    assert bad["id"] is None and "not a readable image" in bad["error"] and j["errors"] == 1
    png = Image.open(io.BytesIO(base64.b64decode(crack["heatmap_png_base64"])))
    assert png.size == (200, 200)
    again = client.post("/api/inspect", files=files[:1]).json()["results"][0]
    assert again["id"] == crack["id"] and again["heatmap_png_base64"] is None  # same photo: same row, no new one
    with ws.connect() as conn:
        assert conn.execute("SELECT count(*) FROM inspections").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM audit WHERE action = 'inspect'").fetchone()[0] == 2
    assert client.post("/api/inspect", files=[]).status_code == 422


def test_review_queue_correct_and_retrain_with_a_new_class(client, writable_assistant):
    a = writable_assistant
    ws = a.ws
    rows = a.inspection.run([_photo(ws, "scratch_000.png"), _photo(ws, "scratch_001.png")], source="test")
    with ws.connect() as conn:  # as if the model had been unsure about both
        conn.execute("UPDATE inspections SET needs_review = 1")
    q = client.get("/api/inspect/reviews?limit=1").json()
    assert q["total"] == 2 and len(q["items"]) == 1
    page2 = client.get("/api/inspect/reviews?limit=1&offset=1").json()["items"]
    assert {q["items"][0]["id"], page2[0]["id"]} == {r.id for r in rows}
    for r in rows:
        c = client.post("/api/inspect/reviews", json={"id": r.id, "label": "dent"}).json()
        assert c == {"id": r.id, "label": "dent", "was": "scratch", "new_class": True}
    assert client.get("/api/inspect/reviews").json()["total"] == 0  # reviewed rows leave the queue
    assert client.post("/api/inspect/reviews", json={"id": 10**6, "label": "x"}).status_code == 400
    assert client.post("/api/inspect/reviews", json={"id": rows[0].id, "label": "a/b"}).status_code == 400
    out = a.inspection.retrain()
    assert out.reviewed_images == 2 and "dent" in out.classes
    assert "dent" in a.inspection.labels()  # the reloaded model knows the new class at once


def test_diagnose_with_a_photo(client, writable_assistant):
    name, data = _photo(writable_assistant.ws, "pit_000.png")
    d = client.post("/api/diagnose", json={"log": "P101 brg nse rumbling, pitting seen on the shaft", "summary": False,
                                           "photo_base64": base64.b64encode(data).decode(), "photo_name": name})
    assert d.status_code == 200, d.text
    j = d.json()
    assert j["inspection"]["label"] == "pit" and j["failure_mode"]
    assert "**Photo** (pit_000.png): pit" in j["markdown"]
    bad = client.post("/api/diagnose", json={"log": "x", "photo_base64": "%%%"})
    assert bad.status_code == 400 and "base64" in bad.json()["detail"]
