"""What an article is about, as a bag of weighted terms: its words and who is in it.

Story detection compares articles by what they say (content words, the
headline's counting more) and by who and where they are about (named
entities, one feature per name). Weights are raw counts here; the tracker
turns them into TF-IDF vectors with the document frequencies of the store
it works on, so a term common in this feed weighs little in it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

import numpy as np


#: A headline word counts as this many body words: the headline says what
#: the article is about, the body also what surrounds it.
TITLE_WEIGHT = 3
#: A named entity counts as this many words: two articles about the same
#: people and places are about the same story more surely than two that
#: share vocabulary.
ENTITY_WEIGHT = 2
#: Entity labels that say who and where a story is about (dates, amounts
#: and works of art do not).
STORY_ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT"})
#: Entity features are told from words by this prefix.
ENTITY_PREFIX = "@"
#: Words shorter than this are left out (initials, "us", "mr").
MIN_WORD_CHARS = 3

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_SPACES = re.compile(r"\s+")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")


@cache
def _stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (the Glasgow IR group's list).

    Read from the one file of scikit-learn that holds them, without
    importing scikit-learn: that takes most of a second (0.7 s here), paid by
    every ingest (its workers make story terms) that needs nothing else of it.
    """
    import importlib.util

    package = importlib.util.find_spec("sklearn")
    if package is not None and package.origin is not None:
        path = Path(package.origin).parent / "feature_extraction" / "_stop_words.py"
        spec = importlib.util.spec_from_file_location("_storyline_stop_words", path)
        if path.is_file() and spec is not None and spec.loader is not None:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            found = getattr(module, "ENGLISH_STOP_WORDS", None)
            if isinstance(found, frozenset):
                return found
    # Another layout of scikit-learn: imported as its API says.
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


def words(text: str) -> list[str]:
    """Lowercased content words: no stop words, numbers or short tokens; possessives cut."""
    stop_words = _stop_words()
    tokens = _WORD.findall(text.lower())
    if "'" in text or "’" in text:  # the possessive test only where it can match
        tokens = [_POSSESSIVE.sub("", word) if "'" in word or "’" in word else word
                  for word in tokens]
    # One comprehension, not a loop with appends: this runs on every new
    # article's text, on the store's single writer.
    least = MIN_WORD_CHARS
    return [word for word in tokens
            if len(word) >= least and word not in stop_words and not word.isdigit()]


def entity_key(text: str) -> str:
    """One name however it was written: "the White House's" and "White House" are one."""
    key = _SPACES.sub(" ", text.strip().lower())
    key = _LEADING_ARTICLE.sub("", key)
    return _POSSESSIVE.sub("", key).strip()


def article_terms(title: str, text: str, entities: Iterable[tuple[str, str]] = ()
                  ) -> dict[str, float]:
    """Raw term weights of one article: sublinear counts of words and entity names.

    ``entities`` are (text, label) pairs; only :data:`STORY_ENTITY_LABELS`
    count. A term counts ``1 + log(count)``: the tenth "oil" in an article
    about oil adds less than the first.
    """
    counts: Counter[str] = Counter()
    for word in words(title):
        counts[word] += TITLE_WEIGHT
    counts.update(words(text))
    weights = {term: 1.0 + math.log(count) for term, count in counts.items()}
    names: Counter[str] = Counter()
    for name, label in entities:
        if label in STORY_ENTITY_LABELS:
            key = entity_key(name)
            if len(key) >= 2:
                names[ENTITY_PREFIX + key] += 1
    for key, count in names.items():
        weights[key] = ENTITY_WEIGHT * (1.0 + math.log(count))
    return weights


def top_terms(weights: Mapping[str, float], limit: int) -> dict[str, float]:
    """The ``limit`` heaviest terms (ties at the cut broken by the term, so the choice is stable)."""
    if len(weights) <= limit:
        return dict(weights)
    terms = list(weights)
    values = np.fromiter(weights.values(), dtype=float, count=len(terms))
    return {terms[i]: float(values[i]) for i in top_indices(values, limit, terms.__getitem__)}


def top_indices(values: np.ndarray, limit: int, term: Callable[[int], str]) -> list[int]:
    """Indices of the ``limit`` largest values; ties at the cut go to the first terms
    in order (``term`` names the term at an index), so the choice is stable.

    A partial sort (numpy's introselect) instead of sorting every term:
    this runs for every article vector and story centroid.
    """
    if len(values) <= limit:
        return list(range(len(values)))
    cut = -np.partition(-values, limit - 1)[limit - 1]
    kept = np.nonzero(values > cut)[0].tolist()
    if len(kept) < limit:
        tied = sorted(np.nonzero(values == cut)[0].tolist(), key=term)
        kept += tied[:limit - len(kept)]
    return kept
