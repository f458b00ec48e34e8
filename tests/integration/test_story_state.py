"""What the store keeps for stories updates: frequencies, sums, departures; read only as needed."""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections import Counter

import pytest

from storyline.ingest import read_inputs
from storyline.pipeline import ingest, ingest_articles
from storyline.store import MIGRATIONS, SCHEMA_VERSION, Store, _statements
from storyline.stories import list_stories, story_article_ids, update_stories
from storyline.stories import storage
from storyline.stories.storage import StoreSource
from storyline.stories.tracker import StoredStory, StoryParams, StoryTracker

from tests.conftest import DATA

pytestmark = pytest.mark.slow
FEED = DATA / "feed"


def kept_frequencies(store: Store) -> dict[str, int]:
    return dict(store.conn.execute("SELECT term, df FROM story_vocab WHERE df > 0"))


def stored_terms(store: Store) -> dict[str, dict[str, float]]:
    """Each article's stored story terms, as words and weights in their order."""
    words = dict(store.conn.execute("SELECT id, term FROM story_vocab"))
    return {article_id: dict(zip([words[i] for i in json.loads(ids)],
                                 array("d", weights).tolist(), strict=True))
            for article_id, ids, weights in store.conn.execute(
                "SELECT article_id, ids, weights FROM story_terms")}


def counted_frequencies(store: Store) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for terms in stored_terms(store).values():
        counts.update(terms.keys())
    return dict(counts)


def story_sizes(store: Store) -> dict[str, int]:
    return {s.id: s.articles for s in list_stories(store)}


def stories_by_kind(store: Store) -> dict[str, str]:
    """Story id by the kind of article in it ("strike", "flood", ...)."""
    return {story_article_ids(store, s.id)[0].split("-")[0]: s.id for s in list_stories(store)}


@pytest.fixture
def fed(tmp_path):
    store = Store(tmp_path / "feed.db")
    ingest([FEED], store)
    yield store
    store.close()


def test_frequencies_are_kept_as_articles_come_change_and_go(fed, tmp_path):
    assert kept_frequencies(fed) == counted_frequencies(fed) != {}
    fed.conn.execute("DELETE FROM articles WHERE id = 'strike-1'")
    assert kept_frequencies(fed) == counted_frequencies(fed)
    feed = tmp_path / "changed.jsonl"
    record = json.loads((FEED / "wednesday.jsonl").read_text().splitlines()[0])
    record["text"] += "\nHarbour pilots said they would join the walkout on Friday."
    feed.write_text(json.dumps(record) + "\n")
    assert ingest([feed], fed).updated == 1
    assert kept_frequencies(fed) == counted_frequencies(fed)


def test_the_ingest_writes_each_articles_terms_and_the_update_reads_them(tmp_path,
                                                                         monkeypatch):
    made: list[str] = []
    original = storage.article_terms

    def counting(title, text, entities=()):
        made.append(title)
        return original(title, text, entities)

    monkeypatch.setattr(storage, "article_terms", counting)
    with Store(tmp_path / "s.db") as store:
        ingest_articles(read_inputs([FEED]), store, stories=False)
        stored = store.count_articles()
        assert store.conn.execute("SELECT count(*) FROM story_terms").fetchone()[0] == stored
        assert kept_frequencies(store) == counted_frequencies(store)
        update_stories(store)
        assert made == []  # none made again by the update
        assert sum(story_sizes(store).values()) == stored
        assert kept_frequencies(store) == counted_frequencies(store)


def test_articles_stored_without_terms_get_them_from_the_update(tmp_path):
    """An evaluation's cache (no entities) or an older store: the update makes the terms."""
    with Store(tmp_path / "s.db") as with_terms, Store(tmp_path / "t.db") as without:
        ingest_articles(read_inputs([FEED]), with_terms)
        ingest_articles(read_inputs([FEED]), without, stories=False)
        without.conn.execute("DELETE FROM story_terms")
        assert kept_frequencies(without) == {}
        update_stories(without)
        assert kept_frequencies(without) == counted_frequencies(without) == \
            kept_frequencies(with_terms)
        assert sorted(story_sizes(without).values()) == sorted(story_sizes(with_terms).values())


def test_an_update_reads_only_the_articles_it_looks_at(tmp_path, monkeypatch):
    read: list[str] = []
    original = StoreSource.items

    def counting(self, article_ids):
        read.extend(article_ids)
        return original(self, article_ids)

    monkeypatch.setattr(StoreSource, "items", counting)
    lines = (FEED / "wednesday.jsonl").read_text().splitlines()
    late = tmp_path / "late.jsonl"
    with Store(tmp_path / "s.db") as store:
        ingest([FEED], store)
        kinds = stories_by_kind(store)
        strike = set(story_article_ids(store, kinds["strike"]))
        other = set(story_article_ids(store, next(s for k, s in kinds.items() if k != "strike")))
        for number, resum in enumerate((0, 10)):
            record = json.loads(next(line for line in lines if '"strike-' in line))
            record.update(id=f"strike-late-{number}", url=f"https://example.com/late-{number}")
            late.write_text(json.dumps(record) + "\n")
            ingest_articles(read_inputs([late]), store, stories=False)
            read.clear()
            update_stories(store, StoryParams(resum_per_article=resum))
            assert stories_by_kind(store) == kinds
            # The new article's terms (as its ingest wrote them) and the story
            # joined are read; with no sums to remake, nothing else is, and
            # remaking them reads what it may.
            assert record["id"] in read
            assert set(read) <= strike | other | {record["id"]}
            assert len(set(read) & other) <= resum
            strike.add(record["id"])


def test_deleted_articles_leave_their_stories_and_an_emptied_story_ends(fed):
    kinds = stories_by_kind(fed)
    strike, other = kinds["strike"], next(s for k, s in kinds.items() if k != "strike")
    before = story_sizes(fed)
    total_before = json.loads(fed.conn.execute(
        "SELECT total FROM stories WHERE id = ?", (int(strike),)).fetchone()[0])
    first, *rest = story_article_ids(fed, strike)
    fed.conn.execute("DELETE FROM articles WHERE id = ?", (first,))
    changes = update_stories(fed)
    assert strike in changes.touched
    assert story_sizes(fed)[strike] == before[strike] - 1
    summary = next(s for s in list_stories(fed) if s.id == strike)
    published = [fed.get_article(a).published for a in rest]
    assert (summary.start, summary.end) == (min(published), max(published))
    total_after = json.loads(fed.conn.execute(
        "SELECT total FROM stories WHERE id = ?", (int(strike),)).fetchone()[0])
    assert sum(total_after.values()) < sum(total_before.values())
    assert fed.conn.execute("SELECT count(*) FROM story_departures").fetchone()[0] == 0

    with fed.atomic():
        for article_id in story_article_ids(fed, other):
            fed.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    changes = update_stories(fed)
    assert other in changes.removed
    assert set(story_sizes(fed)) == {strike}


def test_frequencies_read_a_few_at_a_time_or_all_at_once_agree(fed, monkeypatch):
    kept = kept_frequencies(fed)
    terms = sorted(kept)
    few = StoreSource(fed)
    assert dict(few.frequencies(terms[:3])) == {t: kept[t] for t in terms[:3]}
    assert few._all is None  # a small question reads only what it asks for
    monkeypatch.setattr(storage, "WHOLE_TABLE_AFTER", 1)
    many = StoreSource(fed)
    asked = terms[: len(terms) // 4 + 1] + ["never-stored"]
    found = many.frequencies(asked)
    assert many._all is not None and dict(found) == kept
    assert {t: found.get(t, 0) for t in asked} == {**{t: kept[t] for t in asked[:-1]},
                                                   "never-stored": 0}


def test_kept_sums_agree_with_sums_made_afresh(fed):
    """Sums kept across updates point where sums made from all members at once do."""
    stored = {str(story_id): json.loads(total) for story_id, total in fed.conn.execute(
        "SELECT id, total FROM stories")}
    afresh = StoryTracker()
    items = list(StoreSource(fed).items(
        [row[0] for row in fed.conn.execute("SELECT article_id FROM story_terms")]))
    members = dict(fed.conn.execute("SELECT article_id, story_id FROM story_members"))
    afresh.restore(items, {a: str(s) for a, s in members.items()})
    for story_id, total in stored.items():
        made = afresh.stories[story_id].total
        dot = sum(w * made.get(t, 0.0) for t, w in total.items())
        norms = (sum(w * w for w in total.values()) * sum(w * w for w in made.values())) ** .5
        assert dot / norms > 0.95, story_id


def back_to_schema_8(path) -> None:
    """Rewrite a store's story terms as schema 8 kept them: JSON objects of words,
    their frequencies by word (``story_df``), departures as JSON too."""
    with Store(path) as store:
        terms = stored_terms(store)
    conn = sqlite3.connect(path)
    conn.executescript("""
        DROP TRIGGER story_terms_uncounted;
        DROP TRIGGER story_member_departs;
        DROP TABLE story_terms;
        DROP TABLE story_departures;
        DROP TABLE story_vocab;
        CREATE TABLE story_terms (
            article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
            terms TEXT NOT NULL
        );
        CREATE TABLE story_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE story_departures (story_id INTEGER NOT NULL, terms TEXT NOT NULL);
    """)
    conn.executemany("INSERT INTO story_terms VALUES (?, ?)",
                     [(article_id, json.dumps(weights)) for article_id, weights in terms.items()])
    conn.executemany("INSERT INTO story_df VALUES (?, ?)",
                     Counter(t for weights in terms.values() for t in weights).items())
    for statement in _statements(MIGRATIONS[5]):  # schema 8's triggers, as written then
        if statement.startswith(("CREATE TRIGGER story_terms_uncounted",
                                 "CREATE TRIGGER story_member_departs")):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 8")
    conn.commit()
    conn.close()


def test_a_store_of_schema_8_keeps_its_terms_frequencies_and_departures(tmp_path):
    """Story terms kept as words (schema 8) become vocabulary ids and weights, in
    their order; a departure written then is taken out as one written now is."""
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    for path in (old, new):
        with Store(path) as store:
            ingest_articles(read_inputs([FEED]), store)
    back_to_schema_8(old)
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM articles WHERE id = 'strike-1'")  # schema 8's triggers
    conn.commit()
    conn.close()
    with Store(old) as migrated, Store(new) as kept:
        kept.conn.execute("DELETE FROM articles WHERE id = 'strike-1'")
        assert migrated.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [list(terms.items()) for terms in stored_terms(migrated).values()] == [
            list(terms.items()) for terms in stored_terms(kept).values()]
        assert kept_frequencies(migrated) == kept_frequencies(kept) == counted_frequencies(kept)
        assert migrated.conn.execute("SELECT count(*) FROM story_departures").fetchone()[0] == 1
        for store in (migrated, kept):
            update_stories(store)
        story_rows = "SELECT id, title, articles, total, names FROM stories ORDER BY id"
        assert migrated.conn.execute(story_rows).fetchall() == kept.conn.execute(
            story_rows).fetchall()


def test_a_store_from_before_kept_sums_is_migrated_and_summed(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as store:
        ingest_articles(read_inputs([FEED]), store)
        placed = dict(store.conn.execute("SELECT article_id, story_id FROM story_members"))
    back_to_schema_8(path)
    conn = sqlite3.connect(path)
    for trigger in ("story_terms_counted", "story_terms_uncounted", "story_member_departs"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute("DROP TABLE story_df")
    conn.execute("DROP TABLE story_departures")
    conn.execute("ALTER TABLE stories DROP COLUMN total")
    conn.execute("ALTER TABLE stories DROP COLUMN summed")
    conn.execute("ALTER TABLE stories DROP COLUMN names")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert kept_frequencies(store) == counted_frequencies(store)
        assert store.conn.execute(
            "SELECT count(*) FROM stories WHERE total IS NULL").fetchone()[0] == 2
        update_stories(store)
        assert store.conn.execute(
            "SELECT count(*) FROM stories WHERE total IS NULL").fetchone()[0] == 0
        assert dict(store.conn.execute(
            "SELECT article_id, story_id FROM story_members")) == placed


def test_an_article_deleted_before_the_first_update_of_a_migrated_store_counts_once(fed):
    """A story summed afresh from its members has no departed member to take out again."""
    kinds = stories_by_kind(fed)
    strike = kinds["strike"]
    fed.conn.execute("UPDATE stories SET total = NULL")  # as a store from before the sums
    first = story_article_ids(fed, strike)[0]
    fed.conn.execute("DELETE FROM articles WHERE id = ?", (first,))
    update_stories(fed)
    kept = json.loads(fed.conn.execute(
        "SELECT total FROM stories WHERE id = ?", (int(strike),)).fetchone()[0])
    fed.conn.execute("UPDATE stories SET total = NULL")
    update_stories(fed)
    afresh = json.loads(fed.conn.execute(
        "SELECT total FROM stories WHERE id = ?", (int(strike),)).fetchone()[0])
    assert kept == pytest.approx(afresh)


def kept_names(store: Store) -> dict[str, dict[str, int] | None]:
    return {str(story_id): json.loads(names) if names is not None else None
            for story_id, names in store.conn.execute("SELECT id, names FROM stories")}


def counted_names(store: Store) -> dict[str, dict[str, int]]:
    """How many members of each story name each entity, counted from the members' terms."""
    counts: dict[str, Counter[str]] = {}
    terms = stored_terms(store)
    for article_id, story_id in store.conn.execute(
            "SELECT article_id, story_id FROM story_members"):
        counts.setdefault(str(story_id), Counter()).update(
            term for term in terms[article_id] if term.startswith("@"))
    return {story_id: dict(c) for story_id, c in counts.items()}


def test_kept_name_counts_follow_the_members_as_they_come_and_go(tmp_path):
    # Every story counts its names here (by default only stories big enough
    # to have a subject do, and this feed's stories are small).
    params = StoryParams(subject_articles=1)
    with Store(tmp_path / "s.db") as store:
        ingest_articles(read_inputs([FEED]), store, stories=False)
        update_stories(store, params)
        assert kept_names(store) == counted_names(store)
        assert all(kept_names(store).values())  # the feed's articles name people and places
        strike = stories_by_kind(store)["strike"]
        store.conn.execute("DELETE FROM articles WHERE id = ?",
                           (story_article_ids(store, strike)[0],))
        update_stories(store, params)
        assert kept_names(store) == counted_names(store)


def test_stories_too_small_to_have_a_subject_keep_no_name_counts(fed):
    assert set(kept_names(fed).values()) == {None}


def test_a_store_from_before_kept_name_counts_counts_them_when_needed(fed):
    path = fed.path
    fed.close()
    back_to_schema_8(path)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE stories DROP COLUMN names")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert set(kept_names(store).values()) == {None}
        tracker = StoryTracker(source=StoreSource(store))
        tracker.restore_stories(
            [StoredStory(s.id, frozenset(story_article_ids(store, s.id)), None, s.start, s.end,
                         unread=True) for s in list_stories(store)],
            store.conn.execute("SELECT count(*) FROM story_terms").fetchone()[0])
        story = tracker.stories[stories_by_kind(store)["strike"]]
        tracker._hold([story])
        assert story.names is None  # never counted: counted from the members when needed
        assert tracker._name_counts(story) == counted_names(store)[story.id]
