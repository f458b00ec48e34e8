"""Incremental story detection: each article joins the story it belongs to, or starts one.

The classic single-pass clustering of topic detection and tracking (Allan
et al. 1998; Miranda et al. 2018 for news streams), on TF-IDF vectors of
words and entity names (:mod:`.features`), with the store's own document
frequencies:

- an article joins the story whose centroid is most similar to it, when
  that similarity, lowered by the time between the article and the story
  (halved every ``half_life_days``), reaches ``join``; else it starts a
  story of its own;
- a repair step (:meth:`StoryTracker.repair`) then looks again at the
  stories an update touched: stories whose centroids came to reach
  ``merge`` are merged (the larger keeps its id), and a much smaller story
  that runs within a bigger one and fits it loosely is taken into it (a
  side of that story, not a story beside it); members that now fit
  another story better move there, or leave a story they no longer fit at
  all; a story whose two halves (two-means on its members) would not even
  join each other splits. Two stories of some size that are each about a
  subject the other hardly names (two candidates in one election) are
  never merged, however close their words (:meth:`StoryTracker._apart`).
  A story's members are looked at again only when
  it has grown by a quarter since they last were (stories of one or two
  articles when a story near them changed, or their turn came to be summed
  afresh), which keeps the repairs' work proportional to the articles
  placed.

Story ids never change while a story lives; a story merged into another
leaves its id behind as an alias of the one it joined. Within a batch,
articles are taken in publication order, so the same articles in another
order give nearly the same stories, and the repair step brings them
closer still.

Everything here is in memory; :mod:`.storage` loads and saves it. A
tracker either holds every article (:meth:`StoryTracker.restore`, for
benchmarks and tests) or starts from the stories' stored sums and reads the
articles and document frequencies it comes to need from a :class:`Source`
(:meth:`StoryTracker.restore_stories`): an update into a big store then
costs what it changes, not what is stored.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from itertools import chain, repeat
from operator import mul, truediv
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:  # imported where used: SciPy takes a good part of a second to import
    from scipy import sparse

from storyline.errors import ConfigError
from storyline.stories.features import ENTITY_PREFIX, top_indices, top_terms
from storyline.stories.terms import StoredTerms, Vocabulary

log = logging.getLogger(__name__)

Vector = dict[str, float]


#: Cached article vectors are remade once the store has grown by this factor.
VECTOR_EPOCH = 1.1
#: A vocabulary id not read yet, and one read but without a term column
#: (see :meth:`StoryTracker._know`).
UNREAD = -1
NAMED = -2
#: Stories this small are looked at by every repair (see :meth:`StoryTracker.repair`).
SMALL_STORY = 2
#: Two names this alike (difflib's ratio) are taken for one spelled two ways:
#: "muammar gaddafi" and "moammar gadhafi" .87, "gaddafi" and "qaddafi" .86,
#: while "obama" and "osama" are .80 and "barack obama" and "michelle obama" .54.
NAME_VARIANT = 0.85


@dataclass(frozen=True, slots=True)
class StoryParams:
    """The thresholds of story detection; see the module docstring for what each does.

    ``join`` and ``merge`` are low because the top level is what a reader
    browses: a story is a topic followed over months (a war, an epidemic),
    not one day's event, and coverage of one topic on different days
    shares less vocabulary than two reports of one event. The half-life is
    half a year for the same reason. Set from the behaviour on the
    development data (Timeline17, five settings tried; ``bench/stories.py``
    reports the figures as in-sample); they are parameters, never switched
    by dataset.
    """

    join: float = 0.1
    merge: float = 0.12
    half_life_days: float = 180.0
    #: A member leaves its story when its fit to the rest is below this
    #: fraction of the lower of ``join`` and ``merge`` (see :attr:`StoryTracker.leave`).
    leave_fraction: float = 0.25
    #: Terms kept per article vector: its heaviest, by TF-IDF.
    article_terms: int = 100
    #: Terms kept per story centroid when it is compared and stored.
    centroid_terms: int = 300
    #: A story with at most this fraction of another's articles, within its
    #: span, may be taken into it (:meth:`StoryTracker._adopts`); 0: never.
    adopt_ratio: float = 0.1
    #: Two stories of at least this many articles each are kept apart when
    #: each is about a subject the other hardly names (:meth:`StoryTracker._apart`).
    subject_articles: int = 20
    #: A story's subject is named in at least this share of its articles...
    subject_share: float = 0.5
    #: ...and another story hardly names it when fewer of its articles do,
    #: by this fraction of that share.
    subject_rare: float = 0.25
    #: A member moves to another story only when it fits that one better by this much.
    move_margin: float = 0.05
    #: Rounds of merging and moving per repair (each stops early once nothing changes).
    repair_rounds: int = 3
    #: Terms a story's running sum keeps (pruned when it grows past twice this):
    #: the centroid only ever uses the heaviest ``centroid_terms``.
    total_terms: int = 1000
    #: New articles compared with the stories at once (see :meth:`StoryTracker.add`).
    chunk: int = 32
    #: A story's members are looked at again once it has grown by this factor.
    repair_growth: float = 1.25
    #: Stories' sums made when the store was this much smaller are remade...
    resum_growth: float = 1.1
    #: ...for up to this many members per article placed, oldest sums first.
    #: Timeline17 in 20 batches through the store (in-sample), B-cubed F1 and
    #: seconds: 0 -> .882, 17.6 s; 1 -> .905, 19.9 s; 2 -> .909, 20.3 s;
    #: 5 -> .907, 22.3 s; 10 -> .908, 25.0 s.
    resum_per_article: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.join <= 1 or not 0 < self.merge <= 1:
            raise ConfigError(f"story thresholds must be in (0, 1]: join {self.join}, "
                              f"merge {self.merge}")
        if not 0 <= self.adopt_ratio < 1:
            raise ConfigError(f"adopt_ratio must be in [0, 1), got {self.adopt_ratio}")
        if not 0 < self.subject_share <= 1 or not 0 <= self.subject_rare < 1:
            raise ConfigError(f"subject_share must be in (0, 1] and subject_rare in [0, 1):"
                              f" {self.subject_share}, {self.subject_rare}")
        if not 0 < self.leave_fraction < 1:
            raise ConfigError(f"leave_fraction must be in (0, 1), got {self.leave_fraction}")
        if self.half_life_days <= 0:
            raise ConfigError(f"half_life_days must be positive, got {self.half_life_days}")


class Source(Protocol):
    """Where a tracker reads what it does not hold: stored articles and document frequencies."""

    def items(self, article_ids: Collection[str]) -> Iterable[Item]:
        """The stored articles among ``article_ids`` (placed ones; others are left out)."""

    def frequencies(self, terms: Collection[str]) -> Mapping[str, int]:
        """How many stored articles have each term (terms no article has may be left out)."""

    def totals(self, story_ids: Collection[str]) -> Mapping[str, Mapping[str, float] | None]:
        """The stored sums of the stories (None for one never summed)."""

    def names(self, story_ids: Collection[str]) -> Mapping[str, Mapping[str, int] | None]:
        """The stored name counts of the stories (None for one never counted)."""


@dataclass(frozen=True, slots=True)
class StoredStory:
    """A story as stored: its members, the sum of their vectors and its span.

    ``total`` is None when the story was never summed (a store written
    before the sums were kept): it is summed afresh from its members.
    With ``unread``, the sum is in the store and was not read: the tracker
    reads it from its source when the story is first compared or changed
    (an update mostly compares stories near its articles in time).
    """

    id: str
    members: frozenset[str]
    total: Mapping[str, float] | None
    start: date | None
    end: date | None
    checked: int = 0
    #: The number of stored articles when ``total`` was summed.
    summed: int = 0
    unread: bool = False
    #: How many members name each entity (None: counted from the members when needed).
    names: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One article as story detection sees it: raw term weights and a publication date.

    ``terms`` is a dict of words when the article's terms were just made,
    :class:`~storyline.stories.terms.StoredTerms` when read from a store.
    """

    article_id: str
    published: date | None
    terms: Mapping[str, float]


@dataclass(slots=True)
class Story:
    """A story being tracked: the sum of its members' unit vectors and its span.

    The centroid is cached until the story changes: comparing every new
    article with every story must not sort every story's terms each time.
    """

    id: str
    members: set[str] = field(default_factory=set)
    #: None while the sum is in the store unread (see :meth:`StoryTracker._hold`).
    total: Vector | None = field(default_factory=dict)
    start: date | None = None
    end: date | None = None
    cached: Vector | None = None
    #: The cached centroid as (column indices, weights) over the tracker's term columns.
    row: tuple[np.ndarray, np.ndarray] | None = None
    #: Members when the repair last looked at each of them (see :meth:`StoryTracker.repair`).
    checked: int = 0
    #: The number of stored articles when ``total`` was last summed afresh.
    summed: int = 0
    #: Whether ``total`` changed since the story was loaded (storage saves those).
    changed: bool = False
    #: How many members name each entity (feature keys), for :meth:`StoryTracker._apart`;
    #: None while unknown: counted from the members when first needed (only stories
    #: of ``subject_articles`` or more ever need them), then kept up to date.
    names: dict[str, int] | None = None

    @property
    def size(self) -> int:
        return len(self.members)

    def add(self, article_id: str, vector: Vector, published: date | None,
            keep: int, names: Iterable[str] = ()) -> None:
        """Add a member, which names ``names``; ``total`` (and the name counts) are
        pruned to their ``keep`` heaviest terms when they grow past twice that."""
        total = self.held
        self.members.add(article_id)
        for term, weight in vector.items():
            total[term] = total.get(term, 0.0) + weight
        if len(total) > 2 * keep:
            self.total = top_terms(total, keep)
        self.count_names(names, 1, keep)
        self.widen(published)
        self.cached = self.row = None
        self.changed = True

    def count_names(self, names: Iterable[str] | Mapping[str, int], sign: int,
                    keep: int) -> None:
        """Count a member's names (or another story's name counts) in, or with
        ``sign=-1`` out of, the story's name counts."""
        counts = self.names
        if counts is None:
            return  # counted from the members when needed, this one included
        pairs = names.items() if isinstance(names, Mapping) else zip(names, repeat(1))
        for name, count in pairs:
            left = counts.get(name, 0) + sign * count
            if left > 0:
                counts[name] = left
            else:
                counts.pop(name, None)
        if len(counts) > 2 * keep:
            self.names = {name: int(n) for name, n in top_terms(counts, keep).items()}

    @property
    def held(self) -> Vector:
        """The sum, which must have been read (a story whose sum is unread is never used)."""
        if self.total is None:
            raise RuntimeError(f"story {self.id}: its sum was used before it was read")
        return self.total

    def widen(self, published: date | None) -> None:
        if published is not None:
            self.start = published if self.start is None else min(self.start, published)
            self.end = published if self.end is None else max(self.end, published)

    def centroid(self, limit: int) -> Vector:
        """The unit-length centroid over the story's ``limit`` heaviest terms."""
        if self.cached is None:
            self.cached = _unit(top_terms(self.held, limit))
        return self.cached


@dataclass(slots=True)
class Changes:
    """What a batch or a repair changed, for storage to write and for logs."""

    #: article id -> story id, for every article placed (or moved).
    placed: dict[str, str] = field(default_factory=dict)
    #: story ids whose members, centroid or span changed (merged-away ones excluded).
    touched: set[str] = field(default_factory=set)
    #: (absorbed story id, surviving story id)
    merged: list[tuple[str, str]] = field(default_factory=list)
    created: set[str] = field(default_factory=set)
    #: story ids that ended without members (their articles all moved elsewhere).
    removed: set[str] = field(default_factory=set)

    def update(self, other: Changes) -> None:
        self.placed.update(other.placed)
        self.touched |= other.touched
        self.merged += other.merged
        self.created |= other.created
        self.removed |= other.removed


class _Frequencies(dict[str, int]):
    """Document frequencies; with a source, each term's is read the first time it is asked for."""

    def __init__(self, source: Source | None) -> None:
        super().__init__()
        self.source = source

    def __missing__(self, term: str) -> int:
        if self.source is None:
            return 0
        value = self[term] = int(self.source.frequencies([term]).get(term, 0))
        return value

    def need(self, terms: Iterable[str]) -> None:
        """Read the frequencies of many terms at once (one query, not one per term)."""
        if self.source is None:
            return
        missing = {t for t in terms if t not in self}
        if missing:
            found = self.source.frequencies(missing)
            for term in missing:
                self[term] = int(found.get(term, 0))


class _Items(dict[str, Item]):
    """Placed articles by id; with a source, the ones not yet held are read when asked for."""

    def __init__(self, source: Source | None) -> None:
        super().__init__()
        self.source = source

    def __missing__(self, article_id: str) -> Item:
        self.need([article_id])
        if article_id not in self:
            raise KeyError(article_id)
        return self[article_id]

    def need(self, article_ids: Iterable[str]) -> None:
        """Read many articles at once (one query, not one per article)."""
        if self.source is None:
            return
        missing = {a for a in article_ids if a not in self}
        for item in self.source.items(missing) if missing else ():
            self[item.article_id] = item


class StoryTracker:
    """Stories, document frequencies and article vectors of one store, in memory.

    ``new_id`` makes the id of a new story (storage hands out short numbers).
    ``source`` is where articles and document frequencies not held are read
    (see :meth:`restore_stories`); without one, the tracker holds them all.
    """

    def __init__(self, params: StoryParams | None = None, *,
                 new_id: Callable[[], str] | None = None,
                 source: Source | None = None) -> None:
        self.params = params or StoryParams()
        self.df = _Frequencies(source)
        self.source = source
        self.documents = 0
        self.stories: dict[str, Story] = {}
        self.story_of: dict[str, str] = {}
        #: Raw term weights and date of the articles placed (all of them
        #: without a source; those read so far with one), for repairs.
        self.items = _Items(source)
        self._counter = 0
        self._new_id = new_id or self._next_id
        #: Article vectors as dicts, made from ``_arrays`` when a sum needs one.
        self._vectors: dict[tuple[str, bool], Vector] = {}
        #: Article vectors as (column indices, weights) over the term columns,
        #: by (article id, shared): both kinds are made together (:meth:`_make`).
        self._arrays: dict[tuple[str, bool], tuple[np.ndarray, np.ndarray]] = {}
        #: Per term column: its IDF (NaN until computed in this epoch), its
        #: document frequency (NaN until read, and again once it changes),
        #: and whether it is an entity feature. Grown by :meth:`_grow`.
        self._idf = np.zeros(0)
        self._df = np.zeros(0)
        self._entity = np.zeros(0, dtype=bool)
        #: The number of documents the cached vectors and IDFs were made with.
        self._epoch = 0
        #: term -> column of the sparse matrices stories are compared in.
        self._columns: dict[str, int] = {}
        #: column -> term (the inverse of ``_columns``).
        self._terms: list[str] = []
        #: Articles placed since the last repair (what it may spend on old sums).
        self._unrepaired = 0
        #: Stories :meth:`restore_stories` summed afresh (their sums lack departed members).
        self._summed_on_restore: set[str] = set()
        #: The entity features of each article held (see :meth:`_names_of`).
        self._names: dict[str, list[str]] = {}
        #: The vocabulary of the stored terms met (one store's: its ids are
        #: this tracker's only while it works on that store), and per
        #: vocabulary id its term column: UNREAD, or NAMED once the term and
        #: its frequency were read (see :meth:`_know`).
        self._vocabulary: Vocabulary | None = None
        self._column_of_id = np.zeros(0, dtype=np.int64)

    # -- state ------------------------------------------------------------------------

    def _next_id(self) -> str:
        self._counter += 1
        return str(self._counter)

    def count(self, terms: Iterable[str], sign: int = 1) -> None:
        """Add (or with ``sign=-1`` remove) one document's terms to the document frequencies."""
        terms = list(terms)
        self.df.need(terms)
        held = self.df.source is None
        column, known = self._columns.get, len(self._df)
        for term in terms:
            self.df[term] += sign
            index = column(term)
            if index is not None and index < known:
                self._df[index] = math.nan  # read again when next asked for
            if held and self.df[term] <= 0:
                # Held counts only: a term read from a source keeps its 0,
                # or asking again would read the stored count from before.
                del self.df[term]
        self.documents += sign

    def prepare(self, article_ids: Iterable[str]) -> None:
        """Read the articles not held, in one query, before their vectors are made
        (the frequencies of their terms are read as the vectors are: :meth:`_dfs_at`)."""
        self.items.need(article_ids)

    def _check_epoch(self) -> None:
        """Forget the article vectors and IDFs once the store has grown (or shrunk)
        by ``VECTOR_EPOCH`` since they were made.

        In between, IDF moves too little to matter, and remaking every
        member's vector at every update was most of the time stories added
        to an ingest.
        """
        if not (self._epoch <= self.documents <= self._epoch * VECTOR_EPOCH):
            self._vectors.clear()
            self._arrays.clear()
            self._idf[:] = math.nan
            self._epoch = self.documents

    def _vector_of(self, item: Item, shared: bool = False) -> Vector:
        """The article's vector (:meth:`_make`) as a dict, kept until the vectors are remade."""
        self._check_epoch()
        key = (item.article_id, shared)
        vector = self._vectors.get(key)
        if vector is None:
            self._ensure([item])
            columns, weights = self._arrays[key]
            terms = self._terms
            vector = self._vectors[key] = dict(zip([terms[c] for c in columns.tolist()],
                                                   weights.tolist(), strict=True))
        return vector

    def _ensure(self, items: Iterable[Item]) -> None:
        """Make the vectors of the articles whose vectors are not kept, all at once
        (a repair looks at each member often; see :meth:`_make`)."""
        self._check_epoch()
        arrays = self._arrays
        todo = list({item.article_id: item for item in items
                     if (item.article_id, False) not in arrays}.values())
        if not todo:
            return
        for item, (shared, full, names) in zip(todo, self._make(todo), strict=True):
            arrays[item.article_id, True] = shared
            arrays[item.article_id, False] = full
            self._names.setdefault(item.article_id, names)

    def _make(self, items: Sequence[Item]) -> list[tuple[tuple[np.ndarray, np.ndarray],
                                                        tuple[np.ndarray, np.ndarray],
                                                        list[str]]]:
        """Each article's unit TF-IDF vectors over its heaviest terms, as (column
        indices, weights): the one it is compared by (``shared``) and the one
        stories' sums hold; and the entities it names.

        The compared vector keeps only terms some other stored article has
        too: a term no one else has cannot make an article like anything and
        only lengthens its vector (a typo, a rare name). Stories' sums use
        every term, since later articles may share them. A term in nearly
        every document (IDF 0 or below) says nothing of what an article is
        about, and is in neither.

        All the articles' terms are weighed in whole arrays at once, then cut
        article by article: made one article and one term at a time, the
        vectors were a third of the time an update took. Terms read from a
        store come as vocabulary ids (:mod:`.terms`), which find their
        columns in one array look-up.
        """
        self._know([item.terms for item in items if isinstance(item.terms, StoredTerms)])
        column, get = self._column, self._columns.get
        parts: list[np.ndarray] = []
        raws: list[np.ndarray] = []
        for item in items:
            terms = item.terms
            if isinstance(terms, StoredTerms):
                parts.append(self._stored_columns(terms))
                raws.append(terms.weights)
                continue
            found = list(map(get, terms))
            if None in found:  # terms never seen: new columns
                found = [c if c is not None else column(t)
                         for c, t in zip(found, terms, strict=True)]
            parts.append(np.array(found, dtype=np.int64))
            raws.append(np.fromiter(terms.values(), dtype=float, count=len(found)))
        lengths = [len(part) for part in parts]
        columns = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        raw = np.concatenate(raws) if raws else np.zeros(0)
        self._grow()
        weights = raw * self._idfs_at(columns)
        positive = weights > 0
        shared = positive & (self._dfs_at(columns) >= 2)
        entity, terms = self._entity[columns], self._terms
        made = []
        ends = np.cumsum(lengths).tolist()
        for start, end in zip([0, *ends[:-1]], ends, strict=True):
            own, own_weights = columns[start:end], weights[start:end]
            made.append((self._heaviest(own, own_weights, shared[start:end]),
                         self._heaviest(own, own_weights, positive[start:end]),
                         [terms[c] for c in own[entity[start:end]].tolist()]))
        return made

    def _know(self, stored: Sequence[StoredTerms]) -> None:
        """Read the terms and frequencies of the vocabulary ids among ``stored`` not
        read yet, in one query: the frequencies are those the update's source
        would give for the words (the same store, in the same transaction)."""
        if not stored:
            return
        if self._vocabulary is None:
            self._vocabulary = stored[0].vocabulary
        vocabulary = self._vocabulary
        if any(terms.vocabulary is not vocabulary for terms in stored):
            raise ValueError("stored terms of two vocabularies given to one story tracker")
        ids = np.concatenate([terms.ids for terms in stored])
        if not len(ids):
            return
        table = self._column_of_id
        if int(ids.max()) >= len(table):
            self._column_of_id = table = np.concatenate(
                [table, np.full(int(ids.max()) + 1 - len(table), UNREAD, dtype=np.int64)])
        fresh = np.unique(ids[table[ids] == UNREAD])
        if not len(fresh):
            return
        df = self.df
        for _, term, frequency in vocabulary.describe(fresh.tolist()):
            if term not in df:  # counted here already: that count is the newer
                df[term] = frequency
        table[fresh] = NAMED

    def _stored_columns(self, terms: StoredTerms) -> np.ndarray:
        """The term columns of stored terms whose ids :meth:`_know` has read."""
        table = self._column_of_id
        columns = table[terms.ids]
        unplaced = np.flatnonzero(columns < 0)
        if len(unplaced):  # terms without a column yet: given one in their order
            ids = terms.ids[unplaced].tolist()
            for position, term in zip(unplaced.tolist(),
                                      terms.vocabulary.terms(ids), strict=True):
                columns[position] = table[terms.ids[position]] = self._column(term)
        return columns

    def _heaviest(self, columns: np.ndarray, weights: np.ndarray, keep: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
        """The kept terms' unit vector over the ``article_terms`` heaviest of them."""
        rows = np.nonzero(keep)[0]
        values = weights[rows]
        limit = self.params.article_terms
        if len(rows) > limit:
            terms = self._terms
            top = top_indices(values, limit, lambda i: terms[columns[rows[i]]])
            rows, values = rows[top], values[top]
        norm = math.sqrt(float(values @ values))
        if not norm:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return columns[rows], values / norm

    def _grow(self) -> None:
        """Give the per-column arrays a place for every term column."""
        known, width = len(self._idf), len(self._terms)
        if known < width:
            fresh = np.full(width - known, math.nan)
            self._idf = np.concatenate([self._idf, fresh])
            self._df = np.concatenate([self._df, fresh])
            self._entity = np.concatenate([self._entity, np.fromiter(
                (t.startswith(ENTITY_PREFIX) for t in self._terms[known:]), dtype=bool,
                count=width - known)])

    def _idfs_at(self, columns: np.ndarray) -> np.ndarray:
        """ln(N / df) of each term column, kept until the vectors are remade: a term in
        every document weighs nothing, a rare one much."""
        values = self._idf[columns]
        unknown = np.isnan(values)
        if unknown.any():
            documents = self.documents + 1
            fresh = np.unique(columns[unknown])
            # math.log, not np.log: numpy's differs in the last bit for some
            # values, and the same articles must give the same stories.
            self._idf[fresh] = [math.log(documents / (df + 0.5))
                                for df in self._dfs_at(fresh).tolist()]
            values = self._idf[columns]
        return values

    def _dfs_at(self, columns: np.ndarray) -> np.ndarray:
        """The document frequencies of the term columns as they are now."""
        values = self._df[columns]
        unknown = np.isnan(values)
        if unknown.any():
            fresh = np.unique(columns[unknown])
            df, terms = self.df, self._terms
            names = [terms[c] for c in fresh.tolist()]
            df.need(names)  # those not read yet, in one query
            self._df[fresh] = [df[name] for name in names]
            values = self._df[columns]
        return values

    def _idfs(self, names: Sequence[str]) -> np.ndarray:
        """:meth:`_idfs_at` of terms given by name."""
        columns = np.array([self._column(n) for n in names], dtype=np.int64)
        self._grow()
        return self._idfs_at(columns)

    @property
    def reach_days(self) -> float:
        """Beyond this many days apart nothing can join, merge or move: no similarity
        (at most 1) times the time decay reaches the lowest threshold, :attr:`leave`.

        So each comparison looks only at the stories within reach in time
        (:meth:`_within_reach`), with the same outcome as looking at all.
        """
        return self.params.half_life_days * math.log2(1 / self.leave)

    def _within_reach(self, first: date | None, last: date | None,
                      also: Collection[str] = ()) -> list[str]:
        """Ids of the stories within reach of something dated ``first`` to ``last``
        (every story when undated), in the tracker's order, with ``also``."""
        if first is None or last is None:
            return list(self.stories)
        low = first.toordinal() - self.reach_days
        high = last.toordinal() + self.reach_days
        return [story_id for story_id, story in self.stories.items()
                if story.start is None or story.end is None or story_id in also
                or (story.end.toordinal() >= low and story.start.toordinal() <= high)]

    def _hold(self, stories: Iterable[Story]) -> None:
        """Read the sums of the stories whose sums are still in the store, in one query."""
        unread = [story for story in stories if story.total is None]
        if not unread:
            return
        assert self.source is not None  # only stories restored from a source are unread
        ids = [story.id for story in unread]
        found, names = self.source.totals(ids), self.source.names(ids)
        never_summed = []
        for story in unread:
            total = found.get(story.id)
            story.total = dict(total) if total is not None else {}
            counts = names.get(story.id)
            story.names = dict(counts) if counts is not None else None
            if total is None:
                never_summed.append(story)
        self.prepare(a for story in never_summed for a in story.members)
        for story in never_summed:
            self._recompute(story)

    @property
    def leave(self) -> float:
        """A member whose fit to the rest of its story is below this leaves it.

        Well below the lower of ``join`` and ``merge``: a member that could
        neither join its story afresh nor be merged back into it as a story
        of its own would otherwise leave and come back at every repair. A
        quarter of it (``leave_fraction``; it was a half) keeps in their
        story the members that came with a merge or fit it only loosely, as
        a reader would: on Timeline17 (in-sample; leave-one-topic-out in
        docs/benchmarks.md) B-cubed F1 .801 -> .817 in one update.
        """
        return min(self.params.join, self.params.merge) * self.params.leave_fraction

    def decay(self, published: date | None, story: Story) -> float:
        """How much time apart lowers a similarity: halved every half-life between them."""
        if published is None or story.start is None or story.end is None:
            return 1.0
        if story.start <= published <= story.end:
            return 1.0
        gap = (story.start - published).days if published < story.start else (
            published - story.end).days
        return 0.5 ** (gap / self.params.half_life_days)

    def span_decay(self, one: Story, other: Story) -> float:
        """:meth:`decay` between two stories: nothing when their spans overlap."""
        if None in (one.start, one.end, other.start, other.end):
            return 1.0
        assert one.start and one.end and other.start and other.end
        gap = max((other.start - one.end).days, (one.start - other.end).days, 0)
        return 0.5 ** (gap / self.params.half_life_days)

    # -- adding articles ---------------------------------------------------------------

    def add(self, items: Sequence[Item], *, counted: Collection[str] = ()) -> Changes:
        """Place each new article in a story (articles already placed are moved if needed).

        Articles are taken in publication order (undated last), ties by id,
        and compared in chunks of ``chunk`` with every story as it stood at
        the chunk's start plus the stories the chunk itself changed: one
        sparse product per chunk instead of one per article. ``counted``
        names those whose terms the document frequencies (and the number of
        documents) already include: the source's, when the ingest that
        stored them counted them.
        """
        changes = Changes()
        fresh = sorted(items, key=lambda i: (i.published is None, i.published or date.min,
                                             i.article_id))
        self._know([item.terms for item in fresh if isinstance(item.terms, StoredTerms)])
        self.df.need({t for item in fresh if not isinstance(item.terms, StoredTerms)
                      for t in item.terms})
        for item in fresh:
            if item.article_id in self.items:
                self._forget(item.article_id, changes)
            if item.article_id not in counted:
                self.count(item.terms)
        for first in range(0, len(fresh), self.params.chunk):
            self._add_chunk(fresh[first:first + self.params.chunk], changes)
        self._unrepaired += len(fresh)
        return changes

    def _add_chunk(self, chunk: Sequence[Item], changes: Changes) -> None:
        self._ensure(chunk)
        vectors = [self._vector_of(item, shared=True) for item in chunk]
        days = [item.published for item in chunk]
        ids = self._within_reach(*_bounds(days))
        rows = _stacked([self._arrays[item.article_id, True] for item in chunk],
                        len(self._columns))
        scores = self._similarities(rows, [i.published for i in chunk], ids)
        # In the order they changed (a set's order follows string hashing, which
        # differs between processes, and two copies of one article tie).
        dirty: dict[str, None] = {}
        limit = self.params.centroid_terms
        for row, (item, vector) in enumerate(zip(chunk, vectors, strict=True)):
            best_id, best = None, 0.0
            if ids:
                column = int(np.argmax(scores[row]))
                best_id, best = ids[column], float(scores[row, column])
            for story_id in dirty:  # stories changed within this chunk: compared afresh
                story = self.stories[story_id]
                score = _dot(vector, story.centroid(limit)) * self.decay(item.published, story)
                if score > best:
                    best_id, best = story_id, score
            if best_id is None or best < self.params.join or best_id not in self.stories:
                story = Story(self._new_id(), summed=self.documents)
                self.stories[story.id] = story
                changes.created.add(story.id)
            else:
                story = self.stories[best_id]
            story.add(item.article_id, self._vector_of(item),
                      item.published, self.params.total_terms, self._names_of(item))
            self.items[item.article_id] = item
            self.story_of[item.article_id] = story.id
            changes.placed[item.article_id] = story.id
            changes.touched.add(story.id)
            dirty[story.id] = None

    def restore(self, items: Iterable[Item], story_of: Mapping[str, str],
                checked: Mapping[str, int] | None = None) -> None:
        """Load stored state: articles already placed, the story of each, the repairs' marks.

        Document frequencies are counted over all of them first, then every
        story's centroid is computed with those frequencies.
        """
        for item in items:
            self.items[item.article_id] = item
            self.count(item.terms)
        for article_id, story_id in story_of.items():
            if article_id in self.items:
                self.story_of[article_id] = story_id
                self.stories.setdefault(story_id, Story(story_id)).members.add(article_id)
        for story in self.stories.values():
            self._recompute(story)
            story.checked = (checked or {}).get(story.id, 0)

    def restore_stories(self, stories: Iterable[StoredStory], documents: int) -> Changes:
        """Start from stored stories and the store's size; articles are read from the source.

        A story never summed is summed now from its members, and one left
        without members (all of them deleted from the store) ends. Returns
        those changes, for storage to write.
        """
        changes = Changes()
        self.documents = documents
        unsummed = []
        for stored in stories:
            story = Story(stored.id, members=set(stored.members),
                          total=None if stored.unread else dict(stored.total or {}),
                          start=stored.start, end=stored.end, checked=stored.checked,
                          summed=stored.summed,
                          names=None if stored.names is None else dict(stored.names))
            if not story.members:
                changes.removed.add(story.id)
                continue
            self.stories[story.id] = story
            for article_id in story.members:
                self.story_of[article_id] = story.id
            if stored.total is None and not stored.unread:
                unsummed.append(story)
        self.prepare(a for story in unsummed for a in story.members)
        for story in unsummed:
            self._recompute(story)
            changes.touched.add(story.id)
        self._summed_on_restore = {story.id for story in unsummed}
        return changes

    def depart(self, story_id: str, terms: Mapping[str, float], changes: Changes) -> None:
        """Take an article deleted from the store out of its story's sum.

        The article is gone from the story's members already (they were
        read after it was deleted); its vector is made with today's
        frequencies, as :meth:`_detach` does, and subtracted.
        """
        story = self.stories.get(story_id)
        if story is None or story_id in self._summed_on_restore:
            return  # ended, or just summed from the members it has now
        self._hold([story])
        total = story.held
        self._check_epoch()
        columns, weights = self._make([Item("", None, terms)])[0][1]
        for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
            term = self._terms[column]
            if term in total:
                total[term] -= weight
        story.count_names(_named(terms), -1, self.params.total_terms)
        story.cached = story.row = None
        story.changed = True
        changes.touched.add(story_id)

    def _forget(self, article_id: str, changes: Changes) -> None:
        """Take an article out before it is placed again (its content changed)."""
        old = self.items.pop(article_id)
        self._names.pop(article_id, None)
        self.count(old.terms, -1)
        for shared in (True, False):
            self._vectors.pop((article_id, shared), None)
            self._arrays.pop((article_id, shared), None)
        story_id = self.story_of.pop(article_id, None)
        if story_id in self.stories:
            story = self.stories[story_id]
            story.members.discard(article_id)
            self._recompute(story)
            changes.touched.add(story_id)

    def _similarities(self, left: sparse.csr_matrix, published: Sequence[date | None],
                      story_ids: Sequence[str]) -> np.ndarray:
        """Cosine of each row (an article's vector) with each story's centroid, times the decay."""
        if not story_ids or not left.shape[0]:
            return np.zeros((left.shape[0], len(story_ids)))
        right = self._centroid_rows(story_ids)
        left.resize((left.shape[0], right.shape[1]))
        scores = (left @ right.T).toarray()
        days = np.array([_ordinal(d) for d in published], dtype=float)[:, None]
        starts, ends = self._spans(story_ids)
        return scores * self._decays(days, days, starts[None, :], ends[None, :])

    def _spans(self, story_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The stories' first and last days as ordinals (NaN when undated)."""
        stories = [self.stories[s] for s in story_ids]
        return (np.array([_ordinal(story.start) for story in stories], dtype=float),
                np.array([_ordinal(story.end) for story in stories], dtype=float))

    def _decays(self, first: np.ndarray, last: np.ndarray, starts: np.ndarray,
                ends: np.ndarray) -> np.ndarray:
        """:meth:`span_decay` of spans ``first``-``last`` and ``starts``-``ends``, as arrays
        (they broadcast; an article is a span of one day; undated: no decay)."""
        gaps = np.maximum(np.maximum(starts - last, first - ends), 0.0)
        return np.where(np.isnan(gaps), 1.0,
                        0.5 ** (np.nan_to_num(gaps) / self.params.half_life_days))

    def _adoptable(self, size: float, first: float, last: float, sizes: np.ndarray,
                   starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """Per other story, whether it and a story of ``size`` articles spanning
        ``first``-``last`` are such that the bigger may take in the smaller
        (:meth:`_adopts`, but for the fit): the smaller has at most
        ``adopt_ratio`` of the bigger's articles and lies within its span
        (undated: never)."""
        smaller = size <= sizes
        within = np.where(smaller, (starts <= first) & (last <= ends),
                          (first <= starts) & (ends <= last))
        return within & (np.minimum(size, sizes)
                         <= self.params.adopt_ratio * np.maximum(size, sizes))

    def _column(self, term: str) -> int:
        column = self._columns.get(term)
        if column is None:
            column = self._columns[term] = len(self._columns)
            self._terms.append(term)
        return column

    def _arrays_of(self, vector: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """A vector as (column indices, weights) over the tracker's term columns."""
        columns = list(map(self._columns.get, vector))
        if None in columns:  # terms never seen: new columns
            columns = [c if c is not None else self._column(t)
                       for c, t in zip(columns, vector, strict=True)]
        return (np.array(columns, dtype=np.int64),
                np.fromiter(vector.values(), dtype=float, count=len(vector)))

    def _member_rows(self, article_ids: Sequence[str], *, shared: bool) -> sparse.csr_matrix:
        """The articles' vectors (:meth:`_make`) as sparse rows over the term columns."""
        items = self.items
        self._ensure([items[a] for a in article_ids])
        arrays = self._arrays
        return _stacked([arrays[a, shared] for a in article_ids], len(self._columns))

    def _centroid_rows(self, story_ids: Sequence[str]) -> sparse.csr_matrix:
        """Story centroids as sparse rows; each story's row is kept until the story changes."""
        limit = self.params.centroid_terms
        self._hold(self.stories[story_id] for story_id in story_ids)
        parts = []
        for story_id in story_ids:
            story = self.stories[story_id]
            if story.row is None:
                story.row = self._arrays_of(story.centroid(limit))
            parts.append(story.row)
        return _stacked(parts, len(self._columns))

    def central_member(self, story_id: str) -> str:
        """The member closest to the story's centroid; ties go to the earliest
        published (undated last), then the smallest id.

        All members' cosines in one sparse product: a big story's title is
        chosen again each time its members are looked at again.
        """
        members = sorted(self.stories[story_id].members)
        self.prepare(members)
        rows = self._member_rows(members, shared=False)
        centroid = self._centroid_rows([story_id])
        width = max(rows.shape[1], centroid.shape[1])
        scores = (_widened(rows, width) @ _widened(centroid, width).T).toarray().ravel()
        items = self.items
        return members[min(range(len(members)), key=lambda row: (
            -scores[row], items[members[row]].published is None,
            items[members[row]].published or date.min, members[row]))]

    # -- repair --------------------------------------------------------------------------

    def repair(self, touched: Iterable[str] | None = None) -> Changes:
        """Merge stories that grew together, move members that fit elsewhere, split drifted ones.

        Only ``touched`` stories (default: all) and the stories they are
        compared with change. Their centroids are first recomputed with
        today's document frequencies, and each is checked for merges. Its
        members are looked at again (moves, splits) only when it has grown
        by ``repair_growth`` since they last were, by new members or by a
        merge: a story of a thousand articles is not re-examined for every
        ten that join it or for a story of three merged into it (only those
        three are), and the work of all repairs stays proportional to the
        articles placed (times a logarithm). Re-examining a big story after
        every merge made a one-article update into a store of 46,000
        articles take 1.3 s instead of 0.3 s.

        Sums made with the frequencies of a much smaller store are remade
        too, oldest first, for ``resum_per_article`` members per article
        placed since the last repair: sums kept across updates would
        otherwise weigh terms as the store did long ago (their stories then
        join and merge less; on Timeline17 fed in 20 batches through the
        store, B-cubed F1 .882 with none remade, .909 at the default: see
        :attr:`StoryParams.resum_per_article`), and remaking them all at
        every update would make an update cost what is stored.
        """
        changes = Changes()
        full = touched is None
        focus = set(self.stories if full else touched) & set(self.stories)
        deep = {s for s in focus if full or self.stories[s].size >= max(
            2, self.params.repair_growth * self.stories[s].checked)}
        # Stories of an article or two: what they could join may have
        # arrived since (those within reach of a story this update changed
        # are looked at), or come within reach as the frequencies moved
        # (those whose sums are remade are looked at too).
        small = {s for s, story in self.stories.items() if story.size <= SMALL_STORY}
        stale = set()
        if full:
            deep |= small
        else:
            stale = self._stale(deep, self._unrepaired)
            deep |= self._near(small - deep, focus) | (stale & small)
            stale -= deep
        self.prepare(a for s in deep | stale for a in self.stories[s].members)
        for story_id in sorted(deep | stale, key=_story_order):  # term columns in one order
            self._recompute(self.stories[story_id])
        for _ in range(self.params.repair_rounds):
            round_changes = Changes()
            self._merge(focus, round_changes)
            deep |= {kept for _, kept in round_changes.merged if self._grown(kept)}
            deep &= set(self.stories)
            focus = (focus | round_changes.touched) & set(self.stories)
            # Members a merge brought in are looked at, not the whole story they
            # joined unless the merge made it grow as much as new members would.
            self._move(deep, round_changes, also=set(round_changes.placed))
            deep = (deep | round_changes.created) & set(self.stories)
            self._split(deep, round_changes)
            deep = (deep | round_changes.created) & set(self.stories)
            focus = (focus | round_changes.touched) & set(self.stories)
            changes.update(round_changes)
            if not round_changes.placed and not round_changes.merged:
                break
        for story_id in deep & set(self.stories):
            self.stories[story_id].checked = self.stories[story_id].size
        self._unrepaired = 0
        changes.touched = {s for s in changes.touched if s in self.stories}
        return changes

    def _grown(self, story_id: str) -> bool:
        """Whether a story has grown by ``repair_growth`` since its members were last looked at."""
        story = self.stories.get(story_id)
        return story is not None and story.size >= self.params.repair_growth * story.checked

    def _recompute(self, story: Story) -> None:
        """A story's sum and span afresh from its members, with today's document frequencies."""
        members = sorted(story.members)
        story.start = story.end = None
        for article_id in members:
            story.widen(self.items[article_id].published)
        rows = self._member_rows(members, shared=False)
        columns, inverse = np.unique(rows.indices, return_inverse=True)
        sums = np.bincount(inverse, weights=rows.data, minlength=len(columns))
        terms = self._terms
        total = {terms[c]: float(w) for c, w in zip(columns.tolist(), sums.tolist(), strict=True)}
        story.total = top_terms(total, self.params.total_terms)
        story.names = None
        if story.size >= self.params.subject_articles:
            self._name_counts(story)  # afresh too, while the members are at hand
        story.cached = story.row = None
        story.summed = self.documents
        story.changed = True

    def _stale(self, deep: set[str], placed: int) -> set[str]:
        """Stories whose sums are to be remade now (see :meth:`repair`), oldest sums first."""
        limit = self.documents / self.params.resum_growth
        budget = self.params.resum_per_article * placed
        stale = set()
        for story in sorted((s for s in self.stories.values()
                             if s.summed < limit and s.id not in deep),
                            key=lambda s: (s.summed, _story_order(s.id))):
            if story.size <= budget:
                stale.add(story.id)
                budget -= story.size
        return stale

    def _near(self, candidates: set[str], against: set[str]) -> set[str]:
        """The candidates within :attr:`leave` of some story in ``against`` (time decay included).

        Generous on purpose: a member of a small story may fit another
        story better than the small story's centroid does.
        """
        if not candidates or not against:
            return set()
        ids = sorted(against)
        reachable = set(self._within_reach(*self._span_of(ids)))
        candidate_ids = sorted(candidates & reachable)
        if not candidate_ids:
            return set()
        matrix = self._centroid_rows(ids + candidate_ids)
        scores = matrix[len(ids):] @ matrix[:len(ids)].T
        scores = scores.tocoo()
        near = set()
        for row, column, score in zip(scores.row, scores.col, scores.data, strict=True):
            candidate, other = self.stories[candidate_ids[row]], self.stories[ids[column]]
            if (candidate.id not in near and other is not candidate and score >= self.leave
                    and score * self.span_decay(candidate, other) >= self.leave):
                near.add(candidate.id)
        return near

    def _merge(self, focus: set[str], changes: Changes) -> None:
        """Merge pairs of stories whose centroids reach ``merge``, most similar first."""
        if not focus:
            return
        ids = sorted(self._within_reach(*self._span_of(focus), also=focus), key=_story_order)
        matrix = self._centroid_rows(ids)
        index = {s: i for i, s in enumerate(ids)}
        rows = [index[s] for s in sorted(focus, key=_story_order)]
        scores = (matrix[rows] @ matrix.T).toarray()
        # What span_decay and _adopts decide, for a row's candidates at once:
        # a full repair compares thousands of stories with each other.
        sizes = np.array([self.stories[s].size for s in ids], dtype=float)
        starts, ends = self._spans(ids)
        pairs = []
        for r, row in enumerate(rows):
            columns = np.nonzero(scores[r] >= self.leave)[0]  # the least _adopts asks
            columns = columns[columns != row]
            if not len(columns):
                continue
            decayed = scores[r, columns] * self._decays(starts[row], ends[row], starts[columns],
                                                        ends[columns])
            chosen = (decayed >= self.params.merge) | self._adoptable(
                sizes[row], starts[row], ends[row], sizes[columns], starts[columns],
                ends[columns])
            for column, score in zip(columns[chosen].tolist(), decayed[chosen].tolist(),
                                     strict=True):
                pairs.append((-score, *sorted((ids[row], ids[column]), key=_story_order)))
        alias: dict[str, str] = {}

        def final(story_id: str) -> str:
            while story_id in alias:
                story_id = alias[story_id]
            return story_id

        for _, first, second in sorted(set(pairs)):
            first, second = final(first), final(second)
            if first == second:
                continue
            one, other = self.stories[first], self.stories[second]
            self._hold([one, other])
            score = self._similarity(one, other)
            if score < self.params.merge and not self._adopts(one, other, score):
                continue  # an earlier merge moved one of them away
            if self._apart(one, other):
                continue
            keep, gone = (one, other) if (one.size, -_numeric(one.id)) >= (
                other.size, -_numeric(other.id)) else (other, one)
            for article_id in gone.members:
                self.story_of[article_id] = keep.id
                changes.placed[article_id] = keep.id
            total = keep.held
            for term, weight in gone.held.items():
                total[term] = total.get(term, 0.0) + weight
            if keep.names is not None:
                # The smaller side's counts, from its members when unknown (a
                # story too small to have kept them): cheaper than counting
                # the merged story's members again when it is next compared.
                keep.count_names(self._name_counts(gone), 1, self.params.total_terms)
            keep.members |= gone.members
            keep.widen(gone.start)
            keep.widen(gone.end)
            keep.total = top_terms(total, self.params.total_terms)
            keep.cached = keep.row = None
            keep.summed = min(keep.summed, gone.summed)
            keep.changed = True
            del self.stories[gone.id]
            alias[gone.id] = keep.id
            changes.merged.append((gone.id, keep.id))
            changes.touched.add(keep.id)
            changes.touched.discard(gone.id)
            log.debug("story %s merged into %s", gone.id, keep.id)

    def _adopts(self, one: Story, other: Story, score: float) -> bool:
        """Whether the larger of two stories takes in the smaller, a story within it.

        A story with at most ``adopt_ratio`` of the other's articles, all
        published while the other ran, whose centroid fits the other's as
        well as a member must to stay in its own story (:attr:`leave`), is
        part of the other: the vaccine rollout within the pandemic, one
        day's clash within a war. The top level is what a reader browses,
        and such a story is a side of the bigger one, not a story beside it.

        ``merge`` is for two stories of one topic found apart; it is far
        above ``leave`` because two big stories running at once (two wars)
        share much vocabulary. Taking in only much smaller stories keeps
        such siblings apart, and taking in only stories within the other's
        span never stretches a story in time: time decay is what keeps a
        story from absorbing coverage years apart. (Taking in stories that
        only overlapped in time did stretch them: on Timeline17 fed in 20
        batches, a financial-crisis story came to overlap the oil spill's
        and was merged into it.) On Timeline17 (in-sample; leave-one-topic-
        out in docs/benchmarks.md) one-shot B-cubed F1 .817 -> .896, with
        this and the lone articles of :meth:`_move`.
        """
        return score >= self.leave and bool(self._adoptable(
            one.size, _ordinal(one.start), _ordinal(one.end), np.array([other.size]),
            np.array([_ordinal(other.start)]), np.array([_ordinal(other.end)]))[0])

    def _apart(self, one: Story, other: Story) -> bool:
        """Whether two stories are about different subjects: each names, in most of
        its articles, someone or something that the other hardly names.

        Coverage of two people (two candidates in one election, a politician
        and the spouse of her rival) shares the vocabulary and the names of
        the events they both took part in, and their stories' centroids come
        close enough to merge; what tells them apart is whom each story is
        about. A story's subject is the name in at least ``subject_share`` of
        its articles that is rarest in the store (so "Republican", named in
        both, is not a subject where a candidate's name is); another story
        hardly names it when its share there is below ``subject_rare`` of
        that, under that spelling or one much like it (:func:`_spelled_alike`:
        outlets transliterate "Gaddafi" three ways). Only stories of
        ``subject_articles`` or more have a subject to speak of: in a few
        articles a name is everywhere by chance. A side of a story (the
        rescue within the earthquake) names its story's subject too, so it
        is still taken in (:meth:`_adopts`).

        Two stories are kept apart only when both have a subject and each
        lacks the other's: a story about a place (a war) and its side about
        a person in it (an envoy) still merge, since the side names the place.
        Stories already made are not split for it: splitting a story whose
        two halves were apart broke Timeline17's stories (one-shot B-cubed
        F1 .896 -> .852).

        Written after looking at entities-dev, where Sarah Palin's, Michelle
        Obama's and Ted Cruz's coverage had become one story of 1,954
        articles, and with 10, 20 and 30 articles compared on it and on
        Timeline17, so these figures are in-sample: entities-dev one-shot
        B-cubed F1 .793 -> .828, in 20 batches .808 -> .830; Timeline17
        one-shot unchanged (.896), in 20 batches .908 -> .901 (a story of 42
        articles, its centroid at .02 from the Syrian war's, was left out of
        it; before, it had gone in through a wrong merge into Libya's war).
        """
        least = self.params.subject_articles
        if one.size < least or other.size < least:
            return False
        return self._lacks(one, other) and self._lacks(other, one)

    def _lacks(self, one: Story, other: Story) -> bool:
        """Whether ``other`` hardly names the subject of ``one`` (see :meth:`_apart`)."""
        counts = self._name_counts(one)
        named = sorted(n for n, c in counts.items() if c >= self.params.subject_share * one.size)
        if not named:
            return False
        weights = self._idfs(named) * np.array([counts[n] for n in named], dtype=float)
        subject = named[int(np.argmax(weights))]
        share = counts[subject] / one.size
        enough = self.params.subject_rare * share * other.size
        names = self._name_counts(other)
        if names.get(subject, 0) >= enough:
            return False
        # The subject as other outlets spell it (Gaddafi, Gadhafi, Qaddafi):
        # Reuters' and CNN's coverage of the Libyan war were otherwise two
        # subjects, and stayed two stories when fed newest first.
        return not any(count >= enough and _spelled_alike(name, subject)
                       for name, count in names.items())

    def _names_of(self, item: Item) -> list[str]:
        """The entities an article names, kept: a story's name counts are made
        again from its members whenever its sum is."""
        names = self._names.get(item.article_id)
        if names is None:
            names = self._names[item.article_id] = _named(item.terms)
        return names

    def _name_counts(self, story: Story) -> dict[str, int]:
        """How many members of the story name each entity (counted from them when unknown)."""
        if story.names is None:
            self.prepare(story.members)
            items = self.items
            counts = Counter(chain.from_iterable(self._names_of(items[a]) for a in story.members))
            story.names = {name: int(n) for name, n in
                           top_terms(counts, self.params.total_terms).items()}
            # Saved with the sum; a story whose sum is unread counts them again
            # the next time they are needed.
            story.changed = story.changed or story.total is not None
        return story.names

    def _span_of(self, story_ids: Iterable[str]) -> tuple[date | None, date | None]:
        """First and last day of the stories (None, None when one is undated)."""
        return _bounds([day for story_id in story_ids
                        for day in (self.stories[story_id].start, self.stories[story_id].end)])

    def _similarity(self, one: Story, other: Story) -> float:
        limit = self.params.centroid_terms
        return _cosine(one.centroid(limit), other.centroid(limit)) * self.span_decay(one, other)

    def _move(self, focus: set[str], changes: Changes, also: Collection[str] = ()) -> None:
        """Members of the focus stories, and the articles ``also``, that fit another story
        better move to it.

        A member's fit to its own story is measured without it (its own
        weight would always make it fit); one that fits no story any more
        leaves, and those that left start stories of their own together.

        An article alone in its story is adopted, as a story of one, by the
        story it fits best among those :meth:`_adopts` allows: it fits that
        story as well as the members that stay in it. ``join`` is higher so
        that stories do not chain while they are young; a lone article
        looked at by a repair is compared with stories already made. On
        Timeline17 (in-sample), before this rule, 346 of 4,622 articles were
        left alone, and for 86 % of the articles in stories of one or two
        the nearest bigger story was their topic's.
        """
        members = sorted({a for s in focus for a in self.stories[s].members}
                         | {a for a in also if a in self.story_of})
        if not members:
            return
        self.prepare(members)
        owners = {self.story_of[a] for a in members}
        ids = self._within_reach(*_bounds([self.items[a].published for a in members]),
                                 also=owners)
        compared = self._member_rows(members, shared=True)
        scores = self._similarities(compared, [self.items[a].published for a in members], ids)
        own_scores = self._own_scores(members, compared)
        column_of = {s: i for i, s in enumerate(ids)}
        # What _adopts asks of a story taking in a lone article, for all at once.
        sizes = np.array([self.stories[s].size for s in ids], dtype=float)
        starts, ends = self._spans(ids)
        left: list[Item] = []
        moves: dict[str, str] = {}
        for row, article_id in enumerate(members):
            own_id = self.story_of[article_id]
            own = self.stories[own_id]
            own_score = own_scores[row] * self.decay(self.items[article_id].published, own)
            scores[row, column_of[own_id]] = -1.0
            column = int(np.argmax(scores[row]))
            best = float(scores[row, column])
            if best >= self.params.join and best > own_score + self.params.move_margin:
                moves[article_id] = ids[column]
            elif own.size == 1:
                day = _ordinal(self.items[article_id].published)
                adopters = np.where(self._adoptable(1, day, day, sizes, starts, ends),
                                    scores[row], -1.0)
                column = int(np.argmax(adopters))
                if adopters[column] >= self.leave:
                    moves[article_id] = ids[column]
            elif own_score < self.leave:
                left.append(self.items[article_id])
        for article_id, target in moves.items():
            self._relocate(article_id, target, changes)
        for item in left:
            self._detach(item.article_id, changes)
        self._refresh(changes)
        if left:
            for item in left:
                self.count(item.terms, -1)  # add() counts them again
                del self.items[item.article_id]
            changes.update(self.add(left))

    def _own_scores(self, members: Sequence[str], compared: sparse.csr_matrix) -> np.ndarray:
        """Each member's cosine with its own story's sum less itself (0 alone in its story).

        From dot products alone, story by story (``compared`` holds the
        members' vectors as compared, over shared terms; ``f`` is the full
        vector the sum holds): ``(c.T - c.f) / |T - f|``, where
        ``|T - f|^2 = |T|^2 - 2 T.f + |f|^2``.
        """
        from scipy import sparse

        full = self._member_rows(members, shared=False)
        width = max(compared.shape[1], full.shape[1], len(self._columns))
        compared = _widened(compared, width)
        full = _widened(full, width)
        self_overlap = np.asarray(compared.multiply(full).sum(axis=1)).ravel()
        full_norms = np.asarray(full.multiply(full).sum(axis=1)).ravel()
        rows_of: dict[str, list[int]] = {}
        for row, article_id in enumerate(members):
            rows_of.setdefault(self.story_of[article_id], []).append(row)
        self._hold(self.stories[story_id] for story_id in rows_of)
        scores = np.zeros(len(members))
        for story_id, rows in rows_of.items():
            story = self.stories[story_id]
            if story.size <= 1:
                continue
            columns, weights = self._arrays_of(story.held)
            width = max(width, len(self._columns))
            compared, full = _widened(compared, width), _widened(full, width)
            total = sparse.csr_matrix((weights, columns, [0, len(columns)]), shape=(1, width))
            overlap = (compared[rows] @ total.T).toarray().ravel() - self_overlap[rows]
            with_self = (full[rows] @ total.T).toarray().ravel()
            rest = np.sqrt(np.maximum(float(weights @ weights) - 2 * with_self
                                      + full_norms[rows], 0.0))
            scores[rows] = np.divide(overlap, rest, out=np.zeros(len(rows)), where=rest > 0)
        return scores

    def _refresh(self, changes: Changes) -> None:
        """Touched stories left without members end."""
        for story_id in list(changes.touched):
            if story_id in self.stories and not self.stories[story_id].members:
                del self.stories[story_id]
                changes.removed.add(story_id)

    def _split(self, focus: set[str], changes: Changes) -> None:
        """Split each focus story in two where its two halves would not be merged.

        The halves come from two-means on the members' vectors, seeded with
        the member farthest from the centroid and the member farthest from
        that one; the story splits when the halves' similarity (with the
        time decay between their spans) is below ``join``: the one half could
        not even have joined the other, and the smaller half is not one the
        other would take in (:meth:`_adopts`). Halves between ``join`` and
        ``merge`` neither split nor merge, so a repair never undoes the one
        before it. The half with the story's earliest article keeps its id.
        """
        limit = self.params.centroid_terms
        for story_id in sorted(focus, key=_story_order):
            story = self.stories.get(story_id)
            if story is None or story.size < 4:
                continue
            members = sorted(story.members)
            self.prepare(members)
            matrix = self._member_rows(members, shared=False)
            # Only the columns the members use: the term columns are the whole store's.
            used = np.unique(matrix.indices)
            matrix = matrix[:, used]
            centroid = np.asarray(matrix.sum(axis=0)).ravel()
            first = int(np.argmin(matrix @ centroid))
            second = int(np.argmin(matrix @ matrix[first].toarray().ravel()))
            if first == second:
                continue
            seeds = matrix[[first, second]].toarray()
            side = np.zeros(len(members), dtype=bool)
            for _ in range(5):
                side_new = (matrix @ seeds[1]) > (matrix @ seeds[0])
                if side_new.all() or not side_new.any():
                    break
                side = side_new
                seeds = np.vstack([np.asarray(matrix[~side].sum(axis=0)).ravel(),
                                   np.asarray(matrix[side].sum(axis=0)).ravel()])
                seeds /= np.linalg.norm(seeds, axis=1, keepdims=True)
            if side.all() or not side.any():
                continue
            halves = [self._half(members, ~side, matrix, used),
                      self._half(members, side, matrix, used)]
            score = _dot(halves[0].centroid(limit), halves[1].centroid(limit))
            if score * self.span_decay(*halves) >= self.params.join or self._adopts(
                    *halves, score):
                continue  # a half that would be taken back in (see _adopts) stays
            oldest = min(members, key=lambda a: (self.items[a].published is None,
                                                 self.items[a].published or date.min, a))
            leaving = halves[1] if oldest in halves[0].members else halves[0]
            new = Story(self._new_id(), summed=self.documents)
            self.stories[new.id] = new
            changes.created.add(new.id)
            for article_id in sorted(leaving.members):
                self._relocate(article_id, new.id, changes)
            log.debug("story %s split: %d article(s) to %s", story_id, leaving.size, new.id)
        self._refresh(changes)

    def _half(self, members: Sequence[str], rows: np.ndarray, matrix: sparse.csr_matrix,
              columns: np.ndarray) -> Story:
        """The ``rows`` of a story's members as a story of their own, summed in one
        sparse sum (``matrix`` holds the members' vectors over the term ``columns``):
        added member by member, the halves of the stories a repair looks at were a
        tenth of its time."""
        chosen = [article_id for article_id, row in zip(members, rows.tolist(), strict=True)
                  if row]
        sums = np.asarray(matrix[rows].sum(axis=0)).ravel()
        kept = np.nonzero(sums)[0]
        terms = self._terms
        half = Story("half", members=set(chosen), total=dict(zip(
            [terms[c] for c in columns[kept].tolist()], sums[kept].tolist(), strict=True)))
        for article_id in chosen:
            half.widen(self.items[article_id].published)
        return half

    def _relocate(self, article_id: str, target: str, changes: Changes) -> None:
        """Move a member; both sums change by its vector (no recomputing a big story's sum)."""
        self._detach(article_id, changes)
        item = self.items[article_id]
        self._hold([self.stories[target]])
        self.stories[target].add(article_id, self._vector_of(item),
                                 item.published, self.params.total_terms, self._names_of(item))
        self.story_of[article_id] = target
        changes.placed[article_id] = target
        changes.touched.add(target)

    def _detach(self, article_id: str, changes: Changes) -> None:
        source = self.stories[self.story_of.pop(article_id)]
        self._hold([source])
        source.members.discard(article_id)
        item = self.items[article_id]
        total = source.held
        for term, weight in self._vector_of(item).items():
            if term in total:
                total[term] -= weight
        source.count_names(self._names_of(item), -1, self.params.total_terms)
        source.cached = source.row = None
        source.changed = True
        if item.published is not None and item.published in (source.start, source.end):
            # The span moves only when its first or last day leaves: then the
            # others' days are needed, read at once (read one by one for every
            # leaving member, they were a sixth of what 20 updates read).
            self.prepare(source.members)
            dates = [self.items[a].published for a in source.members
                     if self.items[a].published is not None]
            source.start, source.end = (min(dates), max(dates)) if dates else (None, None)
        changes.touched.add(source.id)


# -- small vector helpers -------------------------------------------------------------------


def _spelled_alike(one: str, other: str) -> bool:
    """Whether two entity features are one name spelled two ways (transliterations,
    a dropped hyphen): difflib's similarity ratio of the names at least NAME_VARIANT.

    Errs toward alike ("Austria" and "Australia" pass), which only lets two
    stories merge on their similarity alone, as before the subject rule.
    """
    prefix = len(ENTITY_PREFIX)
    return SequenceMatcher(None, one[prefix:], other[prefix:]).ratio() >= NAME_VARIANT


def _named(terms: Iterable[str]) -> list[str]:
    """The entity features among an article's terms."""
    return [term for term in terms if term.startswith(ENTITY_PREFIX)]


def _unit(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(map(mul, vector.values(), vector.values())))
    return dict(zip(vector, map(truediv, vector.values(), repeat(norm)))) if norm else {}


def _dot(vector: Mapping[str, float], other: Mapping[str, float]) -> float:
    """Dot product of two sparse vectors (the cosine, when both are unit vectors)."""
    if len(other) < len(vector):
        vector, other = other, vector
    # map and operator.mul, not a generator: the same products summed in the
    # same order, at half the cost (a batch compares each new article with
    # the stories its chunk changed, one by one).
    return sum(map(mul, vector.values(), map(other.get, vector, repeat(0.0))))


def _bounds(days: Sequence[date | None]) -> tuple[date | None, date | None]:
    """The first and last of the days; (None, None) when one is None or there are none."""
    if not days or None in days:
        return None, None
    return min(days), max(days)  # type: ignore[type-var]


def _ordinal(day: date | None) -> float:
    return float(day.toordinal()) if day is not None else math.nan


def _cosine(vector: Mapping[str, float], other: Mapping[str, float]) -> float:
    """Cosine of a unit vector with any vector."""
    norm = math.sqrt(sum(map(mul, other.values(), other.values())))
    if not norm:
        return 0.0
    return sum(map(mul, vector.values(), map(other.get, vector, repeat(0.0)))) / norm


def _stacked(parts: Sequence[tuple[np.ndarray, np.ndarray]], width: int) -> sparse.csr_matrix:
    """Rows given as (column indices, weights), stacked into one sparse matrix."""
    from scipy import sparse

    pointers = np.cumsum([0, *(len(indices) for indices, _ in parts)])
    indices = np.concatenate([i for i, _ in parts]) if parts else np.zeros(0, np.int64)
    data = np.concatenate([d for _, d in parts]) if parts else np.zeros(0)
    return sparse.csr_matrix((data, indices, pointers), shape=(len(parts), max(width, 1)))


def _widened(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """The matrix with ``width`` columns (term columns are only ever added, at the end)."""
    if matrix.shape[1] < width:
        matrix = matrix.copy()
        matrix.resize((matrix.shape[0], width))
    return matrix


def _numeric(story_id: str) -> int:
    return int(story_id) if story_id.isdigit() else 0


def _story_order(story_id: str) -> tuple[int, str]:
    return (_numeric(story_id), story_id)

