"""Stories in the store: the tracker's state loaded from it, and its changes written back.

The tables (store migrations 5 to 9) hold each article's raw term weights
(``story_terms``, as ids of the vocabulary and weights: see
:mod:`.terms`; written with the article by the ingest, or here for an
article stored without them), its story (``story_members``), the stories'
titles, spans and sums of their members' vectors (``stories``), the ids of
stories merged into others (``story_aliases``), the vocabulary with each
term's document frequency (``story_vocab``: counted in by
:func:`save_terms`, counted out by a trigger when an article goes) and the
terms of members deleted from the store (``story_departures``, also by a
trigger).

An update reads the stories' memberships and spans, and only the sums,
articles and frequencies it comes to need (:class:`StoreSource`): the sums
of the stories within reach of its articles in time
(:attr:`StoryTracker.reach_days`), the new articles, the members of the
stories it repairs. So it costs what it changes, not what is stored (a
one-article update into a store of 200,000 articles used to read all their
terms, 32 s; into a store of ten years of stories, every story's sum).

An update runs in one write transaction, from loading to saving, so two
ingests into one store never place articles against each other's stale
state. Articles without a story (new ones, changed ones, whose rows went
with their old content, and any whose ingest was cut off before its
stories were updated) are the ones placed.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, date, datetime

import numpy as np
import orjson

from storyline.errors import NotFoundError
from storyline.model import StoryMember, StorySummary
from storyline.stories.features import article_terms
from storyline.stories.terms import StoredTerms
from storyline.stories.tracker import (
    Changes,
    Item,
    StoredStory,
    StoryParams,
    StoryTracker,
)
from storyline.store import Store, encode_story_terms

log = logging.getLogger(__name__)


def update_stories(store: Store, params: StoryParams | None = None, *,
                   only: Iterable[str] | None = None) -> Changes:
    """Place every stored article that has no story yet, then repair the stories touched.

    ``only`` places just those of them (a benchmark feeding a store's
    articles to its stories in batches). Returns what changed (nothing,
    quickly, when every article has its story).
    """
    with store.atomic():
        pending = [row[0] for row in store.conn.execute(
            "SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM story_members)"
            " ORDER BY rowid")]
        if only is not None:
            wanted = set(only)
            pending = [article_id for article_id in pending if article_id in wanted]
        departed = store.conn.execute(
            "SELECT story_id, ids, weights FROM story_departures ORDER BY rowid").fetchall()
        unsummed = store.conn.execute(
            "SELECT 1 FROM stories WHERE total IS NULL LIMIT 1").fetchone()
        if not pending and not departed and not unsummed:
            return Changes()
        now = _now()
        source = StoreSource(store)
        tracker = StoryTracker(params, new_id=lambda: _new_story(store, now), source=source)
        changes = tracker.restore_stories(
            _stored_stories(store, {str(story_id) for story_id, _, _ in departed}),
            store.conn.execute("SELECT count(*) FROM story_terms").fetchone()[0])
        for story_id, ids, weights in departed:
            tracker.depart(str(story_id), source.decoded(ids, weights), changes)
        # Terms the ingest wrote with the article (and counted in the store's
        # frequencies) are read; those of articles stored without them (by an
        # older storyline, or for evaluation) are made from the text now.
        stored = list(source.items(pending))
        have = {item.article_id for item in stored}
        made = [Item(article.id, article.published,
                     article_terms(article.title, article.text, entities))
                for article, entities in store.articles_with_entities(
                    [a for a in pending if a not in have])]
        changes.update(tracker.add(stored + made, counted=have))
        changes.update(tracker.repair(changes.touched))
        _save(store, tracker, changes, made, now)
        store.conn.execute("DELETE FROM story_departures")
    log.info("stories: %d article(s) placed, %d story(ies) changed, %d new, %d merged",
             len(changes.placed), len(changes.touched), len(changes.created),
             len(changes.merged))
    return changes


#: Frequencies asked for by one update past which it counts the stored terms,
#: to see whether reading them all would be cheaper (:meth:`StoreSource.frequencies`).
WHOLE_TABLE_AFTER = 20_000


class StoreSource:
    """The placed articles and document frequencies of a store, read as a tracker needs them.

    One source serves one update, inside its transaction: what it reads does
    not change under it.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        #: Terms whose frequencies were asked for so far by their words.
        self._asked = 0
        #: How many terms the store has (counted once many were asked for).
        self._stored: int | None = None
        #: Every stored frequency, once it became cheaper to read them all.
        self._all: dict[str, int] | None = None
        #: The terms of the vocabulary ids read so far.
        self._terms: dict[int, str] = {}

    def items(self, article_ids: Collection[str]) -> Iterable[Item]:
        rows = _select_in(self.store, "SELECT t.article_id, t.ids, t.weights, a.published"
                          " FROM story_terms t JOIN articles a ON a.id = t.article_id",
                          "t.article_id", article_ids)
        for article_id, ids, weights, published in rows:
            yield Item(article_id, _day(published), self.decoded(ids, weights))

    def decoded(self, ids: str, weights: bytes) -> StoredTerms:
        """Stored terms (see :func:`storyline.store.encode_story_terms`), named by this source."""
        return StoredTerms(np.array(orjson.loads(ids), dtype=np.int64),
                           np.frombuffer(weights, dtype="<f8"), self)

    def describe(self, ids: Collection[int]) -> list[tuple[int, str, int]]:
        """(id, term, document frequency) of vocabulary ids (the tracker's ``_know``).

        One query whatever the number of ids, given as one JSON array: an
        update reads tens of thousands, and the same 500 at a time cost 40 %
        more.
        """
        cursor = self.store.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            "SELECT v.id, v.term, v.df FROM json_each(?) j JOIN story_vocab v ON v.id = j.value",
            (orjson.dumps(list(ids)).decode(),)).fetchall()
        self._terms.update((i, term) for i, term, _ in rows)
        return rows

    def terms(self, ids: Collection[int]) -> list[str]:
        known = self._terms
        unread = [i for i in ids if i not in known]
        if unread:
            self.describe(unread)
        return [known[i] for i in ids]

    def frequencies(self, terms: Collection[str]) -> Mapping[str, int]:
        """The stored frequencies of ``terms``, or of every stored term.

        An update that asks for a quarter of the stored terms or more reads
        the whole table in one scan, which then answers the rest of its
        questions: looked up 500 at a time, a term costs about three times
        what it costs in a scan. A small update into a big store never
        counts its terms. (Most frequencies come with the vocabulary ids
        that :meth:`describe` reads; these are of the words of stories'
        sums, and of articles whose terms were made from their text.)
        """
        if self._all is None:
            self._asked += len(terms)
            if self._stored is None and self._asked >= WHOLE_TABLE_AFTER:
                self._stored = self.store.conn.execute(
                    "SELECT count(*) FROM story_vocab").fetchone()[0]
            if self._stored is not None and 4 * self._asked >= self._stored:
                cursor = self.store.conn.cursor()
                cursor.row_factory = None
                self._all = dict(cursor.execute("SELECT term, df FROM story_vocab"))
        if self._all is not None:
            return self._all
        return dict(_select_in(self.store, "SELECT term, df FROM story_vocab", "term", terms))

    def totals(self, story_ids: Collection[str]) -> Mapping[str, Mapping[str, float] | None]:
        return self._by_story("total", story_ids)

    def names(self, story_ids: Collection[str]) -> Mapping[str, Mapping[str, int] | None]:
        return self._by_story("names", story_ids)

    def _by_story(self, column: str, story_ids: Collection[str]) -> dict[str, dict | None]:
        """A JSON column of the stories, decoded (None where NULL)."""
        rows = _select_in(self.store, f"SELECT id, {column} FROM stories", "id",
                          [int(s) for s in story_ids])
        return {str(story_id): orjson.loads(value) if value is not None else None
                for story_id, value in rows}


def _stored_stories(store: Store, departed: set[str]) -> Iterable[StoredStory]:
    """Every story with its members; the span of one that lost members is read afresh.

    Sums are left unread (the tracker reads those it needs), except those
    of the stories that lost members, which are corrected now.
    """
    members: dict[str, set[str]] = defaultdict(set)
    for article_id, story_id in store.conn.execute(
            "SELECT article_id, story_id FROM story_members"):
        members[str(story_id)].add(article_id)
    spans = {str(story_id): (start, end) for story_id, start, end in _select_in(
        store, "SELECT m.story_id, min(a.published), max(a.published) FROM story_members m"
               " JOIN articles a ON a.id = m.article_id", "m.story_id",
        [int(s) for s in departed], group="m.story_id")}
    rows = store.conn.execute(
        'SELECT id, start, "end", checked, summed, total IS NULL, CASE WHEN id IN'
        " (SELECT story_id FROM story_departures) THEN total END, CASE WHEN id IN"
        " (SELECT story_id FROM story_departures) THEN names END FROM stories ORDER BY id")
    for story_id, start, end, checked, summed, never_summed, total, names in rows:
        story_id = str(story_id)
        if story_id in departed:
            start, end = spans.get(story_id, (None, None))
        yield StoredStory(story_id, frozenset(members.get(story_id, ())),
                          orjson.loads(total) if total is not None else None,
                          _day(start), _day(end), checked, summed,
                          unread=not never_summed and story_id not in departed,
                          names=orjson.loads(names) if names is not None else None)


def _new_story(store: Store, now: str) -> str:
    cursor = store.conn.execute(
        "INSERT INTO stories (created_at, updated_at) VALUES (?, ?)", (now, now))
    return str(cursor.lastrowid)


def save_terms(store: Store, terms: Iterable[tuple[str, Mapping[str, float]]]) -> None:
    """Store articles' story terms and count them into the document frequencies.

    Counted once per term of the whole batch, one upsert each, rather than
    once per term of every article: a batch of articles on one subject
    shares most of its terms. An article given twice keeps its last terms.
    """
    latest = dict(terms)
    if not latest:
        return
    counts = Counter(term for weights in latest.values() for term in weights)
    conn = store.conn
    with store.atomic():
        # Deleted, then inserted: REPLACE would not fire the trigger that
        # takes the old terms out of the document frequencies.
        conn.executemany("DELETE FROM story_terms WHERE article_id = ?",
                         [(article_id,) for article_id in latest])
        # Every term of the batch counted in and its id returned by one
        # statement: one upsert per term from Python, then a query for the
        # ids, cost twice as much.
        cursor = conn.cursor()
        cursor.row_factory = None
        ids = dict(cursor.execute(
            "INSERT INTO story_vocab (term, df) SELECT key, value FROM json_each(?) WHERE true"
            " ON CONFLICT (term) DO UPDATE SET df = df + excluded.df RETURNING term, id",
            (orjson.dumps(counts).decode(),)).fetchall())
        conn.executemany(
            "INSERT INTO story_terms (article_id, ids, weights) VALUES (?, ?, ?)",
            [(article_id, *encode_story_terms(list(map(ids.__getitem__, weights)),
                                              weights.values()))
             for article_id, weights in latest.items()])


def _save(store: Store, tracker: StoryTracker, changes: Changes, made: list[Item],
          now: str) -> None:
    conn = store.conn
    save_terms(store, ((item.article_id, item.terms) for item in made))
    conn.executemany(
        "INSERT INTO story_members (article_id, story_id, added_at) VALUES (?, ?, ?)"
        " ON CONFLICT (article_id) DO UPDATE SET story_id = excluded.story_id",
        [(article_id, int(story_id), now) for article_id, story_id in changes.placed.items()])
    for gone, kept in changes.merged:
        conn.execute("UPDATE story_aliases SET story_id = ? WHERE story_id = ?",
                     (int(kept), int(gone)))
        conn.execute("INSERT OR REPLACE INTO story_aliases (old_id, story_id) VALUES (?, ?)",
                     (int(gone), int(kept)))
    ended = {gone for gone, _ in changes.merged} | changes.removed
    ended -= set(tracker.stories)
    conn.executemany("DELETE FROM stories WHERE id = ?", [(int(s),) for s in ended])
    touched = (changes.touched | changes.created) & set(tracker.stories)
    # A title is chosen again when the story's members were looked at again
    # (see StoryTracker.repair), not for every article that joins it.
    retitled = {s for s in touched if s in changes.created
                or tracker.stories[s].checked == tracker.stories[s].size}
    titles = _titles(store, tracker, retitled)
    conn.executemany(
        'UPDATE stories SET title = coalesce(?, title), start = ?, "end" = ?, articles = ?,'
        " checked = ?, updated_at = ? WHERE id = ?",
        [(titles.get(s), _iso(tracker.stories[s].start), _iso(tracker.stories[s].end),
          tracker.stories[s].size, tracker.stories[s].checked, now, int(s))
         for s in sorted(touched, key=int)])
    # Sums and repair marks change without a reader seeing it (a repair
    # that summed a story afresh): saved, but updated_at is left alone.
    resummed = sorted((s for s, story in tracker.stories.items() if story.changed), key=int)
    conn.executemany(
        "UPDATE stories SET total = ?, names = ?, summed = ?, checked = ? WHERE id = ?",
        [(_json(tracker.stories[s].total), _json_or_null(tracker.stories[s].names),
          tracker.stories[s].summed, tracker.stories[s].checked, int(s)) for s in resummed])


def _json(weights: Mapping[str, float]) -> str:
    # orjson: five times the json module's speed, on the single writer; with
    # NumPy's scalars too, should a weight come straight from an array.
    return orjson.dumps(weights, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _json_or_null(counts: Mapping[str, int] | None) -> str | None:
    return None if counts is None else _json(counts)


def _titles(store: Store, tracker: StoryTracker, story_ids: set[str]) -> dict[str, str]:
    """Each story's title: the headline of the member closest to its centroid.

    A member's headline, not generated words: it reads like a headline and
    says what the story is about in the words of its coverage. Ties go to
    the earliest article.
    """
    best = {story_id: tracker.central_member(story_id) for story_id in story_ids}
    headlines = {row[0]: row[1] for row in _select_in(
        store, "SELECT id, title FROM articles", "id", set(best.values()))}
    return {s: headlines.get(best[s], "") for s in story_ids}


def _select_in(store: Store, sql: str, column: str, values: Iterable[object], *,
               group: str | None = None) -> list[tuple]:
    """``sql WHERE column IN (values)`` in chunks (SQLite limits a statement's parameters)."""
    values = list(values)
    rows: list[tuple] = []
    grouping = f" GROUP BY {group}" if group else ""
    # Plain tuples: an update reads the frequencies of tens of thousands of
    # terms, and making sqlite3.Row objects to copy them into tuples was
    # most of what those reads cost.
    cursor = store.conn.cursor()
    cursor.row_factory = None
    for first in range(0, len(values), 500):
        chunk = values[first:first + 500]
        marks = ",".join("?" * len(chunk))
        rows += cursor.execute(f"{sql} WHERE {column} IN ({marks}){grouping}", chunk).fetchall()
    return rows


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- reading -------------------------------------------------------------------------------


def resolve_story(store: Store, story_id: str) -> str:
    """The id of the story ``story_id`` names now (a merged story's id leads to its survivor).

    NotFoundError when no story ever had that id.
    """
    if not story_id.strip().isdigit():
        raise NotFoundError(f"no story with id {story_id!r} in this store (story ids are numbers; "
                            f"`storyline stories --db DB` lists them)")
    number = int(story_id)
    if store.conn.execute("SELECT 1 FROM stories WHERE id = ?", (number,)).fetchone():
        return str(number)
    row = store.conn.execute("SELECT story_id FROM story_aliases WHERE old_id = ?",
                             (number,)).fetchone()
    if row is None:
        raise NotFoundError(f"no story with id {story_id!r} in this store; "
                            f"`storyline stories --db DB` lists them")
    return str(row[0])


def story_article_ids(store: Store, story_id: str) -> list[str]:
    """The story's articles in publication order (undated last)."""
    resolved = resolve_story(store, story_id)
    return [row[0] for row in store.conn.execute(
        "SELECT a.id FROM story_members m JOIN articles a ON a.id = m.article_id"
        " WHERE m.story_id = ? ORDER BY a.published IS NULL, a.published, a.rowid",
        (int(resolved),))]


def list_stories(store: Store, *, since: date | None = None, members: bool = False,
                 story_ids: Iterable[str] | None = None) -> list[StorySummary]:
    """Stories, largest first (ties: latest update, then id).

    ``since`` keeps the stories changed on or after that day (UTC), and
    only those; ``members`` adds each story's articles.
    """
    sql = 'SELECT id, title, start, "end", articles, updated_at FROM stories WHERE articles > 0'
    params: list[object] = []
    if since:
        sql += " AND updated_at >= ?"
        params.append(since.isoformat())
    if story_ids is not None:
        wanted = [int(resolve_story(store, s)) for s in story_ids]
        sql += f" AND id IN ({','.join('?' * len(wanted))})"
        params += wanted
    sql += " ORDER BY articles DESC, updated_at DESC, id"
    rows = store.conn.execute(sql, params).fetchall()
    ids = [row[0] for row in rows]
    sources: dict[int, list[str]] = defaultdict(list)
    listed: dict[int, list[StoryMember]] = defaultdict(list)
    for story_id, source in _select_in(
            store, "SELECT DISTINCT m.story_id, a.source FROM story_members m"
                   " JOIN articles a ON a.id = m.article_id", "m.story_id", ids):
        if source:
            sources[story_id].append(source)
    if members:
        for story_id, article_id, origin, published, added_at, source in sorted(_select_in(
                store, "SELECT m.story_id, a.id, a.origin, a.published, m.added_at, a.source"
                       " FROM story_members m JOIN articles a ON a.id = m.article_id",
                "m.story_id", ids), key=lambda r: (r[0], r[3] is None, r[3] or "", r[1])):
            listed[story_id].append(StoryMember(article_id, origin, _day(published),
                                                added_at, source))
    return [
        StorySummary(
            id=str(story_id), title=title, articles=count,
            sources=tuple(sorted(sources[story_id], key=str.lower)),
            start=_day(start),
            end=_day(end),
            updated=updated,
            members=tuple(listed[story_id]) if members else None,
        )
        for story_id, title, start, end, count, updated in rows
    ]


def story_volume(store: Store, story_id: str) -> list[tuple[date, int]]:
    """Articles per publication day of a story, for the page's small chart."""
    resolved = resolve_story(store, story_id)
    return [(date.fromisoformat(day), count) for day, count in store.conn.execute(
        "SELECT a.published, count(*) FROM story_members m JOIN articles a ON a.id = m.article_id"
        " WHERE m.story_id = ? AND a.published IS NOT NULL GROUP BY a.published"
        " ORDER BY a.published", (int(resolved),))]


def story_copies(store: Store, story_id: str) -> list[tuple[str, list[tuple[str, int]]]]:
    """Who ran whose text within a story: each original with the members that copied it.

    From the store's copy graph (``Store.link_copies``: the earliest
    published of two articles sharing sentences is the original), kept to
    pairs that are both in the story. Originals in publication order, each
    with ``(copier id, sentences shared)`` in publication order.
    """
    resolved = int(resolve_story(store, story_id))
    rows = store.conn.execute(
        "SELECT c.original_id, c.article_id, c.sentences FROM copies c"
        " JOIN story_members o ON o.article_id = c.original_id AND o.story_id = ?"
        " JOIN story_members m ON m.article_id = c.article_id AND m.story_id = ?"
        " JOIN articles oa ON oa.id = c.original_id JOIN articles ca ON ca.id = c.article_id"
        " ORDER BY oa.published IS NULL, oa.published, oa.rowid,"
        " ca.published IS NULL, ca.published, ca.rowid", (resolved, resolved))
    grouped: dict[str, list[tuple[str, int]]] = {}
    for original, copier, sentences in rows:
        grouped.setdefault(original, []).append((copier, sentences))
    return list(grouped.items())
