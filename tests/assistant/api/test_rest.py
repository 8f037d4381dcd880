"""REST API, auth and the OpenAI-compatible endpoint (also exercised through our own OpenAI client backend)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.assistant.serving import free_port, serving


@pytest.fixture(scope="module")
def client(assistant):
    from shopfloor.assistant.api.app import create_app

    return TestClient(create_app(assistant, login_required=False, ui=False), base_url="http://127.0.0.1")


def test_health_and_openapi(client):
    assert client.get("/api/health").json() == {"status": "ok"}
    h = client.get("/api/tasks").json()
    assert "failure_mode" in h["tasks"] and h["sources"] == 7
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/diagnose", "/api/classify", "/api/ask", "/api/machines/{machine_id}/status",
            "/v1/chat/completions"} <= set(paths)


def test_diagnose_classify_ask_status(client):
    d = client.post("/api/diagnose", json={"log": "P101 brg nse rumbling", "summary": False}).json()
    assert d["failure_mode"] == "bearing_wear" and d["machine_id"] == "P-101" and "markdown" in d
    c = client.post("/api/classify", json={"texts": ["belt slipping on pulley", ""], "task": "failure_mode"}).json()
    assert c["predictions"][0]["label"] == "belt_slip" and c["predictions"][1]["needs_review"]
    a = client.post("/api/ask", json={"question": "What causes cavitation on the cooling water pump?"}).json()
    assert a["grounded"] and a["citations"]
    s = client.get("/api/machines/P-101/status").json()
    assert s["machine_id"] == "P-101" and s["rul"] is not None


@pytest.mark.parametrize("method, url, body, code", [
    ("post", "/api/diagnose", {"log": ""}, 422),
    ("post", "/api/diagnose", {"nolog": "x"}, 422),
    ("post", "/api/diagnose", {"log": "noise", "machine_id": "Q-1"}, 404),
    ("post", "/api/classify", {"texts": ["x"], "task": "colour"}, 400),
    ("get", "/api/machines/NOPE-1/status", None, 404),
    ("post", "/api/workorders", {"log": "belt slips", "alarm_id": 1}, 422),  # a log or an alarm, not both
    ("post", "/api/workorders", {"machine_id": "P-101"}, 422),
    ("post", "/api/workorders", {"alarm_id": 999_999}, 404),
    ("get", "/api/trends/rows?task=no_such_task&label=x", None, 404),
])
def test_bad_requests_get_clear_status_codes(client, method, url, body, code):
    r = getattr(client, method)(url, json=body) if body is not None else getattr(client, method)(url)
    assert r.status_code == code
    assert r.json()["detail"]


def test_oversized_body_is_413(client):
    r = client.post("/api/diagnose", content=b"x" * 6_000_000, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_auth_required_beyond_localhost(writable_assistant):
    from shopfloor.assistant import auth
    from shopfloor.assistant.api.app import create_app

    with writable_assistant.ws.connect() as conn:
        auth.add_user(conn, "vic", "viewer-pass", "viewer")
        auth.add_user(conn, "tom", "tech-pass-1", "technician")
    c = TestClient(create_app(writable_assistant, login_required=True, ui=False), base_url="http://127.0.0.1")
    assert c.post("/api/diagnose", json={"log": "brg nse"}).status_code == 401
    assert c.post("/api/login", json={"name": "tom", "password": "nope"}).status_code == 401
    vt = c.post("/api/login", json={"name": "vic", "password": "viewer-pass"}).json()["token"]
    tt = c.post("/api/login", json={"name": "tom", "password": "tech-pass-1"}).json()["token"]
    assert c.post("/api/diagnose", json={"log": "brg nse", "summary": False},
                  headers={"Authorization": f"Bearer {vt}"}).status_code == 403
    assert c.post("/api/diagnose", json={"log": "brg nse", "summary": False},
                  headers={"Authorization": f"Bearer {tt}"}).status_code == 200
    assert c.get("/api/machines", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_openai_endpoint_non_stream(client):
    r = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": "What causes cavitation "
                                                                                          "on the cooling water pump?"}]})
    body = r.json()
    assert body["object"] == "chat.completion" and "ST-2" in body["choices"][0]["message"]["content"]
    assert "\n\nSources:\n[" in body["choices"][0]["message"]["content"]  # plain clients see the sources too
    assert body["citations"] and body["usage"]["completion_tokens"] > 0
    assert client.get("/v1/models").json()["data"][0]["id"] == "shopfloor"


def test_openai_models_by_id_and_unknown_models_are_refused(client):
    m = client.get("/v1/models/shopfloor").json()
    assert m["id"] == "shopfloor" and m["object"] == "model" and isinstance(m["created"], int)
    r = client.get("/v1/models/gpt-4o")
    assert r.status_code == 404 and "does not exist" in r.json()["error"]["message"]
    r = client.post("/v1/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
    assert r.status_code == 404 and r.json()["error"]["type"] == "invalid_request_error"


def test_our_openai_client_against_the_real_endpoint(assistant):
    """The OpenAI-compatible backend talks to shopfloor's own /v1 over a real socket (streaming SSE)."""
    from shopfloor.assistant.api.app import create_app
    from shopfloor.assistant.llm.openai import OpenAICompatibleLLM

    with serving(create_app(assistant, ui=False)) as url:
        client = OpenAICompatibleLLM(f"{url}/v1", "shopfloor")
        pieces = list(client.stream([{"role": "user", "content": "What causes cavitation on the cooling water pump?"}],
                                    100, 0.0))
    text = "".join(pieces)
    assert pieces and "ST-2" in text and "[1]" in text  # an extractive answer may come as one piece


def test_openai_client_reports_unreachable_server():
    from shopfloor.assistant.llm.openai import OpenAICompatibleLLM
    from shopfloor.errors import BackendError

    with pytest.raises(BackendError, match="unreachable"):
        list(OpenAICompatibleLLM(f"http://127.0.0.1:{free_port()}/v1", "m", timeout_s=2).stream(
            [{"role": "user", "content": "hi"}], 5, 0.0))


def test_notes_reach_api_and_openai_callers(client):
    q = "La bomba P-101 hace ruido y vibra mucho con la carga, ¿qué hago?"
    a = client.post("/api/ask", json={"question": q}).json()
    assert any("does not look like English" in n for n in a["notes"])
    body = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": q}]}).json()
    assert "_note: this does not look like English" in body["choices"][0]["message"]["content"]


def test_review_queue_and_correction_over_rest(writable_assistant):
    """Classify over REST, page the queue, POST a correction: the next prediction of that text follows it at once."""
    from shopfloor.assistant.api.app import create_app

    c = TestClient(create_app(writable_assistant, login_required=False, ui=False), base_url="http://127.0.0.1")
    texts = ["box arrived with the lid dented", "", "qty short, label wrong"]
    preds = c.post("/api/classify", json={"texts": texts, "task": "complaint_category"}).json()["predictions"]
    q = c.get("/api/reviews", params={"task": "complaint_category", "limit": 1}).json()
    assert q["total"] >= 1 and len(q["items"]) == 1  # the empty text at least
    dented = preds[0]
    other = next(lab for lab in writable_assistant.texts.labels("complaint_category") if lab != dented["label"])
    r = c.post("/api/reviews", json={"id": dented["id"], "label": other})
    assert r.status_code == 200 and r.json()["was"] == dented["label"] and r.json()["label"] == other
    again = c.post("/api/classify", json={"texts": [texts[0]], "task": "complaint_category"}).json()["predictions"]
    assert again[0]["label"] == other
    assert c.post("/api/reviews", json={"id": 10**9, "label": other}).status_code == 400
    # a typo is not a new class: refused with the closest label, kept only when a new class is meant
    typo = c.post("/api/reviews", json={"id": dented["id"], "label": other[:-1] + "x"})
    assert typo.status_code == 400 and repr(other) in typo.json()["detail"]
    assert c.post("/api/reviews", json={"id": dented["id"], "label": other.upper()}).json()["label"] == other
    fresh = c.post("/api/reviews", json={"id": dented["id"], "label": "mould flash", "new_label": True})
    assert fresh.status_code == 200 and fresh.json()["label"] == "mould flash"
    assert c.post("/api/reviews", json={"id": dented["id"], "label": ""}).status_code == 422
