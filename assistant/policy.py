"""Who may do what: one table of actions and the least role each needs, enforced by the Assistant facade.

The UI, the REST API and the CLI never decide permissions themselves: they say who is asking
(:class:`User`) and the facade checks :data:`MIN_ROLE` before doing anything, so the edges
cannot drift apart. Roles are ordered; each includes the ones before it.

Example:
    >>> authorize(User("vic", Role.viewer), Action.ask)
    >>> authorize(User("vic", Role.viewer), Action.retrain)
    Traceback (most recent call last):
    ...
    shopfloor.errors.PermissionDeniedError: vic (viewer) needs the admin role to retrain a model
"""

from __future__ import annotations

import functools
import getpass
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from shopfloor.errors import PermissionDeniedError


class Role(str, Enum):
    viewer = "viewer"
    technician = "technician"
    engineer = "engineer"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class Action(str, Enum):
    ask = "ask"
    view_machines = "view machines and their status"
    view_trends = "see which labels are rising"
    draft_report = "draft an 8D report"
    acknowledge_alarm = "acknowledge an alarm"
    work_orders = "raise and send work orders"
    feedback = "rate an answer"
    change_own_password = "change their own password"
    diagnose = "diagnose a log"
    classify = "classify texts or files"
    inspect = "inspect photos"
    view_reviews = "see the review queue"
    correct_label = "correct a label"
    upload_document = "add documents to the index"
    remove_document = "remove a document from the index"
    approve_document = "approve a document for use as advice"
    restrict_document = "limit a document to a role"
    import_sensors = "import sensor readings"
    retrain = "retrain a model"
    manage_users = "manage users and tokens"
    view_audit = "read the audit log"


MIN_ROLE: dict[Action, Role] = {
    Action.ask: Role.viewer,
    Action.view_machines: Role.viewer,
    Action.view_trends: Role.viewer,
    Action.draft_report: Role.technician,
    Action.acknowledge_alarm: Role.technician,
    Action.work_orders: Role.technician,
    Action.feedback: Role.viewer,
    Action.change_own_password: Role.viewer,
    Action.diagnose: Role.technician,
    Action.classify: Role.technician,
    Action.inspect: Role.technician,
    Action.view_reviews: Role.technician,
    Action.correct_label: Role.engineer,
    Action.upload_document: Role.engineer,
    Action.remove_document: Role.engineer,
    Action.approve_document: Role.engineer,
    Action.restrict_document: Role.engineer,
    Action.import_sensors: Role.engineer,
    Action.retrain: Role.admin,
    Action.manage_users: Role.admin,
    Action.view_audit: Role.admin,
}


@dataclass(frozen=True)
class User:
    """Someone asking: a logged-in user, the local user (no login on localhost) or the CLI's OS user."""

    name: str
    role: Role

    def __post_init__(self):
        object.__setattr__(self, "role", Role(self.role))

    def can(self, action: Action) -> bool:
        return self.role.rank >= MIN_ROLE[action].rank


LOCAL_USER = User("local", Role.admin)  # the UI/API without login: only ever bound to localhost


def cli_user() -> User:
    """The CLI runs as the OS user who can read the workspace files anyway: admin, audited as ``cli:<name>``."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        name = "unknown"
    return User(f"cli:{name}", Role.admin)


def authorize(user: User | None, action: Action) -> None:
    """Raise :class:`PermissionDeniedError` unless ``user`` may do ``action``."""
    if user is None:
        raise PermissionDeniedError(f"log in first: anonymous users may not {action.value}")
    if not user.can(action):
        raise PermissionDeniedError(f"{user.name} ({user.role.value}) needs the {MIN_ROLE[action].value} role "
                                    f"to {action.value}")


# The default of a facade method's ``user=``: :func:`requires` replaces it with the facade's own default user
# before the method runs (so its body always has a real User); should it ever run undecorated, it is a viewer.
DEFAULT_USER = User("(the facade's default user)", Role.viewer)


def requires(action: Action | Callable[..., Action]):
    """Decorate a facade method taking ``user=`` (default :data:`DEFAULT_USER`): resolve the user (else the
    facade's default) and authorize. ``action`` may be a function of the call's arguments (``self, *args,
    **kwargs``) that names the action, for a method whose permission depends on what it acts on (a review queue).

    The check runs when the method is called, also for generator methods (before the first event).
    """
    def wrap(fn):
        @functools.wraps(fn)
        def inner(self, *args, user: User | None = None, **kwargs):
            who = self.default_user if user is None or user is DEFAULT_USER else user
            authorize(who, action if isinstance(action, Action) else action(self, *args, **kwargs))
            return fn(self, *args, user=who, **kwargs)
        inner.action = action
        return inner
    return wrap
