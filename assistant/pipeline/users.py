"""Users: accounts, roles, passwords, tokens, the audit log, and who must be signed out.

``assistant.users`` of the facade; every method but :meth:`Users.set_password` (one's own) needs the admin role.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from shopfloor.assistant.pipeline.service import Service
from shopfloor.assistant.policy import DEFAULT_USER, Action, User, requires
from shopfloor.assistant.safety import clean_text


class AuditRow(BaseModel):
    """One line of the audit log: who did what, when."""

    id: int
    created_at: str
    user: str
    action: str
    detail: str | None = None


class Account(BaseModel):
    """A user as an admin sees them (never a password or a token)."""

    name: str
    role: str
    created_at: str
    live_tokens: int


class Users(Service):
    """The people who may use this workspace, and what they did."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sign_out_hooks: list[Callable[[str], None]] = []

    @requires(Action.view_audit)
    def audit_log(self, limit: int = 100, *, user: User = DEFAULT_USER) -> list[AuditRow]:
        """The latest audit rows, newest first."""
        from shopfloor.db import audit_rows

        with self.ws.connect() as conn:
            return [AuditRow(**r) for r in audit_rows(conn, limit)]

    @requires(Action.manage_users)
    def known(self, *, user: User = DEFAULT_USER) -> list[Account]:
        """Users with role, creation date and number of live tokens."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            return [Account(**r) for r in auth.list_users(conn)]

    @requires(Action.manage_users)
    def add(self, name: str, password: str, role: str, *, user: User = DEFAULT_USER) -> str:
        """Create a user (an existing name is refused); returns their first API token, shown once."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            return auth.add_user(conn, clean_text(name), password, role, by=user.name)

    @requires(Action.change_own_password)
    def set_password(self, name: str, password: str, *, user: User = DEFAULT_USER) -> int:
        """Change a password (one's own; an admin may change anyone's); revokes that user's tokens."""
        from shopfloor.assistant import auth
        from shopfloor.assistant.policy import authorize

        if name != user.name:
            authorize(user, Action.manage_users)
        with self.ws.connect() as conn:
            n = auth.set_password(conn, name, password, by=user.name)
        self._signed_out(name)
        return n

    @requires(Action.manage_users)
    def revoke_tokens(self, name: str, *, user: User = DEFAULT_USER) -> int:
        """Revoke every API token of ``name`` and end their web sessions; returns the number of tokens."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            n = auth.revoke_tokens(conn, name, by=user.name)
        self._signed_out(name)
        return n

    @requires(Action.manage_users)
    def set_role(self, name: str, role: str, *, user: User = DEFAULT_USER) -> None:
        """Change a user's role (audited); their tokens and sessions carry the new role from the next request."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            auth.set_role(conn, name, role, by=user.name)

    # ---- who is asking: these establish the user, so they take none --------------------------------------
    def by_name(self, name: str) -> User | None:
        """The user called ``name`` as stored now (None: no such user any more)."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            return auth.user_by_name(conn, name)

    def by_token(self, token: str) -> User | None:
        """The owner of a live API token (None: unknown, expired or revoked)."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            return auth.user_for_token(conn, token)

    def check_password(self, name: str, password: str) -> User | None:
        """The user when ``password`` is theirs (no rate limit: for a signed-in user confirming it)."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            return auth.check_password(conn, name, password)

    def sign_in(self, name: str, password: str, limiter, client: str | None) -> User:
        """A login: the user, or PermissionDeniedError (wrong password, unknown name, too many tries from
        ``client``); audited."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            return auth.login(conn, limiter, name, password, client)

    def sign_in_for_token(self, name: str, password: str, limiter, client: str | None,
                          ttl_hours: float | None = None) -> tuple[User, str]:
        """A login that returns the user and a new API token (``POST /api/login``), in one transaction."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            user = auth.login(conn, limiter, name, password, client)
            return user, auth.create_token(conn, user.name, label="login", ttl_hours=ttl_hours)

    @requires(Action.manage_users)
    def issue_token(self, name: str, label: str = "api", *, user: User = DEFAULT_USER) -> str:
        """A new API token for an existing user, shown once (an admin's tooling: ``shopfloor user token``)."""
        from shopfloor.assistant import auth
        from shopfloor.errors import NotFoundError

        with self.ws.connect() as conn:
            if auth.user_by_name(conn, name) is None:
                raise NotFoundError(f"no user {name!r}")
            return auth.create_token(conn, name, label=label)

    def first_admin(self) -> tuple[str, str] | None:
        """On a server's first start with login: user 'admin' with a random password, (name, password) shown
        once; None when the workspace has users."""
        from shopfloor.assistant import auth

        with self.ws.connect() as conn:
            return auth.ensure_admin(conn)

    def session_alive(self, name: str, started: float) -> bool:
        """Whether a web session of ``name`` started at ``started`` (epoch seconds) may go on: the user exists and
        has not been signed out since. A fresh connection per look-up (Gradio calls from many threads)."""
        from contextlib import closing

        from shopfloor.assistant import auth

        with closing(self.ws.connect()) as conn:
            return auth.session_alive(conn, name, started)

    def on_sign_out(self, callback: Callable[[str], None]) -> None:
        """Register a callback told the name of a user whose sessions must end (the web UI's logins)."""
        self._sign_out_hooks.append(callback)

    def _signed_out(self, name: str) -> None:
        for hook in self._sign_out_hooks:
            hook(name)
