"""The Gradio UI driven in headless Chromium against a real server: every tab, no request leaves the machine."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopfloor.assistant.policy import LOCAL_USER
from tests.assistant.serving import serving
from tests.conftest import copy_workspace

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(demo_workspace, tmp_path_factory):
    from shopfloor.assistant.api.app import create_app
    from shopfloor.assistant.pipeline import Assistant
    from shopfloor.workspace import Workspace

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium not installed (make browser)")
    root = tmp_path_factory.mktemp("ui") / "ws"
    copy_workspace(demo_workspace, root)
    a = Assistant(Workspace.open(root), use_llm=False)
    with serving(create_app(a)) as url:
        yield f"{url}/", a


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    url, _ = server
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        pg = browser.new_page(viewport={"width": 1300, "height": 1000})
        pg.on("request", lambda r: outside.append(r.url)
              if not r.url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")) else None)
        pg.goto(url, wait_until="domcontentloaded")
        pg.wait_for_selector("#chat-input textarea", timeout=60_000)
        pg.outside = outside
        yield pg
        browser.close()


def _wait_text(page, selector: str, text: str, timeout: int = 90_000) -> None:
    page.wait_for_function("([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
                           arg=[selector, text], timeout=timeout)


def test_chat_answers_with_citations_and_takes_feedback(page, server, artifacts_dir):
    _, a = server
    page.fill("#chat-input textarea", "What causes cavitation on the cooling water pump?")
    page.click("#chat-send")
    _wait_text(page, "#chatbot", "ST-2")
    _wait_text(page, "#chatbot", "Sources (")  # listed under the answer, collapsed
    marker = page.locator("#chatbot a[href^='#src-']").first  # an [n] marker links to its source
    target = marker.get_attribute("href")[1:]
    marker.click()  # opens the sources and scrolls to that one
    page.wait_for_function("id => { const e = document.getElementById(id); return e && e.offsetParent !== null "
                           "&& e.innerText.includes('P-101.md'); }", arg=target, timeout=10_000)
    page.click("#thumbs-up")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "ui_chat.png"), full_page=True)
    with a.ws.connect() as conn:
        assert conn.execute("SELECT count(*) FROM feedback WHERE rating = 1").fetchone()[0] == 1


def test_a_refusal_looks_like_one(page, artifacts_dir):
    """A question the documents do not answer: the first line says so in bold, and the passages under it are
    labelled as related, not as sources of an answer."""
    page.fill("#chat-input textarea", "What tyre pressure should the haul truck front tyres run at?")
    page.click("#chat-send")
    _wait_text(page, "#chatbot", "Related passages, not an answer")
    assert page.locator("#chatbot strong", has_text="Not in your documents.").count() >= 1
    page.screenshot(path=str(artifacts_dir / "ui_chat_refusal.png"), full_page=True)


def test_diagnose_tab(page, artifacts_dir):
    page.get_by_role("tab", name="Diagnose").click()
    page.fill("#diag-log textarea", "HP601 ram drifts down under load, oil on rod E-120")
    page.click("#diag-go")
    _wait_text(page, "#diag-card", "hydraulic_leak")
    _wait_text(page, "#diag-card", "Similar past incidents")
    page.screenshot(path=str(artifacts_dir / "ui_diagnose.png"), full_page=True)


def test_batch_tab_labels_an_upload_and_takes_a_correction(page, server, artifacts_dir, tmp_path_factory):
    import pandas as pd

    f = tmp_path_factory.mktemp("up") / "complaints.csv"
    pd.DataFrame({"id": [1, 2, 3], "text": ["box label wrong, quantity short", "deep scratches on the cover plate",
                                            ""]}).to_csv(f, index=False)
    page.get_by_role("tab", name="Batch").click()
    page.set_input_files("#batch-file input[type=file]", str(f))
    page.wait_for_timeout(3000)
    page.click("#batch-run")
    _wait_text(page, "#batch-summary", "rows")
    _wait_text(page, "#batch-summary", "need review")
    _, a = server
    queue, total = a.reviews.page("complaint_category", user=LOCAL_USER)
    assert queue and total >= 1, "the empty row at least must be queued for review"
    _wait_text(page, "#review-page", "waiting")
    import re

    # click the row (its id cell): no id is typed anywhere
    _review_by_click(page, "review", re.compile(rf"^{queue[0].id}$"), "packaging_labelling")
    page.screenshot(path=str(artifacts_dir / "ui_batch.png"), full_page=True)
    with a.ws.connect() as conn:
        row = conn.execute("SELECT label, user FROM reviews WHERE classification_id = ?", (queue[0].id,)).fetchone()
    assert tuple(row) == ("packaging_labelling", "local")


def _review_by_click(page, prefix: str, row, label: str) -> None:
    """The review widget (``prefix``: its elem_id prefix) as a person uses it: click the queue row matching ``row``,
    pick ``label`` in the label box, save, and wait for the confirmation."""
    page.locator(f"#{prefix}-queue span").filter(has_text=row).first.click()
    _wait_text(page, f"#{prefix}-note", "the model said")
    page.fill(f"#{prefix}-label input", label)
    page.keyboard.press("Enter")
    page.click(f"#{prefix}-save")
    _wait_text(page, f"#{prefix}-note", "Saved")
    page.wait_for_timeout(1000)


def test_inspect_tab_photos_heatmaps_and_a_review(page, server, artifacts_dir):
    _, a = server
    samples = a.ws.root / "vision" / "samples"
    page.get_by_role("tab", name="Inspect").click()
    page.set_input_files("#inspect-files input[type=file]",
                         [str(samples / n) for n in ("crack_000.png", "clean_000.png", "scratch_001.png")])
    page.wait_for_timeout(2000)
    page.click("#inspect-go")
    _wait_text(page, "#inspect-summary", "3 photos")
    page.wait_for_selector("#inspect-gallery img", timeout=30_000)
    _wait_text(page, "#inspect-results", "crack_000.png")
    with a.ws.connect() as conn:  # as if the model had been unsure about the scratch
        conn.execute("UPDATE inspections SET needs_review = 1 WHERE image = 'scratch_001.png'")
    page.click("#inspect-prev")  # page 0 again: the queue is read afresh
    _wait_text(page, "#inspect-queue", "scratch_001.png")
    _review_by_click(page, "inspect", "scratch_001.png", "scratch")
    page.screenshot(path=str(artifacts_dir / "ui_inspect.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # an inspector's phone
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "ui_inspect_phone.png"), full_page=True)
    page.set_viewport_size({"width": 1300, "height": 1000})
    with a.ws.connect() as conn:
        row = conn.execute("SELECT r.label, r.user FROM reviews r JOIN inspections i ON r.inspection_id = i.id "
                           "WHERE i.image = 'scratch_001.png' ORDER BY r.id DESC").fetchone()
    assert tuple(row) == ("scratch", "local")


def test_diagnose_with_a_photo(page, server, artifacts_dir):
    _, a = server
    page.get_by_role("tab", name="Diagnose").click()
    page.fill("#diag-log textarea", "pitting on the P-101 shaft sleeve, brg nse")
    page.set_input_files("#diag-photo input[type=file]", str(a.ws.root / "vision" / "samples" / "pit_001.png"))
    page.wait_for_timeout(2000)
    page.click("#diag-go")
    _wait_text(page, "#diag-card", "Photo")
    _wait_text(page, "#diag-card", "pit")
    page.wait_for_selector("#diag-photo-out img", timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "ui_diagnose_photo.png"), full_page=True)


def test_machines_tab_shows_status_and_charts(page, artifacts_dir):
    page.get_by_role("tab", name="Machines").click()
    # the fleet opens worst first: HP-601, the press the demo generator degrades, with open alarms
    _wait_text(page, "#fleet-table", "HP-601")
    _wait_text(page, "#fleet-note", "alarming")
    page.locator("#fleet-table span").filter(has_text="HP-601").first.click()  # a row opens that machine
    _wait_text(page, "#machine-status", "Remaining useful life")
    _wait_text(page, "#machine-alarms", "Torque [Nm] high")
    _wait_text(page, "#machine-alarms", "can lead to: overstrain")
    page.wait_for_selector("#machine-charts img", timeout=30_000)
    page.click("#alarm-wo")  # the open alarm becomes a work order (no CMMS here: it waits in the outbox)
    _wait_text(page, "#alarm-ack-msg", "Work order")
    _wait_text(page, "#alarm-ack-msg", "P1: open control-chart alarm on HP-601")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts_dir / "ui_machines.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a technician's phone
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "ui_machines_phone.png"), full_page=True)
    page.set_viewport_size({"width": 1300, "height": 1000})


def test_trends_tab_opens_the_rising_label_of_a_german_export(page, artifacts_dir, tmp_path_factory):
    import pandas as pd

    rows = []
    for m in range(1, 7):
        rows += [(f"2026-{m:02d}-0{d}", "bearing noise", f"pump rumbling from the bearing housing #{d}")
                 for d in range(1, 3)]
        rows += [(f"2026-{m:02d}-0{d}", "leak", f"seal dripping at the gland #{d}") for d in range(3, 9)]
    rows += [("2026-06-20", "cavitation", f"crackling noise and low flow at the pump, case {i}") for i in range(7)]
    f = tmp_path_factory.mktemp("trends") / "reklamationen.csv"
    pd.DataFrame(rows, columns=["Datum", "Fehlerart", "Beschreibung"]).to_csv(f, index=False)
    page.get_by_role("tab", name="Trends").click()
    page.get_by_text("Or from a file").click()
    page.set_input_files("#trends-file input[type=file]", str(f))
    page.wait_for_timeout(3000)  # the preview guesses the date column (Datum) and the text column
    page.fill("#trends-label-col input", "Fehlerart")
    page.keyboard.press("Enter")
    page.click("#trends-show-file")
    _wait_text(page, "#trends-summary", "rising in 2026-06")
    page.locator("#trends-table span").filter(has_text="cavitation").first.click()  # a rising row opens its point
    _wait_text(page, "#trends-opened", "cavitation in 2026-06: 7 of 15 rows")
    _wait_text(page, "#trends-opened", "ST-2")  # the pump manual's strainer fix, cited
    _wait_text(page, "#trends-rows", "case 6")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "ui_trends.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts_dir / "ui_trends_phone.png"), full_page=True)
    page.set_viewport_size({"width": 1300, "height": 1000})


def test_knowledge_and_admin_tabs_render(page, artifacts_dir):
    page.get_by_role("tab", name="Knowledge").click()
    _wait_text(page, "body", "P-101.md", timeout=30_000)
    page.get_by_role("tab", name="Admin").click()
    _wait_text(page, "body", "Retrain with reviewed labels", timeout=30_000)
    page.screenshot(path=str(artifacts_dir / "ui_admin.png"), full_page=True)


def test_a_chinese_browser_gets_the_chinese_ui(page, server, artifacts_dir):
    """The UI's fixed words follow the browser's language (server.ui_language: auto): a zh-CN browser on a phone."""
    url, _ = server
    ctx = page.context.browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 900})
    try:
        pg = ctx.new_page()
        pg.goto(url, wait_until="domcontentloaded")
        pg.wait_for_selector("#chat-send", timeout=60_000)
        _wait_text(pg, "#chat-send", "发送", timeout=30_000)
        _wait_text(pg, "body", "离线质量助手", timeout=30_000)
        pg.screenshot(path=str(artifacts_dir / "ui_chat_zh_phone.png"))
    finally:
        ctx.close()


def test_page_asked_nothing_of_the_internet(page):
    assert page.outside == []
