"""Hostile input: fuzzed bodies against every API endpoint of the real server (no 5xx, server still up), and
broken Unicode on the CLI (no traceback)."""

from __future__ import annotations

import json
import subprocess
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.conftest import SHOPFLOOR

# Any code point, lone surrogates included (JSON can carry them as \ud800 escapes; Python decodes them).
ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
                       max_leaves=8)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])

ENDPOINTS = {
    "/api/ask": lambda t, j: {"question": t, "history": j if isinstance(j, list) else [{"role": "user", "content": t}]},
    "/api/diagnose": lambda t, j: {"log": t, "machine_id": t[:20] or None, "summary": False},
    "/api/classify": lambda t, j: {"texts": [t, t[::-1]], "task": j if isinstance(j, str) else None},
    "/v1/chat/completions": lambda t, j: {"messages": [{"role": "user", "content": [{"type": "text", "text": t}, j]}]},
}


@pytest.fixture(scope="module")
def tech_headers(served):
    return {"Authorization": f"Bearer {served.token('tom')}", "content-type": "application/json"}


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_fuzzed_json_never_5xx(served, tech_headers, path):
    @FUZZ
    @given(text=ANY_TEXT, junk=JSONISH)
    def run(text, junk):
        for body in (ENDPOINTS[path](text, junk), junk):
            r = httpx.post(served.url + path, content=json.dumps(body).encode(), headers=tech_headers, timeout=120)
            assert r.status_code < 500, f"{r.status_code} for {body!r}: {r.text[:300]}"
            r.json()  # every answer, error or not, is valid JSON

    run()
    assert served.alive()


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_raw_bytes_bodies_never_5xx(served, tech_headers, path):
    @FUZZ
    @given(raw=st.binary(max_size=500))
    def run(raw):
        r = httpx.post(served.url + path, content=raw, headers=tech_headers, timeout=120)
        assert r.status_code < 500, f"{r.status_code} for {raw!r}"

    run()
    assert served.alive()


def test_fuzzed_machine_ids_never_5xx(served, tech_headers):
    @FUZZ
    @given(mid=st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60))
    def run(mid):
        r = httpx.get(f"{served.url}/api/machines/{quote(mid, safe='')}/status",  # one path segment, '/' too
                      headers=tech_headers, timeout=120)
        assert r.status_code < 500, (mid, r.text[:200])

    run()


@pytest.mark.parametrize("body, status", [
    ({"messages": [{"role": "user", "content": [1, 2]}]}, 422),
    ({"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]}, 422),
    ({"messages": [{"role": "wizard", "content": "hi"}]}, 422),
    ({"messages": [{"role": "assistant", "content": "hi"}]}, 400),
    ({"messages": []}, 422),
])
def test_v1_errors_have_openai_shape(served, tech_headers, body, status):
    r = httpx.post(f"{served.url}/v1/chat/completions", json=body, headers=tech_headers, timeout=60)
    assert r.status_code == status
    err = r.json()["error"]
    assert err["message"] and err["type"] == "invalid_request_error"


def test_lone_surrogates_are_answered_not_500(served, tech_headers):
    for path, body in (("/api/classify", '{"texts": ["pump \\ud800 leaking"], "task": "failure_mode"}'),
                       ("/api/diagnose", '{"log": "P101 \\udcff brg nse", "summary": false}'),
                       ("/api/ask", '{"question": "cavitation \\ud83d?"}')):
        r = httpx.post(served.url + path, content=body.encode(), headers=tech_headers, timeout=120)
        assert r.status_code == 200, (path, r.text[:300])


def test_cli_text_inputs_never_traceback(workspace):
    """Hypothesis over the CLI's text inputs (in-process, on an empty workspace: every path must end in a result
    or a one-line domain error)."""
    from shopfloor.errors import ShopfloorError
    from tests.conftest import CLI

    on_ws = CLI(workspace.root)

    @FUZZ
    @given(text=ANY_TEXT)
    def run(text):
        for args in (["diagnose", text, "--no-llm", "--json"], ["ask", text, "--no-llm", "--json"],
                     ["diagnose", "x", "--machine", text or "m", "--no-llm"]):
            result = on_ws(*args, code=None)
            assert result.exception is None or isinstance(result.exception, (ShopfloorError, SystemExit)), \
                (args, repr(result.exception))

    run()


@pytest.mark.parametrize("argv, stdin", [
    ([b"diagnose", b"P101 brg nse \xff\xfe rumbling", b"--no-llm"], None),
    ([b"diagnose", b"-", b"--no-llm", b"--json"], b"AC-501 motor \xc3\x28 does not start \xed\xa0\x80"),
    ([b"ask", b"cavitation \x80\x81 on the pump?", b"--no-llm"], None),
])
def test_cli_invalid_utf8_argv_and_stdin(demo_workspace, argv, stdin):
    r = subprocess.run([str(SHOPFLOOR).encode(), b"--workspace", str(demo_workspace.root).encode(), *argv],
                       input=stdin or b"", capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in r.stderr
