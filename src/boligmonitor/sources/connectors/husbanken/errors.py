"""What can go wrong talking to Husbanken's Qlik engine, and which failures are worth another try."""

from __future__ import annotations

#: Qlik's error code for a calculation or page that is too large (husbanken-qlik.md §3, T-live).
TOO_LARGE = 7009


class QlikError(Exception):
    """Base class of every error of the Husbanken connector."""


class QlikConnectionError(QlikError):
    """The connection failed, closed, timed out or delivered something unreadable: retried on a new session."""


class QlikTimeoutError(QlikConnectionError):
    """No answer within the call time-out."""


class QlikProtocolError(QlikConnectionError):
    """A message that is not JSON-RPC as the engine sends it (malformed JSON, no result and no error)."""


class QlikAuthenticationError(QlikError):
    """The app asked to authenticate (``mustAuthenticate: true``): the anonymous /public proxy is not open."""


class QlikEngineError(QlikError):
    """The engine answered a call with an error object (or a hypercube with ``qError``)."""

    def __init__(self, method: str, code: int | None, message: str, parameter: str = "", what: str = "") -> None:
        self.method = method
        self.code = code
        self.engine_message = message
        self.parameter = parameter
        self.what = what
        text = f"{what + ': ' if what else ''}Qlik {method} failed with error {code}"
        if code == TOO_LARGE:
            text += " (too large: the page or calculation exceeds the engine's limit)"
        if message:
            text += f": {message}"
        if parameter:
            text += f" (parameter {parameter!r})"
        super().__init__(text)

    @property
    def too_large(self) -> bool:
        return self.code == TOO_LARGE


class QlikResponseError(QlikError):
    """A well-formed answer whose content is not what was asked for (wrong columns, rows, titles)."""


class HusbankenFetchError(QlikError):
    """The fetch gave up: names the hypercube, where it stopped, the attempts made and the last problem."""
