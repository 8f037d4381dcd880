"""Delivery of queued work orders to the plant's CMMS: an HTTP POST of the work order as JSON, retried with
back-off, so that nothing is lost while the CMMS is down.

A work order stays ``queued`` while deliveries are retried (after ``cmms.retry_base_s``, doubling, at most an
hour apart) and becomes ``failed`` only when ``cmms.max_attempts`` are spent; ``delivered`` on any 2xx answer.
Each delivery carries an ``Idempotency-Key`` (``shopfloor-workorder-<id>``) so a CMMS that saw a retry twice
can drop the copy. A row is claimed before it is sent, so the server's background sender and a
``shopfloor workorder send`` never deliver the same work order at once.
"""

from __future__ import annotations

import json
import os
import threading
import time

from pydantic import BaseModel, Field

MAX_WAIT_S = 3600.0


class OutboxReport(BaseModel):
    """What one delivery round did."""

    delivered: int = Field(..., description="Work orders the CMMS took just now.")
    pending: int = Field(..., description="Still queued (the CMMS is down, or not configured).")
    failed: int = Field(..., description="Work orders whose retry budget was spent just now.")
    note: str = ""

    def line(self) -> str:
        """One line for people: delivered, still queued, failed (and why nothing was sent)."""
        return (f"delivered {self.delivered}, still queued {self.pending}, failed {self.failed}"
                + (f" ({self.note})" if self.note else ""))


def url(cfg) -> str:
    """The CMMS webhook: ``$SHOPFLOOR_CMMS_URL``, else ``cmms.url`` ('' when neither is set)."""
    return os.environ.get("SHOPFLOOR_CMMS_URL", "").strip() or cfg.url.strip()


def send(ws, force: bool = False, only: int | None = None, now: float | None = None) -> OutboxReport:
    """Try every queued work order that is due (all of them with ``force``; one with ``only``): delivered now,
    still queued, failed now."""
    cfg = ws.config.cmms
    target = url(cfg)
    now = time.time() if now is None else now
    delivered = failed = 0
    if target:
        for wid, attempts, body in _claim(ws, force, only, now, cfg.timeout_s):
            error = _post(target, cfg, wid, body)
            if error is None:
                delivered += 1
            failed += _record(ws, wid, attempts + 1, error, cfg, now)
    with ws.connect() as conn:
        pending = conn.execute("SELECT count(*) FROM workorders WHERE state = 'queued'").fetchone()[0]
    note = "" if target else "no CMMS configured (cmms.url or SHOPFLOOR_CMMS_URL): work orders wait in the outbox"
    return OutboxReport(delivered=delivered, pending=int(pending), failed=failed, note=note)


def _claim(ws, force: bool, only: int | None, now: float, timeout: float) -> list[tuple[int, int, dict]]:
    """(id, attempts, body as drafted) of the due queued rows, each pushed past this delivery's time so no other
    sender takes it."""
    where = "state = 'queued'" + ("" if force else " AND next_attempt_at <= ?") + (" AND id = ?" if only else "")
    args = ([] if force else [now]) + ([only] if only else [])
    out = []
    with ws.connect() as conn:
        for wid, attempts, due, created, payload in conn.execute(
                f"SELECT id, attempts, next_attempt_at, created_at, payload FROM workorders WHERE {where} ORDER BY id",
                args).fetchall():
            cur = conn.execute("UPDATE workorders SET next_attempt_at = ? WHERE id = ? AND state = 'queued' AND "
                               "next_attempt_at = ?", (now + 3 * timeout, wid, due))
            if cur.rowcount == 1:
                out.append((wid, attempts, {"id": wid, "created_at": created, **json.loads(payload)}))
    return out


def _post(target: str, cfg, wid: int, body: dict) -> str | None:
    """POST one work order; None when the CMMS took it (2xx), else why not."""
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json", "Idempotency-Key": f"shopfloor-workorder-{wid}"}
    token = os.environ.get(cfg.token_env, "").strip() if cfg.token_env else ""
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(target, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=cfg.timeout_s) as resp:  # noqa: S310 (the plant's own URL)
            return None if 200 <= resp.status < 300 else f"HTTP {resp.status}"
    except urllib.error.HTTPError as e:
        return f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return f"{type(e).__name__}: {getattr(e, 'reason', e)}"[:300]


def _record(ws, wid: int, attempts: int, error: str | None, cfg, now: float) -> int:
    """Store one delivery's outcome; 1 when the work order has now failed for good."""
    with ws.connect() as conn:
        if error is None:
            conn.execute("UPDATE workorders SET state = 'delivered', attempts = ?, last_error = NULL, "
                         "delivered_at = datetime('now') WHERE id = ?", (attempts, wid))
            return 0
        spent = attempts >= cfg.max_attempts
        wait = min(cfg.retry_base_s * 2 ** (attempts - 1), MAX_WAIT_S)
        conn.execute("UPDATE workorders SET state = ?, attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?",
                     ("failed" if spent else "queued", attempts, error, now + wait, wid))
    return int(spent)


class Sender:
    """The server's background delivery: every ``cmms.send_every_s`` seconds, the due work orders."""

    def __init__(self, ws):
        self.ws, self._stop = ws, threading.Event()
        self._thread = threading.Thread(target=self._run, name="cmms-outbox", daemon=True)

    def start(self) -> Sender:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        import logging

        while not self._stop.wait(self.ws.config.cmms.send_every_s):
            try:
                send(self.ws)
            except Exception:  # a broken database or config must not kill the server's thread
                logging.getLogger(__name__).exception("work-order delivery failed")
