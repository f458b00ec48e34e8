"""An article's story terms as a store keeps them: ids of its vocabulary, and weights.

Story detection works with terms as words (a story's sum, its title, the
names it is about), and :func:`storyline.stories.features.article_terms`
makes them so. But an update reads the terms of every member of each story
it repairs, tens of thousands of articles, and finds each term's column and
document frequency: read as JSON objects of words, that was a third of what
the update cost. :class:`StoredTerms` is read from two arrays in a few
microseconds; the tracker takes them as arrays (``StoryTracker._make``) and
asks the vocabulary for the words of ids it has not met, with their
frequencies, once per update. Anything else reads it as the mapping of words
to weights it stands for, which names its words when first asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

import numpy as np


class Vocabulary(Protocol):
    """The terms behind a store's vocabulary ids."""

    def describe(self, ids: Sequence[int]) -> list[tuple[int, str, int]]:
        """(id, term, document frequency) of each id, read at once for all of them."""

    def terms(self, ids: Sequence[int]) -> list[str]:
        """The terms of the ids, in their order."""


class StoredTerms(Mapping[str, float]):
    """An article's raw term weights as ``ids`` (int64) and ``weights`` (float64), in
    the order :func:`~storyline.stories.features.article_terms` gave them."""

    __slots__ = ("ids", "weights", "vocabulary", "_named")

    def __init__(self, ids: np.ndarray, weights: np.ndarray, vocabulary: Vocabulary) -> None:
        if len(ids) != len(weights):
            raise ValueError(f"{len(ids)} term ids but {len(weights)} weights")
        self.ids = ids
        self.weights = weights
        self.vocabulary = vocabulary
        self._named: dict[str, float] | None = None

    def _mapping(self) -> dict[str, float]:
        if self._named is None:
            self._named = dict(zip(self.vocabulary.terms(self.ids.tolist()),
                                   self.weights.tolist(), strict=True))
        return self._named

    def __getitem__(self, term: str) -> float:
        return self._mapping()[term]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"StoredTerms({len(self.ids)} terms)"
