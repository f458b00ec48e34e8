"""Stories through the CLI and the store: a mixed feed, ingested in two updates."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from storyline.cli import main
from storyline.pipeline import ingest
from storyline.store import Store
from storyline.stories import list_stories, story_article_ids, update_stories

from tests.conftest import DATA

pytestmark = pytest.mark.slow
FEED = DATA / "feed"
STORY_KEYS = {"id", "title", "articles", "sources", "start", "end", "updated"}


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def stories_json(db, *extra):
    result = run("stories", "--db", db, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["stories"]


def kind(article_id: str) -> str:
    return article_id.split("-")[0]


@pytest.fixture(scope="module")
def two_updates(tmp_path_factory):
    """A store fed Monday's articles, then Wednesday's; the stories after each."""
    db = tmp_path_factory.mktemp("stories") / "feed.db"
    assert run("ingest", FEED / "monday.jsonl", "--db", db, "--quiet").exit_code == 0
    first = stories_json(db, "--articles")
    assert run("ingest", FEED / "wednesday.jsonl", "--db", db, "--quiet").exit_code == 0
    second = stories_json(db, "--articles")
    return db, first, second


def test_each_article_joins_its_story(two_updates):
    _, first, second = two_updates
    for stories in (first, second):
        assert len(stories) == 2
        for story in stories:
            assert set(story) == STORY_KEYS | {"members", "provenance"}
            assert all(set(m) == {"id", "origin"} for m in story["members"])
            assert len({kind(m["id"]) for m in story["members"]}) == 1
            assert story["articles"] == len(story["members"])
    assert sorted(s["articles"] for s in second) == [4, 4]


def test_story_ids_stay_across_updates(two_updates):
    _, first, second = two_updates
    before = {kind(s["members"][0]["id"]): s["id"] for s in first}
    after = {kind(s["members"][0]["id"]): s["id"] for s in second}
    assert before == after


def test_the_story_list_says_sources_span_and_title(two_updates):
    _, _, second = two_updates
    strike = next(s for s in second if kind(s["members"][0]["id"]) == "strike")
    assert strike["sources"] == ["Bayfront Times", "Coast Wire"]
    assert (strike["start"], strike["end"]) == ("2024-03-04", "2024-03-07")
    assert "strike" in strike["title"].lower() or "dockworkers" in strike["title"].lower()
    assert strike["members"][0] == {"id": "strike-1", "origin": "monday.jsonl:1"}


def test_without_articles_there_are_no_members_and_since_filters(two_updates):
    db, _, _ = two_updates
    plain = stories_json(db)
    assert all(set(s) == STORY_KEYS for s in plain)
    assert stories_json(db, "--since", "2000-01-01") == plain
    assert stories_json(db, "--since", "2199-01-01") == []


def test_markdown_lists_the_stories(two_updates):
    db, _, second = two_updates
    result = run("stories", "--db", db, "--articles")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Stories")
    for story in second:
        assert f"## {story['id']}. " in result.stdout
    assert "`strike-1` monday.jsonl:1" in result.stdout


def test_with_articles_a_story_says_who_ran_it_first_and_who_copied(tmp_path):
    """Monday's first strike report, run again days later by another outlet."""
    original = json.loads((FEED / "monday.jsonl").read_text().splitlines()[0])
    copy = original | {"id": "copy-1", "source": "Gulf Courier", "published": "2024-03-09",
                       "url": None, "text": original["text"] + "\nMore to follow."}
    (tmp_path / "copy.jsonl").write_text(json.dumps(copy) + "\n")
    db = tmp_path / "feed.db"
    for path in (FEED / "monday.jsonl", tmp_path / "copy.jsonl"):
        assert run("ingest", path, "--db", db, "--quiet").exit_code == 0
    strike = next(s for s in stories_json(db, "--articles")
                  if "copy-1" in {m["id"] for m in s["members"]})
    (ran,) = strike["provenance"]
    assert ran["original"] == {"id": "strike-1", "origin": "monday.jsonl:1",
                               "source": "Bayfront Times", "published": "2024-03-04"}
    (also,) = ran["also_ran_in"]
    assert (also["id"], also["source"], also["published"]) == ("copy-1", "Gulf Courier",
                                                               "2024-03-09")
    assert also["sentences"] >= 3
    assert all(s["provenance"] == [] for s in stories_json(db, "--articles") if s is not strike
               and "copy-1" not in {m["id"] for m in s["members"]})
    markdown = run("stories", "--db", db, "--articles").stdout
    assert "Who ran it first:" in markdown
    assert (f"- `strike-1` (Bayfront Times, 2024-03-04) ran it first; also ran in: `copy-1`"
            f" (Gulf Courier, 2024-03-09, {also['sentences']} sentences)") in markdown


def test_build_story_is_the_story_timeline_and_since_what_changed(two_updates):
    db, _, second = two_updates
    fire = next(s for s in second if kind(s["members"][0]["id"]) == "fire")
    result = run("build", "--db", db, "--story", fire["id"], "--format", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)["entries"]
    cited = {s["article_id"] for e in entries for s in e["sentences"]}
    assert cited and {kind(a) for a in cited} == {"fire"}
    recent = run("build", "--db", db, "--story", fire["id"], "--since", "2199-01-01",
                 "--format", "json")
    assert json.loads(recent.stdout)["entries"] == []


def test_an_unknown_story_is_one_line(two_updates):
    db, _, _ = two_updates
    for bad in ("999", "abc"):
        result = run("build", "--db", db, "--story", bad)
        assert result.exit_code == 1
        assert result.stderr.startswith("storyline: error: ") and "no story" in result.stderr
        assert result.stderr.count("\n") == 1


def test_an_ingest_cut_off_before_its_stories_is_placed_next_time(tmp_path):
    with Store(tmp_path / "s.db") as store:
        from storyline.pipeline import ingest_articles
        from storyline.ingest import read_inputs

        ingest_articles(read_inputs([FEED / "monday.jsonl"]), store, stories=False)
        assert list_stories(store) == []
        changes = update_stories(store)
        assert len(changes.placed) == 4
        assert update_stories(store).placed == {}
        assert sum(len(story_article_ids(store, s.id)) for s in list_stories(store)) == 4


def test_a_changed_article_is_placed_again(tmp_path):
    feed = tmp_path / "feed.jsonl"
    lines = (FEED / "monday.jsonl").read_text().splitlines()
    feed.write_text("\n".join(lines) + "\n")
    with Store(tmp_path / "s.db") as store:
        ingest([feed], store)
        before = {s.id for s in list_stories(store)}
        record = json.loads(lines[0])
        record["text"] += "\nThe union said the strike would go on."
        feed.write_text(json.dumps(record) + "\n")
        report = ingest([feed], store)
        assert report.updated == 1
        assert {s.id for s in list_stories(store)} == before
        assert store.conn.execute("SELECT count(*) FROM story_members").fetchone()[0] == 4


def test_a_store_without_stories_gets_them_when_listed(tmp_path):
    db = tmp_path / "s.db"
    with Store(db) as store:
        from storyline.ingest import read_inputs
        from storyline.pipeline import ingest_articles

        ingest_articles(read_inputs([FEED]), store, stories=False)
    listed = stories_json(db)
    assert sorted(s["articles"] for s in listed) == [4, 4]
