"""HTTP hygiene against the real server process: body limits hold for chunked bodies (with a memory ceiling),
the Host header is checked, security headers are set, /docs works offline, the banner names the bound address."""

from __future__ import annotations

import re
import socket
import subprocess
import time

import httpx
import pytest

from tests.security.conftest import SHOPFLOOR, free_port


def _rss_mb(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 1e6


def _send_chunked(url: str, path: str, total_mb: int) -> tuple[int, int]:
    """POST ``total_mb`` MB as a chunked body over a raw socket; returns (HTTP status, bytes the server took)."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    chunk = b"x" * (1 << 20)
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n".encode())
        try:
            for _ in range(total_mb):
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: it stopped reading, as it should
        s.settimeout(30)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                piece = s.recv(65536)
                if not piece:
                    break
                data += piece
        except (ConnectionResetError, TimeoutError):
            pass
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1") else 0
    return status, sent


@pytest.mark.parametrize("path", ["/api/diagnose", "/v1/chat/completions", "/gradio_api/queue/join"])
def test_chunked_300mb_body_is_refused_without_reading_it(served, path):
    before = _rss_mb(served.proc.pid)
    status, _ = _send_chunked(served.url, path, 300)
    assert status == 413
    assert _rss_mb(served.proc.pid) - before < 150  # before the fix the server grew by ~2 GB
    assert served.alive()


def test_declared_oversized_body_is_413_before_it_is_sent(served):
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as s:
        s.sendall(f"POST /api/ask HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                  "Content-Length: 6000000\r\n\r\n".encode())  # the headers only: the answer must not wait
        answer = s.recv(65536)
    assert answer.startswith(b"HTTP/1.1 413") and len(answer) < 2000


def test_validation_errors_do_not_echo_the_input(served):
    token = served.token("vic")
    big = "y" * 200_000
    r = httpx.post(f"{served.url}/api/ask", json={"question": big}, headers={"Authorization": f"Bearer {token}"},
                   timeout=60)
    assert r.status_code == 422 and big[:1000] not in r.text and len(r.content) < 5000


@pytest.mark.parametrize("host", ["evil.example.com", "attacker.test:7860", "169.254.169.254"])
def test_foreign_host_header_is_refused(served, host):
    r = httpx.get(f"{served.url}/api/health", headers={"Host": host}, timeout=30)
    assert r.status_code == 400 and "allowed_hosts" in r.json()["detail"]
    assert httpx.get(f"{served.url}/api/health", headers={"Host": "localhost"}, timeout=30).status_code == 200


@pytest.mark.parametrize("path", ["/", "/api/health", "/docs"])
def test_security_headers(served, path):
    r = httpx.get(served.url + path, timeout=30)
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "img-src 'self' data: blob:" in csp


def test_docs_work_offline(served):
    html = httpx.get(f"{served.url}/docs", timeout=30).text
    outside = [u for u in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if u.startswith(("http:", "https:", "//"))]
    assert outside == []
    for asset in re.findall(r"""(?:src|href)=["'](/docs-assets/[^"']+)""", html):
        assert httpx.get(served.url + asset, timeout=30).status_code == 200
    assert httpx.get(f"{served.url}/openapi.json", timeout=30).json()["info"]["title"] == "shopfloor"


def test_banner_names_the_bound_address(served):
    log = served.log.read_text()
    port = served.url.rsplit(":", 1)[1]
    assert f"listening on http://127.0.0.1:{port}" in log and "login required" in log


def test_busy_port_is_a_clear_error(served, tmp_path):
    port = served.url.rsplit(":", 1)[1]
    r = subprocess.run([str(SHOPFLOOR), "--workspace", str(tmp_path / "ws"), "serve", "--port", port, "--no-llm"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr


def test_all_interfaces_banner(tmp_path):
    port = free_port()
    proc = subprocess.Popen([str(SHOPFLOOR), "--workspace", str(tmp_path / "ws"), "serve", "--host", "0.0.0.0",
                             "--port", str(port), "--no-llm"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, out = time.time() + 180, ""
        while time.time() < deadline and "listening on" not in out:
            line = proc.stdout.readline()
            if not line:
                break
            out += line
        assert f"listening on http://0.0.0.0:{port} (all interfaces); login required" in out
        assert "Created user 'admin' with password:" in out
    finally:
        proc.terminate()
        proc.wait(timeout=30)
