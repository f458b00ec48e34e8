"""Stories over HTTP, against a live uvicorn on loopback, as the page uses them."""

from __future__ import annotations

import json

import httpx
import pytest

from storyline.ingest.jsonl import parse_record
from storyline.pipeline import ingest, ingest_articles
from storyline.store import Store
from storyline.stories import list_stories

from tests.conftest import DATA
from tests.live import live_server

pytestmark = pytest.mark.slow
FEED = DATA / "feed"


#: Monday's first strike report, run again days later by another outlet.
COPY = {"id": "copy-1", "source": "Gulf Courier", "title": "Bayfront dockers strike",
        "published": "2024-03-09"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("stories-api") / "feed.db"
    original = json.loads((FEED / "monday.jsonl").read_text().splitlines()[0])
    copy = COPY | {"text": original["text"] + "\nThe Gulf Courier will follow the story."}
    with Store(path) as store:
        ingest([FEED], store)
        ingest_articles([parse_record(copy, origin="copy")], store)
    return path


@pytest.fixture(scope="module")
def client(store_path):
    with live_server(store_path, build_workers=0) as url, \
            httpx.Client(base_url=url, timeout=60) as session:
        yield session


def test_the_story_list_is_the_cli_contract_with_a_volume(client, store_path):
    response = client.get("/api/stories")
    assert response.status_code == 200
    stories = response.json()["stories"]
    with Store(store_path, create=False) as store:
        expected = [s.to_dict() for s in list_stories(store)]
    assert [{k: v for k, v in s.items() if k != "volume"} for s in stories] == expected
    for story in stories:
        assert sum(day["articles"] for day in story["volume"]) == story["articles"]
        assert [day["date"] for day in story["volume"]] == sorted(
            day["date"] for day in story["volume"])
    assert client.get("/api/stories", params={"since": "2199-01-01"}).json() == {"stories": []}
    with_members = client.get("/api/stories", params={"articles": "true"}).json()["stories"]
    assert sorted(len(s["members"]) for s in with_members) == [4, 5]


def test_one_story_has_its_members(client):
    listed = client.get("/api/stories").json()["stories"][0]
    story = client.get(f"/api/stories/{listed['id']}").json()
    assert {k: story[k] for k in listed} == listed | {"volume": story["volume"]}
    member = story["members"][0]
    assert set(member) == {"id", "origin", "source", "published", "added_at"}
    assert len({m["id"].split("-")[0] for m in story["members"]} - {"copy"}) == 1


def test_a_story_says_who_ran_it_first_and_who_copied(client):
    strike = next(s for s in client.get("/api/stories", params={"articles": "true"}).json()[
        "stories"] if any(m["id"] == "copy-1" for m in s["members"]))
    provenance = client.get(f"/api/stories/{strike['id']}").json()["provenance"]
    assert len(provenance) == 1
    assert provenance[0]["original"]["id"] == "strike-1"
    assert provenance[0]["original"]["source"] == "Bayfront Times"
    (copy,) = provenance[0]["also_ran_in"]
    assert (copy["id"], copy["source"], copy["published"]) == ("copy-1", "Gulf Courier",
                                                              "2024-03-09")
    assert copy["sentences"] >= 3


def test_the_timeline_of_a_story_quotes_only_its_articles(client):
    for listed in client.get("/api/stories", params={"articles": "true"}).json()["stories"]:
        timeline = client.get("/api/timeline", params={"story": listed["id"]}).json()
        members = {m["id"] for m in listed["members"]}
        cited = {s["article_id"] for e in timeline["entries"] for s in e["sentences"]}
        assert timeline["entries"] and cited <= members
        assert all(e["added"] for e in timeline["entries"])


def test_unknown_stories_are_404_with_one_line(client):
    for path in ("/api/stories/999", "/api/stories/abc", "/api/timeline?story=999"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no story" in response.json()["detail"]


def test_a_post_is_answered_before_its_stories_update_and_readers_wait_for_it(tmp_path,
                                                                           monkeypatch):
    """The update reads every story (half a minute at 200,000 articles): not in the POST."""
    import threading

    from storyline.stories import background

    db = tmp_path / "feed.db"
    with Store(db) as store:
        ingest([FEED / "monday.jsonl"], store)
    release = threading.Event()
    real = background.update_stories

    def held_update(store):
        release.wait(60)
        return real(store)

    monkeypatch.setattr(background, "update_stories", held_update)
    records = (FEED / "wednesday.jsonl").read_text()
    with live_server(db, build_workers=0) as url, httpx.Client(base_url=url, timeout=60) as c:
        answer = c.post("/api/articles", content=records,
                        headers={"Content-Type": "application/x-ndjson"})
        assert answer.status_code == 200 and answer.json()["added"] == 4  # while held
        with Store(db, create=False) as store:  # stored, not placed yet
            assert store.count_articles() == 8 and sum(
                s.articles for s in list_stories(store)) == 4
        threading.Timer(0.5, release.set).start()
        stories = c.get("/api/stories").json()["stories"]  # waits for the update
        assert sum(story["articles"] for story in stories) == 8
