"""The SQLite store, for real, on files in a temporary folder."""

import multiprocessing
import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from storyline.errors import NotFoundError, StoreError
from storyline.model import AnnotatedArticle, Article, Entity, Granularity, Sentence, TimeMention
from storyline.store import SCHEMA_VERSION, Store, content_hash, fts_query


def annotated(article_id="a1", text="The dam broke on Sunday. Hundreds fled the valley.",
              published=date(2019, 6, 23)):
    article = Article(article_id, None, "Wire", "Dam breaks", published, text, "a.txt")
    first, second = text.split(". ", 1)
    sentences = (Sentence(article_id, 0, 0, len(first) + 1, first + "."),
                 Sentence(article_id, 1, len(first) + 2, len(text), second))
    mentions = ()
    if "Sunday" in text:
        start = text.index("Sunday")
        mentions = (TimeMention(article_id, 0, start, start + 6, "Sunday", Granularity.DAY,
                                date(2019, 6, 23)),)
    entity = Entity(article_id, 0, 4, 7, text[4:7], "FAC")
    return AnnotatedArticle(article, sentences, (entity,), mentions)


def test_put_and_load_round_trip(fresh_store):
    item = annotated()
    fresh_store.put(item, content_hash(item.article))
    assert fresh_store.load_annotated() == [item]
    assert fresh_store.get_article("a1") == item.article
    assert fresh_store.count_articles() == 1


def test_the_same_article_twice_changes_nothing(fresh_store):
    item = annotated()
    digest = content_hash(item.article)
    fresh_store.put(item, digest)
    assert fresh_store.status("a1", digest) == "unchanged"
    assert fresh_store.status("a1", content_hash(replace(item.article, origin="b.txt"))) == "unchanged"
    changed = replace(item.article, title="Dam bursts")
    assert fresh_store.status("a1", content_hash(changed)) == "changed"
    fresh_store.put(item, digest)
    assert fresh_store.count_articles() == 1
    assert len(fresh_store.load_annotated()[0].sentences) == 2
    assert fresh_store.article_ids(query="valley") == ["a1"]


def test_full_text_search_and_date_range(fresh_store):
    fresh_store.put(annotated(), "h1")
    other = annotated("a2", "Rain fell on Monday. The river rose again.", date(2019, 6, 25))
    fresh_store.put(other, "h2")
    assert fresh_store.article_ids(query="rivers") == ["a2"]  # porter stemming
    assert fresh_store.article_ids(query='fled "') == ["a1"]  # user quotes are not syntax
    assert fresh_store.article_ids(query='fled OR') == []  # a dangling OR is a word
    assert fresh_store.article_ids(query="dam OR rain") == ["a1", "a2"]
    assert fresh_store.article_ids(start=date(2019, 6, 24)) == ["a2"]
    assert fts_query('a "b" NEAR(') == '"a" "b" "NEAR("'


def test_atomic_rolls_back_everything_on_error(fresh_store):
    fresh_store.put(annotated(), "h1")
    with pytest.raises(RuntimeError):
        with fresh_store.atomic():
            fresh_store.put(annotated("a2"), "h2")
            with fresh_store.atomic():
                fresh_store.put(annotated("a3"), "h3")
            raise RuntimeError("boom")
    assert fresh_store.article_ids() == ["a1"]
    assert fresh_store.conn.execute("SELECT count(*) FROM sentences").fetchone()[0] == 2
    assert fresh_store.article_ids(query="fled") == ["a1"]


def test_copies_are_linked_to_the_earlier_article(fresh_store):
    from storyline.clean import sentence_fingerprints, word_jaccard

    text = ("Samples taken two miles below the plant showed styrene at forty times the limit. "
            "Officials closed the intake as a precaution against contamination downstream.")
    original = annotated("orig", text, date(2024, 3, 6))
    copy = annotated("farm", text.replace("the limit", "the legal limit"), None)
    for item in (copy, original):
        keys = sentence_fingerprints(s.text for s in item.sentences)
        fresh_store.put(item, item.article.id, keys)
        fresh_store.link_copies(item.article.id, word_jaccard)
    (found,) = fresh_store.copies()
    assert (found.article_id, found.original_id, found.sentences) == ("farm", "orig", 2)


def test_a_syndicated_sentence_is_checked_against_the_first_articles_that_ran_it(fresh_store):
    """Per fingerprint key only the first COPY_CANDIDATES_PER_KEY articles stored with it
    are candidates: a wire story run by hundreds of outlets costs a bounded lookup."""
    from storyline.clean import sentence_fingerprints, word_jaccard
    from storyline.store import COPY_CANDIDATES_PER_KEY

    text = ("Samples taken two miles below the plant showed styrene at forty times the limit. "
            "Officials closed the intake as a precaution against contamination downstream.")
    outlets = [f"outlet{n}" for n in range(COPY_CANDIDATES_PER_KEY + 2)]
    for day, outlet in enumerate(outlets, start=1):
        item = annotated(outlet, text, date(2024, 3, day))
        fresh_store.put(item, outlet, sentence_fingerprints(s.text for s in item.sentences))
    last = outlets[-1]
    found = fresh_store.link_copies(last, word_jaccard)
    assert sorted(c.original_id for c in found) == outlets[:COPY_CANDIDATES_PER_KEY]
    assert {(c.article_id, c.sentences) for c in found} == {(last, 2)}


def test_a_pair_of_sentences_is_scored_once_whatever_the_keys_they_share(fresh_store):
    """A copied sentence shares most of its band keys with the original; each key brings
    the pair back from the index, and each pair costs one score, not one per key."""
    from storyline.clean import sentence_fingerprints, word_jaccard

    text = ("Samples taken two miles below the plant showed styrene at forty times the limit. "
            "Officials closed the intake as a precaution against contamination downstream.")
    for outlet, day in (("wire", 6), ("paper", 7)):
        item = annotated(outlet, text, date(2024, 3, day))
        fresh_store.put(item, outlet, sentence_fingerprints(s.text for s in item.sentences))
    scored: list[tuple[str, str]] = []

    def similar(mine: str, theirs: str) -> float:
        scored.append((mine, theirs))
        return word_jaccard(mine, theirs)

    (found,) = fresh_store.link_copies("paper", similar)
    assert (found.article_id, found.original_id, found.sentences) == ("paper", "wire", 2)
    assert sorted(scored) == sorted(set(scored)) and len(scored) == 2


def test_unknown_article_id(fresh_store):
    with pytest.raises(NotFoundError):
        fresh_store.get_article("nope")


def test_ranges_and_coarse_granularities_round_trip(fresh_store):
    item = annotated(text="Talks ran from March 3 to 5. Profit fell in Q3 2018.")
    mentions = (
        TimeMention("a1", 0, 15, 27, "March 3 to 5", Granularity.DAY, date(2019, 3, 3),
                    date(2019, 3, 5)),
        TimeMention("a1", 1, 44, 51, "Q3 2018", Granularity.QUARTER, date(2018, 7, 1)),
    )
    item = replace(item, time_mentions=mentions)
    fresh_store.put(item, content_hash(item.article))
    assert fresh_store.load_annotated()[0].time_mentions == mentions


def test_a_store_of_the_first_schema_is_migrated(tmp_path):
    from storyline.store import APPLICATION_ID, MIGRATIONS, _statements

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in _statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(path) as store:
        item = annotated()
        store.put(item, content_hash(item.article))
        assert store.load_annotated() == [item]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_new_file_gets_the_schema_and_version(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    Store(path).close()  # reopening migrates nothing and works


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is a text file, not a database\n" * 10, "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "damaged beyond recognition"),
    ],
)
def test_corrupt_files_are_refused_and_left_untouched(tmp_path, content, message):
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=message):
        Store(path)
    assert path.read_bytes() == content


def test_another_programs_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (9.5)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        Store(path)
    assert path.read_bytes() == before


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer storyline"):
        Store(path)


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "no" / "such" / "x.db")


def _open_and_write(path, barrier, number, errors):
    barrier.wait()
    try:
        with Store(path) as store:
            for index in range(30):
                written = annotated(f"{number}-{index}")
                with store.atomic():
                    store.put(written, content_hash(written.article))
    except Exception as exc:  # reported to the test, which fails with it
        errors.put(f"{number}: {exc!r}")


def test_processes_racing_to_create_and_write_one_new_store_all_succeed(tmp_path):
    context = multiprocessing.get_context("fork")
    path = tmp_path / "raced.db"
    barrier, errors = context.Barrier(6), context.Queue()
    workers = [context.Process(target=_open_and_write, args=(path, barrier, n, errors))
               for n in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    problems = [errors.get() for _ in range(errors.qsize())]
    assert not problems, problems
    with Store(path, create=False) as store:
        assert store.count_articles() == 180
        store.check()


def test_a_schema_2_store_loses_the_unused_sentence_index_and_keeps_its_data(tmp_path):
    import sqlite3

    from storyline.store import APPLICATION_ID, MIGRATIONS, _statements

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:2]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Store(path) as store:
        store.put(annotated(), "h1")
    with Store(path) as store:
        assert store.article_ids(query="fled") == ["a1"]
        names = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    assert "sentences_fts" not in names and "articles_fts" in names


def test_a_page_of_articles_is_cut_by_the_store_in_the_order_of_all_ids(fresh_store):
    for number in range(7):
        fresh_store.put(annotated(f"a{number}", published=date(2019, 6, 30 - number)),
                        f"h{number}")
    for number in range(40):  # a store where "fled" is rare: the other plan
        fresh_store.put(annotated(f"b{number}", "The dam held on Sunday. Nobody left the valley.",
                                  published=date(2019, 5, 1 + number % 28)), f"k{number}")
    for word in ("fled", "dam"):
        every = fresh_store.article_ids(query=word)
        for offset, limit in ((0, 3), (2, 3), (5, 100)):
            assert fresh_store.article_page(query=word, offset=offset, limit=limit) == (
                len(every), every[offset:offset + limit])
    assert fresh_store.article_page(offset=45, limit=10) == (47, fresh_store.article_ids()[45:])
    assert fresh_store.article_page(query="nowhere") == (0, [])


def test_a_bulk_writer_can_keep_more_of_the_file_in_memory(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.reserve_cache(64)
        assert store.conn.execute("PRAGMA cache_size").fetchone()[0] == -64 * 1024
