"""The REST API under /api: thin routes over the Assistant facade, each with its response model.

Who may call what is decided by the facade (:mod:`shopfloor.assistant.policy`); a route only passes
the user that :func:`~shopfloor.assistant.api.deps.current_user` found (Bearer token, or the local user when login
is off) to the facade :func:`~shopfloor.assistant.api.deps.the_assistant` gives it. ``router`` is module-level.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile

from shopfloor.assistant import auth
from shopfloor.assistant.api.deps import current_user, the_assistant, the_limiter
from shopfloor.assistant.api.guard import CLIENT
from shopfloor.assistant.api.schemas import (
    AcknowledgeRequest,
    AlarmOut,
    Alarms,
    ApproveRequest,
    AskRequest,
    AuditLog,
    ClassifyRequest,
    ClassifyResponse,
    DiagnoseRequest,
    DocumentApproved,
    Documents,
    Fleet,
    Health,
    InspectionCorrected,
    InspectionCorrection,
    InspectionQueue,
    InspectResponse,
    LoginRequest,
    LoginResponse,
    Machines,
    Me,
    Restricted,
    RestrictRequest,
    ReviewCorrection,
    ReviewQueue,
    ReviewSaved,
    Tasks,
    WorkOrderList,
    WorkOrderRequest,
)
from shopfloor.assistant.pipeline.assistant import Assistant
from shopfloor.assistant.pipeline.diagnose import Diagnosis
from shopfloor.assistant.pipeline.drilldown import LabelRows
from shopfloor.assistant.pipeline.events import Answer
from shopfloor.assistant.pipeline.report8d import Report8D
from shopfloor.assistant.pipeline.results import MachineStatus, OutboxReport, TrendReport, WorkOrder
from shopfloor.assistant.policy import User


class DiagnoseResponse(Diagnosis):
    markdown: str


router = APIRouter(tags=["api"])
Caller = Annotated[User, Depends(current_user)]  # who asks (401 without a live token when login is on)
Facade = Annotated[Assistant, Depends(the_assistant)]  # the facade the app serves


@router.get("/api/health", response_model=Health)
def health():
    return {"status": "ok"}


@router.post("/api/login", response_model=LoginResponse)
def login(req: LoginRequest, request: Request, assistant: Facade,
          limiter: Annotated[auth.LoginLimiter, Depends(the_limiter)]):
    cfg = assistant.ws.config.server
    user, token = assistant.users.sign_in_for_token(req.name, req.password, limiter, CLIENT.get(), cfg.token_ttl_hours)
    return {"token": token, "role": user.role.value, "expires_in_s": int(cfg.token_ttl_hours * 3600)}


@router.get("/api/me", response_model=Me)
def me(user: Caller, assistant: Facade):
    return {"name": user.name, "role": user.role.value}


@router.post("/api/diagnose", response_model=DiagnoseResponse)
def diagnose(user: Caller, assistant: Facade, req: DiagnoseRequest):
    photo = None
    if req.photo_base64:
        import base64
        import binascii

        from shopfloor.errors import InputError

        try:
            photo = (req.photo_name or "photo", base64.b64decode(req.photo_base64, validate=True))
        except (binascii.Error, ValueError):
            raise InputError("photo_base64 is not valid base64") from None
    d = assistant.diagnose(req.log, req.machine_id, summary=req.summary, photo=photo, user=user)
    return {**d.model_dump(), "markdown": d.to_markdown()}


@router.post("/api/inspect", response_model=InspectResponse)
def inspect(user: Caller, assistant: Facade,
            files: list[UploadFile] = File(..., description="Photos (JPEG/PNG/...), several allowed."),
            heatmaps: bool = False):
    from shopfloor.assistant.policy import Action, authorize

    authorize(user, Action.inspect)  # before reading any upload
    with tempfile.TemporaryDirectory(prefix="shopfloor-inspect-") as tmp:
        items = _spooled(files, Path(tmp))  # on disk: photos are read one at a time, never all at once
        results = assistant.inspection.run(items, source="api", user=user)
        out = [{**r.model_dump(), "heatmap_png_base64": _overlay_png(path, r.heatmap)
                if heatmaps and r.heatmap is not None else None}
               for r, (_, path) in zip(results, items, strict=True)]  # by position: names may repeat
    return {"results": out, "needs_review": sum(1 for r in results if r.needs_review),
            "anomalous": sum(1 for r in results if r.anomalous), "errors": sum(1 for r in results if r.error)}


@router.get("/api/inspect/reviews", response_model=InspectionQueue)
def inspection_queue(user: Caller, assistant: Facade, limit: int = 20, offset: int = 0):
    items, total = assistant.reviews.page("inspection", max(1, min(limit, 200)), max(0, offset), user=user)
    return {"total": total, "items": items}


@router.post("/api/inspect/reviews", response_model=InspectionCorrected)
def inspection_correct(user: Caller, assistant: Facade, req: InspectionCorrection):
    return assistant.reviews.correct("inspection", req.id, req.label, user=user)


@router.post("/api/classify", response_model=ClassifyResponse)
def classify(user: Caller, assistant: Facade, req: ClassifyRequest):
    return {"task": req.task or assistant.ws.config.classifier.default_task,
            "predictions": assistant.texts.classify(req.texts, req.task, user=user)}


@router.get("/api/reviews", response_model=ReviewQueue)
def review_queue(user: Caller, assistant: Facade, task: str | None = None, limit: int = 50, offset: int = 0):
    items, total = assistant.reviews.page(task, max(1, min(limit, 500)), max(0, offset), user=user)
    return {"total": total, "items": items, "cold_start": assistant.texts.cold_start_check(task, user=user) if task
            else None}


@router.post("/api/reviews", response_model=ReviewSaved)
def review_save(user: Caller, assistant: Facade, req: ReviewCorrection):
    return assistant.reviews.correct(None, req.id, req.label, req.new_label, user=user)  # the row's own task


@router.post("/api/ask", response_model=Answer)
def ask(user: Caller, assistant: Facade, req: AskRequest):
    return assistant.answer(req.question, [t.model_dump() for t in req.history], user=user)


@router.get("/api/machines", response_model=Machines)
def machines(user: Caller, assistant: Facade):
    return {"machines": assistant.machines.known(user=user)}


@router.get("/api/machines/{machine_id}/status", response_model=MachineStatus)
def machine_status(user: Caller, assistant: Facade, machine_id: str):
    return assistant.machines.status(machine_id, user=user)


@router.get("/api/fleet", response_model=Fleet)
def fleet(user: Caller, assistant: Facade):
    return {"machines": assistant.machines.fleet(user=user)}


@router.get("/api/alarms", response_model=Alarms)
def alarms(user: Caller, assistant: Facade,
           state: Literal["open", "acknowledged"] | None = None, machine: str | None = None):
    return {"alarms": assistant.machines.alarms(state, machine, user=user)}


@router.post("/api/alarms/{alarm_id}/acknowledge", response_model=AlarmOut)
def acknowledge(user: Caller, assistant: Facade, alarm_id: int, req: AcknowledgeRequest | None = None):
    return assistant.machines.acknowledge(alarm_id, req.note if req else "", user=user)


@router.post("/api/workorders", response_model=WorkOrder)
def workorder_create(user: Caller, assistant: Facade, req: WorkOrderRequest):
    if req.alarm_id is not None:
        return assistant.workorders.create_from_alarm(req.alarm_id, user=user)
    return assistant.workorders.create(req.log or "", req.machine_id, user=user)


@router.get("/api/workorders", response_model=WorkOrderList)
def workorder_list(user: Caller, assistant: Facade, limit: int = 100):
    return {"workorders": assistant.workorders.known(max(1, min(limit, 1000)), user=user)}


@router.post("/api/workorders/send", response_model=OutboxReport)
def workorder_send(user: Caller, assistant: Facade):
    return assistant.workorders.send(user=user)


@router.get("/api/tasks", response_model=Tasks)
def tasks(user: Caller, assistant: Facade):
    return {"tasks": assistant.texts.tasks(user=user), "sources": len(assistant.knowledge.sources(user=user))}


@router.get("/api/trends", response_model=TrendReport)
def trends(user: Caller, assistant: Facade,
           task: str, period: Literal["week", "month"] = "month", chart: Literal["laney", "p"] = "laney"):
    return assistant.quality.trends(task, period, chart, user=user)


@router.get("/api/trends/rows", response_model=LabelRows)
def trend_rows(user: Caller, assistant: Facade,
               task: str, label: str, period: Literal["week", "month"] = "month", at: str | None = None):
    return assistant.quality.label_rows(task, label, period, at, user=user)


@router.get("/api/report", response_model=Report8D)
def report_8d(user: Caller, assistant: Facade, task: str, label: str, period: Literal["week", "month"] = "month"):
    return assistant.quality.report_8d(task, label, period, user=user)


@router.get("/api/documents", response_model=Documents)
def documents(user: Caller, assistant: Facade):
    return {"documents": assistant.knowledge.sources(user=user)}


@router.post("/api/documents/approve", response_model=DocumentApproved)
def approve_document(user: Caller, assistant: Facade, req: ApproveRequest):
    rec = assistant.knowledge.approve(req.source, user=user)
    return {"source": rec.source, "reviewed_by": rec.reviewed_by, "reviewed_at": rec.reviewed_at}


@router.post("/api/documents/access", response_model=Restricted)
def restrict_document(user: Caller, assistant: Facade, req: RestrictRequest):
    return {"result": assistant.knowledge.restrict(req.pattern, req.role, user=user)}


@router.get("/api/audit", response_model=AuditLog)
def audit_log(user: Caller, assistant: Facade, limit: int = 100):
    return {"audit": assistant.users.audit_log(max(1, min(limit, 1000)), user=user)}



def _spooled(files: list[UploadFile], folder: Path) -> list[tuple[str, Path]]:
    """(name, path) of each upload, copied in 1 MB pieces to ``folder`` under its position (names may repeat)."""
    import shutil

    out = []
    for i, f in enumerate(files):
        path = folder / f"{i:05d}"
        with path.open("wb") as dst:
            shutil.copyfileobj(f.file, dst, 1 << 20)
        out.append((f.filename or f"photo{i + 1}", path))
    return out


def _overlay_png(data: bytes | Path, heatmap) -> str:
    """The photo with its heatmap blended over it, as base64 PNG."""
    import base64
    import io

    from PIL import Image

    from shopfloor.assistant.pipeline.uploads import with_heatmap

    buf = io.BytesIO()
    Image.fromarray(with_heatmap(data, heatmap)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()
