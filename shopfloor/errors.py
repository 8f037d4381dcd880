"""Domain errors. Library code raises these; only the CLI/UI/API turn them into messages."""

from __future__ import annotations


class ShopfloorError(Exception):
    """Base class for problems the user can fix (bad input, missing model, bad config).

    The CLI prints ``str(error)`` without a traceback and exits with code 2; the API answers
    with a 4xx status. Anything that is *not* a ShopfloorError is a bug and keeps its traceback.
    """

    exit_code = 2


class ConfigError(ShopfloorError):
    """config.yaml is malformed, has an unknown key or a value of the wrong type."""


class ModelNotFoundError(ShopfloorError):
    """A model (embedded package, local folder, trained artifact) cannot be found."""


class InputError(ShopfloorError):
    """An input file, column or value cannot be used; the message says why and what would work."""


class NotFoundError(InputError):
    """A row the caller named by id (alarm, review, photo) does not exist; the API answers 404."""


class NotBuiltError(ShopfloorError):
    """An artifact (index, classifier, sensor model) has not been built yet."""


class BackendError(ShopfloorError):
    """The language-model backend failed, timed out or is unreachable."""


class PermissionDeniedError(ShopfloorError):
    """The current user's role does not allow this action."""


class AuthenticationError(PermissionDeniedError):
    """Wrong name or password, or a missing / invalid token."""


class RateLimitedError(PermissionDeniedError):
    """Too many failed logins; ``retry_after_s`` says when to try again."""

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s
