"""Every error storyline raises on purpose.

Errors are raised deep, carry a message that says what happened, why, and
how to fix it, and are turned into one-line messages only at the edges
(``cli.py``, ``api.py``). Each class has a short code so a message can be
looked up and tested without matching its whole wording.
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base of all storyline errors."""

    code = "E000"

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class InputError(StorylineError):
    """An input file or record cannot be used (missing, binary, empty, malformed)."""

    code = "E100"

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class DateError(StorylineError):
    """A date given by the user cannot be read."""

    code = "E110"


class StoreError(StorylineError):
    """The database file cannot be used as a storyline store."""

    code = "E200"


class NotFoundError(StorylineError):
    """Something asked for by id does not exist in the store."""

    code = "E210"


class ConfigError(StorylineError):
    """A bad combination of options, or an unknown method name."""

    code = "E300"


class ModelError(StorylineError):
    """A language model that must be installed as a package is missing."""

    code = "E400"
