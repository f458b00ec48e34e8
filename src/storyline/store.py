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
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, UTC
from pathlib import Path

from storyline.errors import NotFoundError, StoreError
from storyline.model import (
    AnnotatedArticle,
    Article,
    Entity,
    Granularity,
    Sentence,
    TimeMention,
)

log = logging.getLogger(__name__)

#: PRAGMA application_id of a storyline store ("STLN"), to tell it from other SQLite files.
APPLICATION_ID = 0x53544C4E
SQLITE_HEADER = b"SQLite format 3\x00"

#: Schema migrations: entry N brings a store from version N to N + 1.
MIGRATIONS: tuple[str, ...] = (
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
    # 2: a range's last day, month or year (issue #13); quarters, halves,
    # seasons and decades need no change, their granularity is a name.
    """
    ALTER TABLE time_mentions ADD COLUMN end_value TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

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


@dataclass(frozen=True, slots=True)
class Copy:
    """``article_id`` repeats ``sentences`` sentences of the earlier ``original_id``."""

    article_id: str
    original_id: str
    sentences: int


class Store:
    """A storyline database file; use as a context manager or call ``close()``."""

    def __init__(self, path: str | Path = "storyline.db", *, create: bool = True) -> None:
        """Open (and, with ``create``, set up or migrate) a store.

        With ``create=False`` only an existing storyline database is
        accepted, for commands that read and must not make an empty one.
        """
        self.path = str(path)
        _refuse_foreign_file(self.path)
        if not create and not _is_storyline_file(self.path):
            raise StoreError(
                f"{self.path}: no storyline database here; create one with "
                f"`storyline ingest INPUT --db {self.path}`"
            )
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._check_and_migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: not a usable storyline database ({exc}); "
                f"the file was left untouched"
            ) from None
        self._depth = 0

    # -- lifecycle -----------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _check_and_migrate(self) -> None:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = self.conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()[0]
        if app_id != APPLICATION_ID and tables:
            raise StoreError(
                f"{self.path}: this SQLite database belongs to another program; "
                f"give storyline a new file with --db (the file was left untouched)"
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer storyline (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade storyline"
            )
        if version < SCHEMA_VERSION:
            self.conn.execute("PRAGMA journal_mode = WAL")
            with self._transaction():
                for number in range(version, SCHEMA_VERSION):
                    log.info("migrating %s to schema %d", self.path, number + 1)
                    for statement in _statements(MIGRATIONS[number]):
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """All writes inside happen, or none do; nests with savepoints."""
        name = f"storyline_{self._depth}"
        self._depth += 1
        try:
            self.conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            self.conn.execute(f"RELEASE {name}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: write failed ({exc}); nothing was changed") from None
        finally:
            self._depth -= 1

    # -- writing ---------------------------------------------------------------

    def status(self, article_id: str, digest: str) -> str:
        """``new``, ``unchanged`` or ``changed``: whether storing would change anything."""
        row = self.conn.execute(
            "SELECT content_hash FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            return "new"
        return "unchanged" if row["content_hash"] == digest else "changed"

    def put(self, annotated: AnnotatedArticle, digest: str,
            fingerprints: Sequence[Sequence[int]] = ()) -> None:
        """Insert or replace one article with everything found in it."""
        article = annotated.article
        with self.atomic():
            self.conn.execute("DELETE FROM articles WHERE id = ?", (article.id,))
            self.conn.execute(
                "INSERT INTO articles (id, url, source, title, published, published_precision,"
                " text, origin, content_hash, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article.id,
                    article.url,
                    article.source,
                    article.title,
                    article.published.isoformat() if article.published else None,
                    article.published_precision.value,
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
        rows = []
        for key, mine in self.conn.execute(
            "SELECT key, sentence_index FROM fingerprints WHERE article_id = ?", (article_id,)
        ).fetchall():
            for other, theirs in self.conn.execute(
                "SELECT article_id, sentence_index FROM fingerprints"
                " WHERE key = ? AND article_id != ? ORDER BY rowid LIMIT ?",
                (key, article_id, COPY_CANDIDATES_PER_KEY),
            ):
                rows.append({"mine": mine, "other": other, "theirs": theirs})
        if not rows:
            return []
        texts = self._sentence_texts({article_id, *(r["other"] for r in rows)})
        shared: dict[str, set[int]] = defaultdict(set)
        for row in rows:
            mine = texts.get((article_id, row["mine"]))
            theirs = texts.get((row["other"], row["theirs"]))
            if mine and theirs and similar(mine, theirs) >= COPY_MIN_JACCARD:
                shared[row["other"]].add(row["mine"])
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

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to this store.

        For caches kept beside an open store: a write by another process (a
        ``storyline ingest`` while the server runs) changes it too.
        """
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def count_articles(self) -> int:
        return self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]

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
            raise StoreError(f"cannot search for {query!r}: {exc}") from None

    def get_article(self, article_id: str) -> Article:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id!r} in {self.path}")
        return _article(row)

    def load_annotated(self, ids: Iterable[str] | None = None, *,
                       entities: bool = True) -> list[AnnotatedArticle]:
        """Articles with their sentences, entities and time mentions, in storage order.

        ``entities=False`` leaves the entities out: timeline methods do not
        use them, and on thousands of articles they are a good part of the
        loading time.
        """
        wanted = None if ids is None else list(ids)
        articles = self._rows("SELECT * FROM articles", "id", wanted, order="rowid")
        sentences = self._grouped("SELECT * FROM sentences", wanted, order="article_id, idx")
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
                    tuple(Sentence(aid, r["idx"], r["start"], r["end"], r["text"])
                          for r in sentences.get(aid, ())),
                    tuple(Entity(aid, r["sentence_index"], r["start"], r["end"], r["text"],
                                 r["label"]) for r in entity_rows.get(aid, ())),
                    tuple(TimeMention(aid, r["sentence_index"], r["start"], r["end"], r["text"],
                                      Granularity(r["granularity"]),
                                      date.fromisoformat(r["value"]),
                                      _optional_day(r["end_value"]))
                          for r in mentions.get(aid, ())),
                )
            )
        return result

    def copies(self) -> list[Copy]:
        return [
            Copy(r["article_id"], r["original_id"], r["sentences"])
            for r in self.conn.execute("SELECT * FROM copies ORDER BY original_id, article_id")
        ]

    def top_entities(self, limit: int = 20) -> list[tuple[str, str, int]]:
        """(text, label, number of articles) for the most widely mentioned entities."""
        rows = self.conn.execute(
            "SELECT text, label, count(DISTINCT article_id) AS n FROM entities"
            " GROUP BY text, label ORDER BY n DESC, text LIMIT ?",
            (limit,),
        )
        return [(r["text"], r["label"], r["n"]) for r in rows]

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

    def _rows(self, sql: str, key: str, ids: list[str] | None, order: str) -> list[sqlite3.Row]:
        if ids is None:
            return self.conn.execute(f"{sql} ORDER BY {order}").fetchall()
        rows: list[sqlite3.Row] = []
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows += self.conn.execute(
                f"{sql} WHERE {key} IN ({marks}) ORDER BY {order}", chunk
            ).fetchall()
        return rows

    def _grouped(self, sql: str, ids: list[str] | None, order: str
                 ) -> dict[str, list[sqlite3.Row]]:
        grouped: dict[str, list[sqlite3.Row]] = defaultdict(list)
        for row in self._rows(sql, "article_id", ids, order):
            grouped[row["article_id"]].append(row)
        return grouped


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: every word must occur, as typed.

    Quoting each word keeps FTS5's operators and punctuation in user input
    from turning into syntax errors; ``a OR b`` is honoured.
    """
    words = text.replace('"', " ").split()
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
    )


def _optional_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain inner semicolons)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def _is_storyline_file(path: str) -> bool:
    """Whether the file exists and carries storyline's application id."""
    file = Path(path)
    if path == ":memory:" or not file.is_file() or file.stat().st_size < 100:
        return False
    with file.open("rb") as handle:
        header = handle.read(100)
    return int.from_bytes(header[68:72], "big") == APPLICATION_ID


def _refuse_foreign_file(path: str) -> None:
    """Refuse a file that is not SQLite before sqlite3 can touch it."""
    file = Path(path)
    if path == ":memory:" or not file.exists():
        if not file.parent.exists() and path != ":memory:":
            raise StoreError(f"{path}: the folder {file.parent} does not exist")
        return
    if file.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    with file.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise StoreError(
            f"{path}: not a SQLite database (it may be corrupt or another kind of file); "
            f"it was left untouched"
        )
