"""The server: REST API under /api, OpenAI-compatible /v1, and the Gradio UI mounted at /.

Who may do what is decided by the Assistant facade (:mod:`shopfloor.assistant.policy`); this module only says
who is asking (a Bearer token, or the local user when login is off) and turns domain errors into
HTTP answers. Nothing of the workspace is served as a file: the UI's charts and labelled files are
copied to a separate export folder, and the workspace itself is on Gradio's block list.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from shopfloor.assistant import auth
from shopfloor.assistant.api.guard import Guard, local_host_names
from shopfloor.errors import (
    AuthenticationError,
    BackendError,
    InputError,
    NotBuiltError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ShopfloorError,
)

log = logging.getLogger(__name__)
MAX_BODY = 5_000_000  # bytes, for every request but file uploads


def _outbox(assistant):
    """The app's lifespan: queued work orders are retried in the background while the server runs."""
    import contextlib

    from shopfloor.assistant.pipeline.outbox import Sender

    @contextlib.asynccontextmanager
    async def lifespan(app):
        sender = Sender(assistant.ws).start()
        try:
            yield
        finally:
            sender.stop()

    return lifespan


def create_app(assistant, login_required: bool = False, ui: bool = True,
               allowed_hosts: set[str] | None = None) -> FastAPI:
    """The FastAPI app over ``assistant``; with ``login_required`` every call needs a Bearer token.

    ``allowed_hosts``: Host header names accepted (default: loopback, this machine's names and
    ``server.allowed_hosts`` from config.yaml).
    """
    cfg = assistant.ws.config.server
    app = FastAPI(title="shopfloor", version="0.1.0", description="Offline quality assistant for manufacturing.",
                  docs_url=None, redoc_url=None, lifespan=_outbox(assistant))
    hosts = allowed_hosts if allowed_hosts is not None else local_host_names(cfg.host, cfg.allowed_hosts)
    _cors(app, cfg.cors_origins)
    app.add_middleware(Guard, limits={"/gradio_api/upload": cfg.max_upload_mb * 1_000_000,
                                        "/api/inspect": cfg.max_upload_mb * 1_000_000}, default_limit=MAX_BODY,
                       allowed_hosts=hosts, trusted_proxies=frozenset(cfg.trusted_proxies))
    for note in assistant.components.warm_up():
        log.warning("%s", note)
    limiter = auth.LoginLimiter()

    app.state.assistant, app.state.login_required, app.state.limiter = assistant, login_required, limiter

    _error_handlers(app)
    _offline_docs(app)

    from shopfloor.assistant.api.deps import current_user
    from shopfloor.assistant.api.openai_compat import router as v1_router
    from shopfloor.assistant.api.routes import router as api_router

    app.include_router(api_router)
    app.include_router(v1_router(lambda: assistant, current_user))
    if ui:
        _mount_ui(app, assistant, login_required, limiter)
    return app


def _cors(app: FastAPI, origins: list[str]) -> None:
    """Cross-origin calls only from ``server.cors_origins`` (default none: same origin only).

    Starlette's CORSMiddleware on this app also switches off Gradio's own, which echoes any localhost origin
    with credentials (another local web page could read a logged-in user's answers through the browser).
    """
    from fastapi.middleware.cors import CORSMiddleware

    app.add_middleware(CORSMiddleware, allow_origins=[o.rstrip("/") for o in origins], allow_credentials=True,
                       allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
                       allow_headers=["Authorization", "Content-Type"])


def _status_of(exc: ShopfloorError) -> int:
    if isinstance(exc, RateLimitedError):
        return 429
    if isinstance(exc, AuthenticationError):
        return 401
    if isinstance(exc, PermissionDeniedError):
        return 403
    if isinstance(exc, NotBuiltError | BackendError):
        return 503
    if isinstance(exc, NotFoundError) or isinstance(exc, InputError) and "unknown machine" in str(exc):
        return 404
    return 400


def _body(request: Request, status: int, message, kind: str) -> JSONResponse:
    """The error body: {"detail"} for the REST API, OpenAI's {"error": {...}} under /v1."""
    if request.url.path.startswith("/v1"):
        text = message if isinstance(message, str) else "; ".join(
            f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in message)
        return JSONResponse({"error": {"message": text, "type": kind, "param": None, "code": status}},
                            status_code=status)
    return JSONResponse({"detail": message}, status_code=status)


def _error_handlers(app: FastAPI) -> None:
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(ShopfloorError)
    async def domain_error(request: Request, exc: ShopfloorError):
        status = _status_of(exc)
        kind = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error",
                503: "service_unavailable"}.get(status, "invalid_request_error")
        resp = _body(request, status, str(exc), kind)
        if isinstance(exc, RateLimitedError):
            resp.headers["Retry-After"] = str(exc.retry_after_s)
        return resp

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        # The field and the reason, never the input itself (a 300 MB body is not echoed back).
        errors = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()][:20]
        return _body(request, 422, errors, "invalid_request_error")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        resp = _body(request, exc.status_code, exc.detail, "invalid_request_error" if exc.status_code < 500 else
                     "server_error")
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp


def _offline_docs(app: FastAPI) -> None:
    """/docs with Swagger UI served from this server (fastapi-offline's bundled assets), never from a CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    try:
        import fastapi_offline
    except ImportError:  # the docs are a convenience; the API works without them
        log.warning("fastapi-offline is not installed: /docs is off (pip install fastapi-offline==1.7.7)")
        return
    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-assets", StaticFiles(directory=static), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="shopfloor API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon.png")


def _mount_ui(app: FastAPI, assistant, login_required: bool, limiter: auth.LoginLimiter) -> None:
    import gradio as gr

    from shopfloor.assistant.api.guard import CLIENT
    from shopfloor.assistant.ui import build_ui
    from shopfloor.assistant.ui.app import CSS
    from shopfloor.assistant.ui.i18n import translations

    def check(name: str, password: str) -> bool:
        try:
            assistant.users.sign_in(name, password, limiter, CLIENT.get())
        except PermissionDeniedError:
            return False
        return True

    export_dir = Path(tempfile.mkdtemp(prefix="shopfloor-export-"))
    cfg = assistant.ws.config.server
    gr.mount_gradio_app(app, build_ui(assistant, login_required, export_dir), path="/",
                        auth=check if login_required else None, allowed_paths=[str(export_dir)],
                        blocked_paths=[str(assistant.ws.root.resolve())], ssr_mode=False, footer_links=[], css=CSS,
                        max_file_size=f"{cfg.max_upload_mb}mb", i18n=translations(cfg.ui_language))
    from shopfloor.assistant.api.sessions import UiSessions

    sessions = UiSessions(assistant.users.session_alive)  # Gradio's in-memory logins, checked against the database
    app.routes[-1].app.tokens = sessions  # type: ignore[attr-defined]  # the mounted Gradio app
    assistant.users.on_sign_out(sessions.end)
