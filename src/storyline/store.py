"""The one place storyline's data lives: a single SQLite file.

SQLite needs nothing started, keeps everything in one file a user can copy,
and ships FTS5 for full-text search. The Store owns the connection; writes
happen inside ``atomic()`` (savepoints, so they nest) and every write is an
idempotent upsert keyed by the article id and a hash of its content.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import sqlite3
import sys
import time
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, wraps
from datetime import date, datetime, UTC
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import orjson

from storyline.errors import NotFoundError, QueryError, StoreError
from storyline.model import (
    AnnotatedArticle,
    Article,
    Entity,
    Granularity,
    Sentence,
    TimeMention,
)

log = logging.getLogger(__name__)
R = TypeVar("R")

#: PRAGMA application_id of a storyline store ("STLN"), to tell it from other SQLite files.
APPLICATION_ID = 0x53544C4E
#: Seconds a writer waits for another writer (an ingest, the server) before giving up.
BUSY_TIMEOUT_S = 120.0


def _story_vocabulary(conn: sqlite3.Connection) -> None:
    """Migration 9: each article's story terms as vocabulary ids (a JSON array,
    which the triggers read with ``json_each``) and weights (float64, little-endian).

    A stories update reads the terms of every member of the stories it
    repairs, tens of thousands a time: decoding each as a JSON object of
    words and finding each word's column took about 90 µs an article, and
    the words' frequencies were looked up by the words again. Ids are
    read in a fraction of that, and each id's word and frequency once. A
    vocabulary row outlives the articles that had its term (its ``df``
    drops to 0), so the ids of a deleted article's terms, kept for the
    next update in ``story_departures``, still name them.
    """
    for statement in _statements("""
    DROP TRIGGER IF EXISTS story_terms_uncounted;
    DROP TRIGGER IF EXISTS story_member_departs;
    CREATE TABLE story_vocab (
        id INTEGER PRIMARY KEY,
        term TEXT NOT NULL UNIQUE,
        df INTEGER NOT NULL
    );
    INSERT INTO story_vocab (term, df) SELECT term, df FROM story_df ORDER BY term;
    DROP TABLE story_df;
    ALTER TABLE story_terms RENAME TO story_terms_json;
    ALTER TABLE story_departures RENAME TO story_departures_json;
    CREATE TABLE story_terms (
        article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        ids TEXT NOT NULL,
        weights BLOB NOT NULL
    );
    CREATE TABLE story_departures (
        story_id INTEGER NOT NULL,
        ids TEXT NOT NULL,
        weights BLOB NOT NULL
    );
    """):
        conn.execute(statement)
    ids = dict(conn.execute("SELECT term, id FROM story_vocab"))

    def encoded(terms: str) -> tuple[str, bytes]:
        weights = orjson.loads(terms)
        for term in [term for term in weights if term not in ids]:  # never counted
            ids[term] = conn.execute(
                "INSERT INTO story_vocab (term, df) VALUES (?, 0)", (term,)).lastrowid
        return encode_story_terms([ids[term] for term in weights], weights.values())

    conn.executemany("INSERT INTO story_terms (article_id, ids, weights) VALUES (?, ?, ?)",
                     [(article_id, *encoded(terms)) for article_id, terms in
                      conn.execute("SELECT article_id, terms FROM story_terms_json").fetchall()])
    conn.executemany("INSERT INTO story_departures (story_id, ids, weights) VALUES (?, ?, ?)",
                     [(story_id, *encoded(terms)) for story_id, terms in conn.execute(
                         "SELECT story_id, terms FROM story_departures_json ORDER BY rowid"
                     ).fetchall()])
    for statement in _statements("""
    DROP TABLE story_terms_json;
    DROP TABLE story_departures_json;
    CREATE TRIGGER story_terms_uncounted AFTER DELETE ON story_terms BEGIN
        UPDATE story_vocab SET df = df - 1 WHERE id IN (SELECT value FROM json_each(old.ids));
    END;
    CREATE TRIGGER story_member_departs BEFORE DELETE ON articles BEGIN
        INSERT INTO story_departures (story_id, ids, weights)
        SELECT m.story_id, t.ids, t.weights FROM story_members m
        JOIN story_terms t ON t.article_id = m.article_id WHERE m.article_id = old.id;
    END;
    """):
        conn.execute(statement)


def encode_story_terms(ids: Sequence[int], weights: Iterable[float]) -> tuple[str, bytes]:
    """An article's story terms as stored: ids as a JSON array, weights as float64 bytes."""
    values = array("d", weights)
    if sys.byteorder == "big":
        values.byteswap()  # stored little-endian, whatever the machine
    return orjson.dumps(list(ids)).decode(), values.tobytes()


#: Schema migrations: entry N brings a store from version N to N + 1.
MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        url TEXT,
        source TEXT,
        title TEXT NOT NULL,
        published TEXT,
        published_precision TEXT NOT NULL DEFAULT 'day',
        text TEXT NOT NULL,
        origin TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE INDEX articles_published ON articles (published);
    CREATE TABLE sentences (
        id INTEGER PRIMARY KEY,
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (article_id, idx)
    );
    CREATE TABLE entities (
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        sentence_index INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        label TEXT NOT NULL
    );
    CREATE INDEX entities_article ON entities (article_id);
    CREATE INDEX entities_text ON entities (text, label);
    CREATE TABLE time_mentions (
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        sentence_index INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        text TEXT NOT NULL,
        granularity TEXT NOT NULL,
        value TEXT NOT NULL
    );
    CREATE INDEX time_mentions_article ON time_mentions (article_id);
    CREATE INDEX time_mentions_value ON time_mentions (value, granularity);
    CREATE TABLE fingerprints (
        key INTEGER NOT NULL,
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        sentence_index INTEGER NOT NULL
    );
    CREATE INDEX fingerprints_key ON fingerprints (key);
    CREATE INDEX fingerprints_article ON fingerprints (article_id);
    CREATE TABLE copies (
        article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        original_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        sentences INTEGER NOT NULL,
        PRIMARY KEY (article_id, original_id)
    );
    CREATE INDEX copies_original ON copies (original_id);
    CREATE VIRTUAL TABLE articles_fts USING fts5 (
        title, text, content='articles', content_rowid='rowid', tokenize='porter unicode61'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.rowid, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
    END;
    CREATE VIRTUAL TABLE sentences_fts USING fts5 (
        text, content='sentences', content_rowid='id', tokenize='porter unicode61'
    );
    CREATE TRIGGER sentences_fts_insert AFTER INSERT ON sentences BEGIN
        INSERT INTO sentences_fts (rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER sentences_fts_delete AFTER DELETE ON sentences BEGIN
        INSERT INTO sentences_fts (sentences_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
    # 2: which evidence an article's publication date came from (issue #13).
    """
    ALTER TABLE articles ADD COLUMN published_from TEXT;
    """,
    # 3: a range's last day, month or year (issue #13); quarters, halves,
    # seasons and decades need no change, their granularity is a name.
    """
    ALTER TABLE time_mentions ADD COLUMN end_value TEXT;
    """,
    # 4: sentences are never searched on their own (queries go to articles_fts),
    # and keeping their full-text index was more than half the writer's time
    # per article (issue #15): the one writer is what limits a cluster ingest.
    """
    DROP TRIGGER sentences_fts_insert;
    DROP TRIGGER sentences_fts_delete;
    DROP TABLE sentences_fts;
    """,
    # 5: stories (issue #16): which story each article is in, what each
    # article is about (for placing the next ones), and the ids of stories
    # merged into others, so that an old link still finds its story.
    # AUTOINCREMENT: a story's id is never given to another, even after it ends.
    """
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL DEFAULT '',
        start TEXT,
        "end" TEXT,
        articles INTEGER NOT NULL DEFAULT 0,
        checked INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX stories_updated ON stories (updated_at);
    CREATE TABLE story_members (
        article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        story_id INTEGER NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE INDEX story_members_story ON story_members (story_id);
    CREATE TABLE story_terms (
        article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        terms TEXT NOT NULL
    );
    CREATE TABLE story_aliases (
        old_id INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL
    );
    """,
    # 6: stories updates that cost what they change (issues #15, #16). The
    # terms' document frequencies are kept by triggers, so they always agree
    # with story_terms whoever writes or deletes; each story keeps the sum
    # of its members' vectors (``total``, JSON; NULL until first summed)
    # and the store's size when it was summed (``summed``); an article
    # deleted with its story leaves its terms in story_departures, for the
    # next update to take out of that story's sum. An update then reads the
    # frequencies of the terms it meets and the members it looks at, not
    # every stored article.
    """
    CREATE TABLE story_df (
        term TEXT PRIMARY KEY,
        df INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO story_df (term, df)
        SELECT j.key, count(*) FROM story_terms t, json_each(t.terms) j GROUP BY j.key;
    ALTER TABLE stories ADD COLUMN total TEXT;
    ALTER TABLE stories ADD COLUMN summed INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE story_departures (
        story_id INTEGER NOT NULL,
        terms TEXT NOT NULL
    );
    CREATE TRIGGER story_terms_counted AFTER INSERT ON story_terms BEGIN
        INSERT INTO story_df (term, df) SELECT key, 1 FROM json_each(new.terms) WHERE true
        ON CONFLICT (term) DO UPDATE SET df = df + 1;
    END;
    CREATE TRIGGER story_terms_uncounted AFTER DELETE ON story_terms BEGIN
        UPDATE story_df SET df = df - 1 WHERE term IN (SELECT key FROM json_each(old.terms));
        DELETE FROM story_df WHERE df <= 0 AND term IN (SELECT key FROM json_each(old.terms));
    END;
    CREATE TRIGGER story_member_departs BEFORE DELETE ON articles BEGIN
        INSERT INTO story_departures (story_id, terms)
        SELECT m.story_id, t.terms FROM story_members m
        JOIN story_terms t ON t.article_id = m.article_id WHERE m.article_id = old.id;
    END;
    """,
    # 7: how many members of each story name each entity (JSON; NULL until
    # counted), so that stories about different people are kept apart
    # without reading every member (issue #16).
    """
    ALTER TABLE stories ADD COLUMN names TEXT;
    """,
    # 8: story terms are written by the ingest that stores their article,
    # a batch at a time, and counted into the document frequencies once per
    # term of the batch (storyline.stories.storage.save_terms) instead of
    # once per term of every article by a trigger: the trigger's upserts
    # were a tenth of what placing articles in stories cost. Deleting
    # still takes them out by trigger, whoever deletes.
    """
    DROP TRIGGER IF EXISTS story_terms_counted;
    """,
    # 9: story terms are kept as ids of a vocabulary (``story_vocab``, which
    # also holds each term's document frequency) and weights, not as a JSON
    # object of words: see _story_vocabulary.
    _story_vocabulary,
)
SCHEMA_VERSION = len(MIGRATIONS)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: How many matches sorting costs as much as one look-up in the full-text index
#: (measured on a synthetic store of 50,000 articles; see ``Store.article_page``).
PROBE_COST = 8
#: Granularity by stored value (a dict lookup instead of an Enum call per mention).
_GRANULARITY = {granularity.value: granularity for granularity in Granularity}
#: Earlier articles sharing a fingerprint key that are checked as originals.
COPY_CANDIDATES_PER_KEY = 4
#: Two fingerprint-matched sentences count as a copy above this word overlap.
COPY_MIN_JACCARD = 0.7


def content_hash(article: Article, salt: str = "") -> str:
    """A hash of everything an article says, but not where it was read from.

    The same article read again from another path or file is unchanged.
    ``salt`` names how it was processed (see ``pipeline.processing_signature``),
    so that stored annotations made by other code or settings count as stale.
    """
    data = article.to_dict()
    data.pop("origin")
    data["_processing"] = salt
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def _sqlite_errors(method: Callable[..., R]) -> Callable[..., R]:
    """SQLite's failures (a damaged page, a full disk) leave as StoreError naming the file."""
    @wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> R:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            raise StoreError(_describe(self.path, exc)) from None
    return wrapper


@dataclass(frozen=True, slots=True)
class Copy:
    """``article_id`` repeats ``sentences`` sentences of the earlier ``original_id``."""

    article_id: str
    original_id: str
    sentences: int


class Store:
    """A storyline database file; use as a context manager or call ``close()``.

    Several processes may use one store at once (a server, a CLI ingest, a
    build): SQLite's write-ahead log lets readers go on while one writer
    writes, and a writer that finds the store busy waits up to ``timeout``
    seconds for its turn instead of failing.
    """

    def __init__(self, path: str | Path = "storyline.db", *, create: bool = True,
                 verify: bool = False, timeout: float = BUSY_TIMEOUT_S) -> None:
        """Open (and, with ``create``, set up or migrate) a store.

        With ``create=False`` only an existing storyline database is
        accepted, for commands that read and must not make an empty one.
        A store in a read-only file or folder is opened for reading.
        ``verify`` reads every page first (see ``check``): for writers,
        which must not add to a damaged file, and for a server's start.
        """
        self.path = str(path)
        self.timeout = timeout
        self._depth = 0
        self.conn, self.read_only = _connect(self.path, create=create, timeout=timeout)
        try:
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._check_and_migrate(create)
            if verify:
                self.check()
        except BaseException as exc:
            self.conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(_describe(self.path, exc, untouched=True)) from None
            raise

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _identity(self) -> tuple[int, int, set[str]]:
        """(application_id, user_version, names of the schema's objects), read at one moment."""
        outer = self.conn.in_transaction
        if not outer:
            self.conn.execute("BEGIN")
        try:
            app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            names = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master")}
        finally:
            if not outer:
                self.conn.execute("COMMIT")
        return app_id, version, names

    def _check_and_migrate(self, create: bool) -> None:
        """Tell a storyline store from everything else, then bring it up to date.

        Whoever else may be opening the same new file at this moment, only
        one of them sets it up: the decision is taken again inside the
        write transaction, where no one else can change it.
        """
        app_id, version, names = self._identity()
        if _verdict(self.path, app_id, version, names, create) == "ok":
            return
        if self.read_only:
            raise StoreError(
                f"{self.path}: written by an older storyline (schema {version}); upgrading it "
                f"needs write access to the file and its folder"
            )
        self._use_wal()
        with self._transaction():
            app_id, version, names = self._identity()
            if _verdict(self.path, app_id, version, names, create) == "ok":
                return
            for number in range(version, SCHEMA_VERSION):
                log.info("migrating %s to schema %d", self.path, number + 1)
                _run_migration(self.conn, MIGRATIONS[number])
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _use_wal(self) -> None:
        """Switch to the write-ahead log, which lets readers and one writer work at once.

        The switch needs the file to itself for a moment, and SQLite
        answers "locked" at once, without waiting, while anyone else has it
        open; so it is tried again until the busy timeout.
        """
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if not exc.sqlite_errorname.startswith("SQLITE_BUSY") or (
                        time.monotonic() > deadline):
                    raise
                time.sleep(0.01 + random.random() * 0.05)

    def check(self) -> None:
        """Read every page of the store: StoreError if any of it is damaged.

        Takes about a second per few hundred MB; for ``storyline serve``'s
        start and for ``storyline check``, not for every command.
        """
        try:
            problems = [row[0] for row in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            raise StoreError(_describe(self.path, exc)) from None
        if problems != ["ok"]:
            raise StoreError(
                f"{self.path}: the store is damaged ({'; '.join(problems)}); restore it from a "
                f"backup, or ingest the articles again into a new file"
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction that takes the write lock at once.

        ``BEGIN IMMEDIATE`` waits (up to the busy timeout) for another
        writer to finish; a deferred transaction that read first could
        instead fail at its first write, after work was done.
        """
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def reserve_cache(self, mib: int) -> None:
        """Let this connection keep up to ``mib`` MiB of the file's pages in memory.

        For a bulk writer: SQLite's default is 2 MiB, and the fingerprint
        keys it indexes are random, so each new one lands on a different
        page of a large index. With 64 MiB the writer stored 400 articles
        into a Timeline17 store 20 to 30 % faster (issue #15). The pages are only
        taken as they are read.
        """
        self.conn.execute(f"PRAGMA cache_size = -{int(mib) * 1024}")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """All writes inside happen, or none do; nests with savepoints.

        Failures of the database itself (disk full, the store busy for too
        long, a damaged file) leave as StoreError saying what happened.
        """
        if self.read_only:
            raise StoreError(f"{self.path}: cannot write: the file or its folder is read-only")
        self._depth += 1
        try:
            if self._depth == 1:
                with self._transaction():
                    yield
            else:
                name = f"storyline_{self._depth}"
                self.conn.execute(f"SAVEPOINT {name}")
                try:
                    yield
                except BaseException:
                    if self.conn.in_transaction:
                        self.conn.execute(f"ROLLBACK TO {name}")
                        self.conn.execute(f"RELEASE {name}")
                    raise
                self.conn.execute(f"RELEASE {name}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(_describe(self.path, exc)) from None
        finally:
            self._depth -= 1

    # -- writing ---------------------------------------------------------------

    @_sqlite_errors
    def status(self, article_id: str, digest: str) -> str:
        """``new``, ``unchanged`` or ``changed``: whether storing would change anything."""
        row = self.conn.execute(
            "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return "new"
        return "unchanged" if row["content_hash"] == digest else "changed"

    @_sqlite_errors
    def put(self, annotated: AnnotatedArticle, digest: str,
            fingerprints: Sequence[Sequence[int]] = ()) -> None:
        """Insert or replace one article with everything found in it."""
        article = annotated.article
        with self.atomic():
            self.conn.execute("DELETE FROM articles WHERE id = ?", (article.id,))
            self.conn.execute(
                "INSERT INTO articles (id, url, source, title, published, published_precision,"
                " published_from, text, origin, content_hash, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article.id,
                    article.url,
                    article.source,
                    article.title,
                    article.published.isoformat() if article.published else None,
                    article.published_precision.value,
                    article.published_from,
                    article.text,
                    article.origin,
                    digest,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
            self.conn.executemany(
                'INSERT INTO sentences (article_id, idx, start, "end", text) VALUES (?, ?, ?, ?, ?)',
                [(s.article_id, s.index, s.start, s.end, s.text) for s in annotated.sentences],
            )
            self.conn.executemany(
                'INSERT INTO entities (article_id, sentence_index, start, "end", text, label)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(e.article_id, e.sentence_index, e.start, e.end, e.text, e.label)
                 for e in annotated.entities],
            )
            self.conn.executemany(
                'INSERT INTO time_mentions (article_id, sentence_index, start, "end", text,'
                " granularity, value, end_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(m.article_id, m.sentence_index, m.start, m.end, m.text, m.granularity.value,
                  m.value.isoformat(), m.end_value.isoformat() if m.end_value else None)
                 for m in annotated.time_mentions],
            )
            self.conn.executemany(
                "INSERT INTO fingerprints (key, article_id, sentence_index) VALUES (?, ?, ?)",
                [(key, article.id, index) for index, keys in enumerate(fingerprints)
                 for key in keys],
            )

    @_sqlite_errors
    def link_copies(self, article_id: str, similar: Callable[[str, str], float]) -> list[Copy]:
        """Record which stored articles share sentences with this one, and who was first.

        ``similar`` scores two sentences in [0, 1]; fingerprint matches below
        COPY_MIN_JACCARD are chance collisions and are ignored.

        The earlier-published article is the original; an undated article
        is the copier; on a tie the one stored first is the original.
        """
        # Per fingerprint key, only the first few articles stored with it are
        # looked at: a wire story syndicated to hundreds of outlets then costs
        # a bounded number of lookups per article, not one per earlier copy.
        # One statement, not one per key: the writer is the one process a
        # cluster's results all pass through, and a statement per key (about
        # 340 an article) cost it a sixth of its time (3.5 s against 2.9 s
        # for 791 Timeline17 articles).
        cursor = self.conn.cursor()
        cursor.row_factory = None
        rows = cursor.execute(
            "SELECT f.sentence_index, o.article_id, o.sentence_index"
            " FROM fingerprints f JOIN fingerprints o ON o.rowid IN ("
            "  SELECT rowid FROM fingerprints WHERE key = f.key AND article_id != ?1"
            "  ORDER BY rowid LIMIT ?2)"
            " WHERE f.article_id = ?1 ORDER BY f.rowid, o.rowid",
            (article_id, COPY_CANDIDATES_PER_KEY),
        ).fetchall()
        if not rows:
            return []
        texts = self._sentence_texts({article_id, *(other for _, other, _ in rows)})
        shared: dict[str, set[int]] = defaultdict(set)
        # A copied sentence shares most of its band keys with the original,
        # so the same pair of sentences comes back once per shared key: it
        # is scored once (2,999 scores against 22,816 for 791 Timeline17 articles).
        for index, other, other_index in dict.fromkeys(rows):
            mine = texts.get((article_id, index))
            theirs = texts.get((other, other_index))
            if mine and theirs and similar(mine, theirs) >= COPY_MIN_JACCARD:
                shared[other].add(index)
        order = self._first_published({article_id, *shared})
        found = []
        with self.atomic():
            self.conn.execute(
                "DELETE FROM copies WHERE article_id = ? OR original_id = ?", (article_id, article_id)
            )
            for other, sentences in shared.items():
                copier, original = (
                    (article_id, other) if order[article_id] > order[other] else (other, article_id)
                )
                found.append(Copy(copier, original, len(sentences)))
                self.conn.execute(
                    "INSERT OR REPLACE INTO copies (article_id, original_id, sentences)"
                    " VALUES (?, ?, ?)",
                    (copier, original, len(sentences)),
                )
        return found

    def _sentence_texts(self, ids: set[str]) -> dict[tuple[str, int], str]:
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT article_id, idx, text FROM sentences WHERE article_id IN ({marks})",
            tuple(ids),
        )
        return {(r["article_id"], r["idx"]): r["text"] for r in rows}

    def _first_published(self, ids: set[str]) -> dict[str, tuple[int, str, int]]:
        """A sort key per article: dated before undated, then date, then storage order."""
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id, published, rowid FROM articles WHERE id IN ({marks})", tuple(ids)
        )
        return {
            r["id"]: (0 if r["published"] else 1, r["published"] or "", r["rowid"]) for r in rows
        }

    # -- reading ---------------------------------------------------------------

    @_sqlite_errors
    def data_version(self) -> int:
        """A number that changes whenever another connection commits to this store.

        For caches kept beside an open store: a write by another process (a
        ``storyline ingest`` while the server runs) changes it too.
        """
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    @_sqlite_errors
    def count_articles(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

    @_sqlite_errors
    def article_ids(self, *, query: str | None = None, start: date | None = None,
                    end: date | None = None, entity: str | None = None) -> list[str]:
        """Ids of articles matching a full-text query and published in [start, end].

        An article without a publication date is kept unless a range is given.
        ``entity`` keeps only articles in which an entity with exactly that
        text was found (whatever its label), as the web page's filter offers them.
        """
        sql = "SELECT a.id FROM articles a"
        params: list[object] = []
        where: list[str] = []
        if query:
            sql += " JOIN articles_fts f ON f.rowid = a.rowid"
            where.append("articles_fts MATCH ?")
            params.append(fts_query(query))
        if start:
            where.append("a.published >= ?")
            params.append(start.isoformat())
        if end:
            where.append("a.published <= ?")
            params.append(end.isoformat())
        if entity:
            where.append("a.id IN (SELECT article_id FROM entities WHERE text = ?)")
            params.append(entity)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.published, a.rowid"
        try:
            return [row[0] for row in self.conn.execute(sql, params)]
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_ERROR":  # not the query: the store itself
                raise
            raise QueryError(f"cannot search for {query!r}: {exc}") from None

    @_sqlite_errors
    def added_at(self, ids: Sequence[str]) -> dict[str, str]:
        """When each of these articles was stored (UTC, ISO 8601), by id."""
        return {row["id"]: row["added_at"] for row in self._rows(
            "SELECT id, added_at FROM articles", "id", list(ids), order="rowid")}

    def articles_added_since(self, since: date, ids: Sequence[str]) -> list[str]:
        """Those of these articles stored on or after the day ``since`` (UTC)."""
        return [article_id for article_id, added in self.added_at(ids).items()
                if added >= since.isoformat()]

    @_sqlite_errors
    def article_page(self, *, query: str | None = None, offset: int = 0, limit: int = 20
                     ) -> tuple[int, list[str]]:
        """How many articles match ``query``, and ``limit`` of their ids from ``offset`` on.

        The order is ``article_ids``'. The page is cut by SQLite, with the
        cheaper of two plans: for a word most of the store contains, walk
        the articles in order and ask the full-text index about each until
        the page is full; for a rarer one, sort just the matches. Either way
        a query on a store of hundreds of thousands of articles never lists
        every matching id.
        """
        order = "ORDER BY a.published, a.rowid LIMIT ? OFFSET ?"
        try:
            if not query:
                total = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                return total, [row[0] for row in self.conn.execute(
                    f"SELECT a.id FROM articles a {order}", (limit, offset))]
            words = fts_query(query)
            total = self.conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts"
                                      " MATCH ?", (words,)).fetchone()[0]
            size = self.conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
            if not total:
                return 0, []
            if (offset + limit) * size / total * PROBE_COST < total:
                sql = ("SELECT a.id FROM articles a INDEXED BY articles_published WHERE EXISTS"
                       " (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ?"
                       f" AND rowid = a.rowid) {order}")
            else:
                sql = ("SELECT a.id FROM articles a JOIN articles_fts f ON f.rowid = a.rowid"
                       f" WHERE articles_fts MATCH ? {order}")
            return total, [row[0] for row in self.conn.execute(sql, (words, limit, offset))]
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorname != "SQLITE_ERROR":  # not the query: the store itself
                raise
            raise QueryError(f"cannot search for {query!r}: {exc}") from None

    @_sqlite_errors
    def get_article(self, article_id: str) -> Article:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r} in this store")
        return _article(row)

    @_sqlite_errors
    def load_annotated(self, ids: Iterable[str] | None = None, *,
                       entities: bool = True) -> list[AnnotatedArticle]:
        """Articles with their sentences, entities and time mentions, in storage order.

        ``entities=False`` leaves the entities out: timeline methods do not
        use them, and on thousands of articles they are a good part of the
        loading time.
        """
        wanted = None if ids is None else list(ids)
        articles = self._rows("SELECT * FROM articles", "id", wanted, order="rowid")
        # Sentences are most of the rows: read as plain tuples, in Sentence's field order.
        sentences = self._grouped('SELECT article_id, idx, start, "end", text FROM sentences',
                                  wanted, order="article_id, idx", plain=True)
        entity_rows = (self._grouped("SELECT * FROM entities", wanted, order="article_id, start")
                       if entities else {})
        mentions = self._grouped("SELECT * FROM time_mentions", wanted, order="article_id, start")
        result = []
        for row in articles:
            article = _article(row)
            aid = article.id
            result.append(
                AnnotatedArticle(
                    article,
                    tuple(Sentence(*r) for r in sentences.get(aid, ())),
                    tuple(Entity(aid, r["sentence_index"], r["start"], r["end"], r["text"],
                                 r["label"]) for r in entity_rows.get(aid, ())),
                    tuple(TimeMention(aid, r["sentence_index"], r["start"], r["end"], r["text"],
                                      _GRANULARITY[r["granularity"]],
                                      date.fromisoformat(r["value"]),
                                      _optional_day(r["end_value"]))
                          for r in mentions.get(aid, ())),
                )
            )
        return result

    @_sqlite_errors
    def articles_with_entities(self, ids: Iterable[str]
                               ) -> list[tuple[Article, list[tuple[str, str]]]]:
        """Articles with their entities' (text, label), in storage order.

        What story detection reads of a new article: without the sentences
        and time mentions that :meth:`load_annotated` also reads (most of
        its rows, and most of the time an update of the stories spent
        reading).
        """
        wanted = list(ids)
        articles = self._rows("SELECT * FROM articles", "id", wanted, order="rowid")
        entities = self._grouped("SELECT article_id, text, label FROM entities", wanted,
                                 order="article_id, start", plain=True)
        return [(article, [(text, label) for _, text, label in entities.get(article.id, ())])
                for article in map(_article, articles)]

    @_sqlite_errors
    def copiers(self, article_ids: Iterable[str]) -> set[str]:
        """Those of ``article_ids`` that copied text from another stored article."""
        return {row[0] for row in self._rows("SELECT article_id FROM copies", "article_id",
                                             list(dict.fromkeys(article_ids)), "article_id",
                                             plain=True)}

    @_sqlite_errors
    def copies(self) -> list[Copy]:
        return [
            Copy(r["article_id"], r["original_id"], r["sentences"])
            for r in self.conn.execute("SELECT * FROM copies ORDER BY original_id, article_id")
        ]

    @_sqlite_errors
    def top_entities(self, limit: int = 20) -> list[tuple[str, str, int]]:
        """(text, label, number of articles) for the most widely mentioned entities."""
        rows = self.conn.execute(
            "SELECT text, label, count(DISTINCT article_id) AS n FROM entities"
            " GROUP BY text, label ORDER BY n DESC, text LIMIT ?",
            (limit,),
        )
        return [(r["text"], r["label"], r["n"]) for r in rows]

    @_sqlite_errors
    def articles_by_date(self, ids: Sequence[str]) -> dict[tuple[date, Granularity], set[str]]:
        """For each date, which of these articles have a time mention pointing at it.

        The articles that stand behind a timeline entry, for a reader
        weighing it; read from the mentions alone, without loading articles.
        """
        found: dict[tuple[date, Granularity], set[str]] = defaultdict(set)
        for row in self._rows("SELECT DISTINCT value, granularity, article_id FROM time_mentions",
                              "article_id", list(ids), order="value"):
            found[(date.fromisoformat(row["value"]), Granularity(row["granularity"]))].add(
                row["article_id"])
        return dict(found)

    def _rows(self, sql: str, key: str, ids: list[str] | None, order: str,
              plain: bool = False) -> list[Any]:
        """Rows of ``sql`` whose ``key`` is one of ``ids`` (all without ids).

        ``plain`` rows are tuples, several times cheaper to make than
        sqlite3.Row when there are hundreds of thousands of them.
        """
        cursor = self.conn.cursor()
        if plain:
            cursor.row_factory = None
        if ids is None:
            return cursor.execute(f"{sql} ORDER BY {order}").fetchall()
        rows: list[Any] = []
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows += cursor.execute(
                f"{sql} WHERE {key} IN ({marks}) ORDER BY {order}", chunk
            ).fetchall()
        return rows

    def _grouped(self, sql: str, ids: list[str] | None, order: str, plain: bool = False
                 ) -> dict[str, list[Any]]:
        """Rows by article; a ``plain`` query must select article_id first."""
        grouped: dict[str, list[Any]] = defaultdict(list)
        for row in self._rows(sql, "article_id", ids, order, plain):
            grouped[row[0] if plain else row["article_id"]].append(row)
        return grouped


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: every word must occur, as typed.

    Quoting each word keeps FTS5's operators and punctuation in user input
    from turning into syntax errors; ``a OR b`` is honoured. Control
    characters are never part of an indexed word (a NUL would end FTS5's
    string early), so they separate words like spaces.
    """
    words = _CONTROL.sub(" ", text.replace('"', " ")).split()
    parts: list[str] = []
    for position, word in enumerate(words):
        is_operator = (
            word in ("OR", "AND", "NOT")
            and 0 < position < len(words) - 1
            and parts[-1] not in ("OR", "AND", "NOT")
        )
        parts.append(word if is_operator else f'"{word}"')
    return " ".join(parts) or '""'


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        text=row["text"],
        origin=row["origin"],
        published_precision=Granularity(row["published_precision"]),
        published_from=row["published_from"],
    )


def _optional_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _run_migration(conn: sqlite3.Connection,
                   migration: str | Callable[[sqlite3.Connection], None]) -> None:
    """A migration is SQL, or a function where SQL alone cannot convert the data."""
    if callable(migration):
        migration(conn)
        return
    for statement in _statements(migration):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain inner semicolons)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _connect(path: str, *, create: bool, timeout: float) -> tuple[sqlite3.Connection, bool]:
    """A connection to ``path`` and whether it is read-only; nothing else opens the file.

    The file is never opened from Python, not even to look at its header:
    closing any descriptor of a file drops every POSIX lock this process's
    SQLite connections hold on it, which lets another process write over
    pages a reader here is using (SQLite's "How To Corrupt An SQLite
    Database File", section 2.2). SQLite itself tells what the file is.
    """
    def connect(mode: str) -> sqlite3.Connection:
        uri = f"file:{quote(os.fsencode(Path(path).absolute()))}?{mode}"
        conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None,
                               check_same_thread=False)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    if path == ":memory:":
        return sqlite3.connect(path, isolation_level=None, check_same_thread=False), False
    file = Path(path)
    if file.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if file.exists() and not file.is_file():
        # A FIFO or a device: SQLite fails on it with "disk I/O error" at best.
        raise StoreError(f"{path}: is not a regular file (a FIFO or a device), not a database "
                         f"file; give storyline a file with --db")
    if not file.exists():
        if not file.parent.is_dir():
            raise StoreError(f"{path}: the folder {file.parent} does not exist")
        if not create:
            raise StoreError(f"{path}: no storyline database here; create one with "
                             f"`storyline ingest INPUT --db {path}`")
    try:
        return connect("mode=rwc" if create else "mode=rw"), False
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorname not in _READ_ONLY_ERRORS or not file.exists():
            raise StoreError(_describe(path, exc, untouched=True)) from None
    # A read-only file or folder: read what is there. SQLite needs to make
    # a shared-memory file beside a WAL database even to read it; where it
    # cannot, the file is read as immutable, which is only safe when no
    # writer left committed pages in a -wal file (none could be writing).
    try:
        return connect("mode=ro"), True
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorname not in _READ_ONLY_ERRORS:
            raise StoreError(_describe(path, exc, untouched=True)) from None
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(f"{path}: read-only, and its last writes are still in {wal.name}, "
                         f"which only a writer can fold in; copy both files to a writable "
                         f"folder and open the copy")
    try:
        return connect("mode=ro&immutable=1"), True
    except sqlite3.DatabaseError as exc:
        raise StoreError(_describe(path, exc, untouched=True)) from None


#: SQLite's answers when a file can be read but not written.
_READ_ONLY_ERRORS = frozenset({"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_READONLY_DIRECTORY",
                               "SQLITE_READONLY_CANTINIT", "SQLITE_READONLY_RECOVERY",
                               "SQLITE_READONLY_CANTLOCK", "SQLITE_PERM", "SQLITE_AUTH"})


def _describe(path: str, exc: sqlite3.DatabaseError, *, untouched: bool = False) -> str:
    """One line saying what SQLite's failure means for the user, and what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    left = "; it was left untouched" if untouched else ""
    if name == "SQLITE_NOTADB":
        return (f"{path}: not a SQLite database (another kind of file, or one damaged beyond "
                f"recognition){left}")
    if name.startswith("SQLITE_CORRUPT"):
        return (f"{path}: the store is damaged ({exc}); restore it from a backup, or ingest "
                f"the articles again into a new file{left}")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (f"{path}: the store stayed busy: another process kept writing to it for longer "
                f"than the wait allowed ({exc})")
    if name == "SQLITE_FULL":
        return f"{path}: the disk is full ({exc})"
    if name.startswith("SQLITE_READONLY") or name in _READ_ONLY_ERRORS:
        return f"{path}: cannot write: the file or its folder is read-only ({exc})"
    if name.startswith("SQLITE_IOERR"):
        return f"{path}: input/output error while using the store ({exc})"
    return f"{path}: not a usable storyline database ({exc}){left}"


@cache
def _schema_objects() -> frozenset[str]:
    """The names of everything the migrations create: what a sound store has."""
    conn = sqlite3.connect(":memory:")
    for migration in MIGRATIONS:
        _run_migration(conn, migration)
    names = frozenset(row[0] for row in conn.execute("SELECT name FROM sqlite_master"))
    conn.close()
    return names


def _verdict(path: str, app_id: int, version: int, names: set[str], create: bool) -> str:
    """``ok`` or ``set up``: what to do with a file, given what it says of itself.

    Raises StoreError, naming the case, for files storyline must not touch:
    another program's database (empty or not), a store of a newer
    storyline, a store missing part of its schema.
    """
    if app_id == APPLICATION_ID:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: written by a newer storyline (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade storyline"
            )
        if version < SCHEMA_VERSION:
            return "set up"
        if missing := sorted(_schema_objects() - names):
            raise StoreError(
                f"{path}: the store is damaged: {', '.join(missing[:5])} "
                f"{'is' if len(missing) == 1 else 'are'} missing; restore it from a backup, or "
                f"ingest the articles again into a new file"
            )
        return "ok"
    if names or app_id or version:
        what = f"{len(names)} tables and indexes" if names else "empty"
        raise StoreError(
            f"{path}: this SQLite database belongs to another program ({what}, application_id "
            f"{app_id}, user_version {version}); give storyline a new file with --db "
            f"(the file was left untouched)"
        )
    if not create:
        raise StoreError(f"{path}: an empty file, no storyline database yet; "
                         f"`storyline ingest INPUT --db {path}` sets it up")
    return "set up"
