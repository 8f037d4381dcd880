"""Documents limited to a role, over real HTTP and the UI: a viewer never sees an engineers-only passage in chat,
/api/ask, /v1, the UI or the documents list; a technician cannot lift the limit nor see it in Diagnose; an
engineer can read it (so the passage is findable and these checks can fail)."""

from __future__ import annotations

import httpx

SECRET = "4,250 EUR"
QUESTION = "What is the agreed price of the P-101 seal kit under supplier contract SC-7731?"


def _auth(served, name: str) -> dict:
    return {"Authorization": f"Bearer {served.token(name)}"}


def _ask(served, name: str) -> dict:
    r = httpx.post(f"{served.url}/api/ask", json={"question": QUESTION}, headers=_auth(served, name), timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def test_an_engineers_only_document_never_reaches_a_viewer(served, tmp_path):
    from gradio_client import Client, handle_file

    doc = tmp_path / "supplier_contract_SC-7731.md"
    doc.write_text("# Supplier contract SC-7731 (Acme Seals)\n\n## Prices\n\nThe agreed price of the P-101 seal kit "
                   f"under contract SC-7731 is {SECRET} per kit, valid until 2027.\n")
    eng = Client(served.url, auth=("eng", "engineer-pass"), verbose=False)
    eng.predict([handle_file(str(doc))], api_name="/documents_add")
    eng.predict("supplier_contract_SC-7731.md", api_name="/documents_approve")
    try:
        body = {"pattern": "supplier_contract_SC-7731.md", "role": "engineer"}
        refused = httpx.post(f"{served.url}/api/documents/access", json={**body, "role": "viewer"},
                             headers=_auth(served, "tom"), timeout=60)
        assert refused.status_code == 403, refused.text
        ok = httpx.post(f"{served.url}/api/documents/access", json=body, headers=_auth(served, "eng"), timeout=60)
        assert ok.status_code == 200 and "engineer and above" in ok.json()["result"], ok.text

        assert SECRET in _ask(served, "eng")["answer"]  # the engineer reads it: the passage is findable
        viewer = _ask(served, "vic")
        assert SECRET not in str(viewer) and "SC-7731.md" not in str(viewer["citations"])
        v1 = httpx.post(f"{served.url}/v1/chat/completions", headers=_auth(served, "vic"), timeout=120,
                        json={"messages": [{"role": "user", "content": QUESTION}]}).json()
        assert SECRET not in str(v1)
        listed = httpx.get(f"{served.url}/api/documents", headers=_auth(served, "vic"), timeout=60).json()
        assert all("SC-7731" not in d["source"] for d in listed["documents"])
        d = httpx.post(f"{served.url}/api/diagnose", headers=_auth(served, "tom"), timeout=120,
                       json={"log": "P-101 seal kit SC-7731 agreed price per kit", "summary": False}).json()
        assert SECRET not in str(d)
        ui = Client(served.url, auth=("vic", "viewer-pass-1"), verbose=False).predict(QUESTION, [], api_name="/chat")
        assert SECRET not in str(ui)
        with served.db() as conn:
            row = conn.execute("SELECT user, detail FROM audit WHERE action = 'restrict_document' "
                               "ORDER BY id DESC").fetchone()
        assert tuple(row) == ("eng", "supplier_contract_SC-7731.md -> engineer")
    finally:
        httpx.post(f"{served.url}/api/documents/access", json={"pattern": "supplier_contract_SC-7731.md",
                                                               "role": "viewer"}, headers=_auth(served, "eng"))
        eng.predict("supplier_contract_SC-7731.md", api_name="/documents_remove")
