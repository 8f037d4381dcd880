"""Beyond localhost the UI asks for a login; a technician can log in and use the app."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import copy_workspace

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


def test_login_then_chat(demo_workspace, tmp_path, artifacts_dir):
    import uvicorn
    from playwright.sync_api import sync_playwright

    from shopfloor.assistant import auth
    from shopfloor.assistant.api.app import create_app
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.workspace import Workspace

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed (make browser)")
    root = tmp_path / "ws"
    copy_workspace(demo_workspace, root)
    a = Assistant(Workspace.open(root), use_llm=False)
    with a.ws.connect() as conn:
        auth.add_user(conn, "tina", "tina-password", "technician")
        auth.add_user(conn, "vic", "viewer-password", "viewer")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(a, login_required=True), host="127.0.0.1", port=port,
                                        log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    while not srv.started:
        time.sleep(0.1)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            page.wait_for_selector("input[type=password]", timeout=60_000)
            assert page.locator("#chat-input").count() == 0  # nothing of the app before login
            page.locator("input:not([type=password])").first.fill("tina")
            page.fill("input[type=password]", "wrong-password")
            page.get_by_role("button", name="Login").click()
            page.get_by_text("Incorrect Credentials").wait_for(timeout=30_000)
            assert page.locator("#chat-input").count() == 0
            page.locator("input:not([type=password])").first.fill("tina")  # the form clears the name
            page.fill("input[type=password]", "tina-password")
            page.get_by_role("button", name="Login").click()
            page.wait_for_selector("#chat-input textarea", timeout=60_000)
            page.fill("#chat-input textarea", "How do I fix a slipping conveyor belt?")
            page.click("#chat-send")
            page.wait_for_function("document.querySelector('#chatbot').innerText.includes('[1]')", timeout=60_000)
            page.screenshot(path=str(artifacts_dir / "ui_after_login.png"), full_page=True)
            page.get_by_text("Signed in as tina (technician)").wait_for(timeout=30_000)
            page.get_by_role("tab", name="Admin").click()  # a technician sees what Admin needs, not its forms
            page.get_by_text("The Admin tab needs the admin role").wait_for(timeout=30_000)
            assert not page.locator("#admin-user-add").is_visible()
            page.get_by_role("tab", name="Diagnose").click()
            assert page.locator("#diag-go").is_visible()
            page.get_by_role("tab", name="Inspect").click()  # a technician inspects photos
            assert page.locator("#inspect-go").is_visible()
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(f"http://127.0.0.1:{port}/", wait_until="domcontentloaded")
            phone.wait_for_selector("input[type=password]", timeout=60_000)
            phone.locator("input:not([type=password])").first.fill("vic")
            phone.fill("input[type=password]", "viewer-password")
            phone.get_by_role("button", name="Login").click()
            phone.get_by_text("Signed in as vic (viewer)").wait_for(timeout=60_000)
            phone.get_by_role("tab", name="Diagnose").click()  # a viewer: chat, machines, knowledge
            phone.get_by_text("The Diagnose tab needs the technician role").wait_for(timeout=30_000)
            assert not phone.locator("#diag-go").is_visible()
            phone.get_by_role("button", name="More tabs").click()  # a phone shows three tabs, the rest behind "..."
            phone.locator(".overflow-menu").get_by_text("Inspect", exact=True).click()
            phone.get_by_text("The Inspect tab needs the technician role").wait_for(timeout=30_000)
            assert not phone.locator("#inspect-go").is_visible()
            phone.screenshot(path=str(artifacts_dir / "ui_viewer_phone.png"), full_page=True)
            browser.close()
    finally:
        srv.should_exit = True
        t.join(timeout=10)
