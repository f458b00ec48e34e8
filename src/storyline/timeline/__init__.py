"""Timeline methods, by the name ``--method`` takes."""

from __future__ import annotations

from storyline.errors import ConfigError
from storyline.timeline.base import TimelineMethod, TimelineRequest
from storyline.timeline.datewise import Datewise

__all__ = ["METHODS", "DEFAULT_METHOD", "TimelineRequest", "get_method"]

METHODS: dict[str, type] = {"datewise": Datewise}
DEFAULT_METHOD = "datewise"


def get_method(name: str = DEFAULT_METHOD) -> TimelineMethod:
    """A ready method object; unknown names fail with the list of known ones."""
    try:
        return METHODS[name]()
    except KeyError:
        raise ConfigError(
            f"unknown timeline method {name!r}; choose one of: {', '.join(sorted(METHODS))}"
        ) from None
