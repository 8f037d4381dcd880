"""The server: REST API under /api, OpenAI-compatible /v1, and the Gradio UI mounted at /."""

from __future__ import annotations

import logging

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from assistant import auth
from assistant.api.schemas import AskRequest, ClassifyRequest, DiagnoseRequest, LoginRequest
from assistant.errors import BackendError, InputError, NotBuiltError, PermissionDeniedError, ShopfloorError

log = logging.getLogger(__name__)
MAX_BODY = 5_000_000  # bytes
LOCAL_ADMIN = {"name": "local", "role": "admin"}


def create_app(assistant, login_required: bool = False, ui: bool = True) -> FastAPI:
    """The FastAPI app over ``assistant``; with ``login_required`` every call needs a Bearer token."""
    app = FastAPI(title="shopfloor", version="0.1.0", description="Offline quality assistant for manufacturing.")
    for note in assistant.components.warm_up():
        log.warning("%s", note)

    def current_user(authorization: str | None = Header(None)) -> dict:
        if not login_required:
            return LOCAL_ADMIN
        if not authorization or not authorization.lower().startswith("bearer "):
            raise HTTPException(401, "missing Bearer token (POST /api/login to get one)")
        with assistant.ws.connect() as conn:
            user = auth.user_for_token(conn, authorization.split(" ", 1)[1].strip())
        if user is None:
            raise HTTPException(401, "invalid token")
        return user

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        size = request.headers.get("content-length")
        if size and size.isdigit() and int(size) > MAX_BODY:
            return JSONResponse({"detail": f"request body over {MAX_BODY // 1_000_000} MB"}, status_code=413)
        return await call_next(request)

    @app.exception_handler(ShopfloorError)
    async def domain_error(request: Request, exc: ShopfloorError):
        code = 403 if isinstance(exc, PermissionDeniedError) else 503 if isinstance(exc, NotBuiltError | BackendError) \
            else 404 if isinstance(exc, InputError) and "unknown machine" in str(exc) else 400
        return JSONResponse({"detail": str(exc)}, status_code=code)

    @app.get("/api/health", tags=["api"])
    def health():
        return {"status": "ok", "tasks": assistant.tasks(), "sources": len(assistant.list_sources())}

    @app.post("/api/login", tags=["api"])
    def login(req: LoginRequest):
        with assistant.ws.connect() as conn:
            user = auth.check_password(conn, req.name, req.password)
        if user is None:
            raise HTTPException(401, "wrong name or password")
        return {"token": user["token"], "role": user["role"]}

    @app.post("/api/diagnose", tags=["api"])
    def diagnose(req: DiagnoseRequest, user=Depends(current_user)):
        auth.require(user, "technician")
        d = assistant.diagnose(req.log, req.machine_id, summary=req.summary)
        return {**d.model_dump(), "markdown": d.to_markdown()}

    @app.post("/api/classify", tags=["api"])
    def classify(req: ClassifyRequest, user=Depends(current_user)):
        auth.require(user, "technician")
        return {"task": req.task or assistant.ws.config.classifier.default_task,
                "predictions": assistant.classify_texts(req.texts, req.task)}

    @app.post("/api/ask", tags=["api"])
    def ask(req: AskRequest, user=Depends(current_user)):
        return assistant.answer(req.question, [t.model_dump() for t in req.history])

    @app.get("/api/machines", tags=["api"])
    def machines(user=Depends(current_user)):
        return {"machines": assistant.list_machines()}

    @app.get("/api/machines/{machine_id}/status", tags=["api"])
    def machine_status(machine_id: str, user=Depends(current_user)):
        return assistant.machine_status(machine_id)

    from assistant.api.openai_compat import router

    app.include_router(router(lambda: assistant, current_user))
    if ui:
        _mount_ui(app, assistant, login_required)
    return app


def _mount_ui(app: FastAPI, assistant, login_required: bool) -> None:
    import gradio as gr

    from assistant.ui import build_ui
    from assistant.ui.app import CSS

    def check(name: str, password: str) -> bool:
        with assistant.ws.connect() as conn:
            return auth.check_password(conn, name, password) is not None

    gr.mount_gradio_app(app, build_ui(assistant), path="/", auth=check if login_required else None,
                        allowed_paths=[str(assistant.ws.root)], ssr_mode=False, footer_links=[], css=CSS)
