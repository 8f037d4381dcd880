from __future__ import annotations

import pytest

from shopfloor.assistant import auth
from shopfloor.assistant.policy import Action, Role, User, authorize
from shopfloor.errors import InputError, PermissionDeniedError


def test_users_passwords_tokens_roles(workspace):
    with workspace.connect() as conn:
        assert auth.ensure_admin(conn)[0] == "admin"
        assert auth.ensure_admin(conn) is None  # only on first start
        token = auth.add_user(conn, "tina", "s3cret-pass", "technician")
        stored = conn.execute("SELECT password_hash FROM users WHERE name='tina'").fetchone()[0]
        assert stored.startswith("scrypt$") and "s3cret-pass" not in stored
        assert auth.check_password(conn, "tina", "s3cret-pass").role == Role.technician
        assert auth.check_password(conn, "tina", "wrong-pass") is None
        assert auth.user_for_token(conn, token) == User("tina", Role.technician)
        assert conn.execute("SELECT count(*) FROM audit WHERE action='user_add'").fetchone()[0] == 2
        with pytest.raises(InputError, match="role must be one of"):
            auth.add_user(conn, "x", "long-enough", "boss")
        with pytest.raises(InputError, match="at least 8 characters"):
            auth.add_user(conn, "x", "short", "viewer")
    tech = User("tina", Role.technician)
    authorize(tech, Action.diagnose)
    with pytest.raises(PermissionDeniedError, match=r"tina \(technician\) needs the engineer role to correct a label"):
        authorize(tech, Action.correct_label)


@pytest.mark.parametrize("host, mode, expected", [("127.0.0.1", "auto", False), ("0.0.0.0", "auto", True),
                                                  ("127.0.0.1", "always", True), ("0.0.0.0", "never", False)])
def test_login_required(host, mode, expected):
    assert auth.login_required(host, mode) is expected
