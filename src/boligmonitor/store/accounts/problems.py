"""What is wrong with an account change, named by field and by a code the web translates."""

from __future__ import annotations


class AccountError(ValueError):
    """A refused account change: ``field`` names the form field or command-line argument, ``code`` the problem
    (the web shows the text ``auth.problem.<code>`` in the page's language, with ``values`` filled in), and the
    message says the same in English for the command line and logs. Nothing was written."""

    def __init__(self, field: str, code: str, message: str, **values: str | int) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message
        self.values = values


__all__ = ["AccountError"]
