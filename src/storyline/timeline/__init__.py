"""Timeline methods, by the name ``--method`` takes.

``storyline`` is the default, meant for real news; ``datewise`` and
``clust`` reproduce published methods (news-tls) for the benchmarks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from storyline.errors import ConfigError
from storyline.timeline.base import TimelineMethod, TimelineRequest

__all__ = ["METHODS", "DEFAULT_METHOD", "TimelineRequest", "get_method"]


class _Methods(Mapping[str, type]):
    """Method classes by name, each imported when it is first asked for.

    The methods import scikit-learn and SciPy, a second or more at start-up;
    listing the names (``--method``'s choices, the API's schema) must not
    cost that, and a build imports only the method it runs.
    """

    _WHERE = {
        "storyline": ("storyline.timeline.storyline_method", "StorylineMethod"),
        "datewise": ("storyline.timeline.datewise", "Datewise"),
        "clust": ("storyline.timeline.clust", "Clust"),
    }

    def __getitem__(self, name: str) -> type:
        module, cls = self._WHERE[name]
        return getattr(import_module(module), cls)

    def __iter__(self) -> Iterator[str]:
        return iter(self._WHERE)

    def __len__(self) -> int:
        return len(self._WHERE)


METHODS: Mapping[str, type] = _Methods()
DEFAULT_METHOD = "storyline"


def get_method(name: str = DEFAULT_METHOD) -> TimelineMethod:
    """A ready method object; unknown names fail with the list of known ones."""
    try:
        method = METHODS[name]
    except KeyError:
        raise ConfigError(
            f"unknown timeline method {name!r}; choose one of: {', '.join(sorted(METHODS))}"
        ) from None
    return method()
