"""Timeline methods, by the name ``--method`` takes.

``storyline`` is the default, meant for real news; ``datewise`` and
``clust`` reproduce published methods (news-tls) for the benchmarks.
"""

from __future__ import annotations

from storyline.errors import ConfigError
from storyline.timeline.base import TimelineMethod, TimelineRequest
from storyline.timeline.clust import Clust
from storyline.timeline.datewise import Datewise
from storyline.timeline.storyline_method import StorylineMethod

__all__ = ["METHODS", "DEFAULT_METHOD", "TimelineRequest", "get_method"]

METHODS: dict[str, type] = {"storyline": StorylineMethod, "datewise": Datewise, "clust": Clust}
DEFAULT_METHOD = "storyline"


def get_method(name: str = DEFAULT_METHOD) -> TimelineMethod:
    """A ready method object; unknown names fail with the list of known ones."""
    try:
        return METHODS[name]()
    except KeyError:
        raise ConfigError(
            f"unknown timeline method {name!r}; choose one of: {', '.join(sorted(METHODS))}"
        ) from None
