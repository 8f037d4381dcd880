"""The dependencies every route declares: the facade the app serves and the user asking (Bearer token, or the
local user when login is off). :func:`~shopfloor.assistant.api.app.create_app` puts the facade, the login switch
and the login limiter on ``app.state``; routes are module-level and read them through these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Header, HTTPException, Request

from shopfloor.assistant import auth
from shopfloor.assistant.policy import LOCAL_USER, User

if TYPE_CHECKING:
    from shopfloor.assistant.pipeline.assistant import Assistant


def the_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


def the_limiter(request: Request) -> auth.LoginLimiter:
    return request.app.state.limiter


def current_user(request: Request, authorization: str | None = Header(None)) -> User:
    """Who is asking: the local user without login; else the owner of a live Bearer token (401 otherwise)."""
    if not request.app.state.login_required:
        return LOCAL_USER
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "missing Bearer token (POST /api/login to get one)")
    user = request.app.state.assistant.users.by_token(authorization.split(" ", 1)[1].strip())
    if user is None:
        raise HTTPException(401, "invalid, expired or revoked token")
    return user
