"""The HTTP API, against a live uvicorn on loopback, as a client would use it."""

from __future__ import annotations

import http.client
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from click.testing import CliRunner

from storyline.api import create_app
from storyline.cli import main
from storyline.errors import ConfigError, StoreError
from storyline.model import Timeline
from storyline.pipeline import build_timeline, ingest
from storyline.render import render
from storyline.store import Store
from storyline.timeline import TimelineRequest

from tests.conftest import DATA
from tests.live import live_server

pytestmark = pytest.mark.slow
CONTRACT_SENTENCE_KEYS = {"text", "article_id", "title", "url", "source", "published"}
NEWS = {"id": "ferry/42", "source": "Harbour Daily", "title": "Ferry crews join the port strike",
        "published": "2023-10-24",
        "text": "Ferry crews joined the dockworkers' strike on Tuesday, stopping the island "
                "ferries.\nThe ferry operator Tidewell said it would ask for mediation."}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("api") / "strike.db"
    with Store(path) as store:
        assert ingest([DATA / "strike"], store).added == 3
    return path


@pytest.fixture(scope="module")
def base(store_path):
    with live_server(store_path) as url:
        yield url


@pytest.fixture(scope="module")
def client(base):
    with httpx.Client(base_url=base, timeout=60) as session:
        yield session


def raw_get(base: str, path: str) -> tuple[int, bytes]:
    """GET a path exactly as written: no client-side normalization of ``..``."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# -- the timeline ----------------------------------------------------------------------

def test_timeline_is_the_design_contract_plus_an_article_count(client, store_path):
    response = client.get("/api/timeline")
    assert response.status_code == 200
    document = response.json()
    assert document["schema_version"] == 1
    assert {"query", "method", "entries"} <= set(document)
    with Store(store_path, create=False) as store:
        expected = build_timeline(store, TimelineRequest()).to_dict()
    assert [{k: v for k, v in e.items() if k not in ("articles", "added")}
            for e in document["entries"]] == expected["entries"]
    assert document["entries"]
    for entry in document["entries"]:
        assert set(entry) == {"date", "granularity", "sentences", "articles", "added"}
        assert entry["added"].startswith("20")  # when its newest quoted article was stored
        assert all(set(s) == CONTRACT_SENTENCE_KEYS for s in entry["sentences"])
        cited = {s["article_id"] for s in entry["sentences"]}
        assert len(cited) <= entry["articles"] <= 3
    # the extra keys do not stop the document from being read as a Timeline
    assert Timeline.from_dict(document).to_dict() == expected


def test_timeline_parameters_are_passed_through(client):
    small = client.get("/api/timeline", params={"dates": 2, "sentences": 1}).json()
    assert len(small["entries"]) == 2
    assert all(len(e["sentences"]) == 1 for e in small["entries"])
    ranged = client.get("/api/timeline", params={"start": "2023-10-19", "end": "2023-10-20"})
    assert {e["date"] for e in ranged.json()["entries"]} <= {"2023-10-19", "2023-10-20"}
    assert client.get("/api/timeline", params={"method": "datewise"}).json()["method"] \
        == "datewise"
    searched = client.get("/api/timeline", params={"query": "mediator"}).json()
    assert searched["query"] == "mediator"


def test_entity_filter_keeps_only_articles_that_mention_it(client):
    entities = client.get("/api/entities", params={"limit": 50}).json()["entities"]
    falk = next(e for e in entities if e["text"] == "Ines Falk")
    assert falk["articles"] == 1
    timeline = client.get("/api/timeline", params={"entity": "Ines Falk"}).json()
    cited = {s["article_id"] for e in timeline["entries"] for s in e["sentences"]}
    assert len(cited) == 1
    article = client.get(f"/api/articles/{cited.pop()}").json()
    assert "Ines Falk" in {e["text"] for e in article["entities"]}
    assert all(e["articles"] == 1 for e in timeline["entries"])
    nobody = client.get("/api/timeline", params={"entity": "Nobody At All"}).json()
    assert nobody["entries"] == []


@pytest.mark.parametrize(("fmt", "media", "start"), [
    ("md", "text/markdown", "# Timeline"),
    ("json", "application/json", "{"),
    ("timelinejs", "application/json", "{"),
])
def test_exports_are_downloads_rendered_like_the_cli(client, store_path, fmt, media, start):
    response = client.get("/api/timeline", params={"format": fmt, "dates": 3})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    with Store(store_path, create=False) as store:
        expected = render(build_timeline(store, TimelineRequest(dates=3)), fmt)
    assert response.text == expected and response.text.startswith(start)


@pytest.mark.parametrize(("params", "named"), [
    ({"dates": "0"}, "dates"),
    ({"dates": "many"}, "dates"),
    ({"sentences": "0"}, "sentences"),
    ({"method": "magic"}, "method"),
    ({"start": "2023-13-01"}, "start"),
    ({"end": "yesterday"}, "end"),
    ({"format": "pdf"}, "format"),
    ({"start": "2023-10-22", "end": "2023-10-01"}, "start date"),
])
def test_bad_timeline_parameters_are_422_naming_which_and_why(client, params, named):
    response = client.get("/api/timeline", params=params)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str) and named in detail
    assert str(next(iter(params.values()))) in detail or "after" in detail


# -- articles and entities ------------------------------------------------------------------

def test_articles_are_paged_with_total_and_page_size(client):
    first = client.get("/api/articles").json()
    assert first["total"] == len(first["articles"]) >= 3
    assert (first["page"], first["page_size"], first["pages"]) == (1, 20, 1)
    assert all("text" not in a and a["id"] for a in first["articles"])
    assert client.get("/api/articles", params={"page": 2}).json()["articles"] == []
    found = client.get("/api/articles", params={"query": "mediator"}).json()
    assert 1 <= found["total"] < first["total"]
    bad = client.get("/api/articles", params={"page": 0})
    assert bad.status_code == 422 and "page" in bad.json()["detail"]
    huge = client.get("/api/articles", params={"page": 10**23})  # was a 500 (OverflowError)
    assert huge.status_code == 422 and "page" in huge.json()["detail"]
    assert client.get("/api/articles", params={"page": 10**9}).json()["articles"] == []


def test_one_article_comes_with_its_annotations(client):
    some = client.get("/api/articles").json()["articles"][0]["id"]
    article = client.get(f"/api/articles/{some}").json()
    text = article["article"]["text"]
    assert article["sentences"] and set(article) == {"article", "sentences", "entities",
                                                     "time_mentions"}
    for sentence in article["sentences"]:
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]
    for mention in article["time_mentions"]:
        assert text[mention["start"]:mention["end"]] == mention["text"]


def test_an_unknown_article_is_404(client):
    response = client.get("/api/articles/no-such-article")
    assert response.status_code == 404
    assert "no-such-article" in response.json()["detail"]


def test_entities_are_the_most_mentioned_with_counts(client):
    entities = client.get("/api/entities", params={"limit": 3}).json()["entities"]
    assert len(entities) == 3
    counts = [e["articles"] for e in entities]
    assert counts == sorted(counts, reverse=True)
    assert all(set(e) == {"text", "label", "articles"} for e in entities)
    assert client.get("/api/entities", params={"limit": 0}).status_code == 422


# -- writing ---------------------------------------------------------------------------------

def test_post_validates_like_ingest_and_reports_the_same(tmp_path, store_path):
    lines = [json.dumps(NEWS), "{broken", json.dumps({"title": "no text"}),
             json.dumps({"text": "x", "published": "soon"}), json.dumps([1])]
    body = "\n".join(lines) + "\n"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(body)
    cli = CliRunner().invoke(main, ["ingest", str(feed), "--db", str(tmp_path / "cli.db"),
                                    "--format", "json"])
    by_cli = json.loads(cli.stdout)
    db = tmp_path / "posted.db"
    db.write_bytes(store_path.read_bytes())
    with live_server(db) as url:
        posted = httpx.post(f"{url}/api/articles", content=body, timeout=60,
                            headers={"Content-Type": "application/x-ndjson"})
        assert posted.status_code == 200
        report = posted.json()
        assert (report["added"], report["updated"], report["unchanged"]) == (1, 0, 0)
        assert [(s["path"].split(":")[-1], s["reason"]) for s in report["skipped"]] == \
            [(s["path"].split(":")[-1], s["reason"]) for s in by_cli["skipped"]]
        assert report["total_articles"] == 4 and report["ids"] == ["ferry/42"]
        again = httpx.post(f"{url}/api/articles", json=NEWS, timeout=60).json()
        assert (again["added"], again["unchanged"]) == (0, 1)


def test_post_takes_an_object_a_list_or_json_lines_and_shows_up_at_once(tmp_path, store_path):
    db = tmp_path / "posted.db"
    db.write_bytes(store_path.read_bytes())
    with live_server(db) as url, httpx.Client(base_url=url, timeout=60) as session:
        assert session.get("/api/timeline", params={"query": "Tidewell"}).json()["entries"] == []
        one = session.post("/api/articles", json=NEWS)
        assert one.status_code == 200 and one.json()["added"] == 1
        # the same request again: the cached (empty) timeline was dropped with the write
        after = session.get("/api/timeline", params={"query": "Tidewell"}).json()
        assert {s["article_id"] for e in after["entries"] for s in e["sentences"]} == {"ferry/42"}
        more = [dict(NEWS, id=f"ferry/{n}", text=NEWS["text"] + f" Update {n}.") for n in (1, 2)]
        listed = session.post("/api/articles", json=more).json()
        assert listed["added"] == 2 and listed["ids"] == ["ferry/1", "ferry/2"]
        slashed = session.get("/api/articles/ferry%2F1")
        assert slashed.status_code == 200 and slashed.json()["article"]["id"] == "ferry/1"
        assert session.get("/api/articles").json()["total"] == 6
        undated = session.post("/api/articles", json={"text": "A note with no date at all."})
        assert undated.json()["undated"] == ["request"]


@pytest.mark.parametrize(("body", "content_type", "status", "says"), [
    (b"", "application/json", 422, "empty"),
    (b"\xff\xfe not utf-8", "application/json", 422, "UTF-8"),
    (b'{"title": "no text"}', "application/json", 422, "no usable article"),
    (b'[1, {"text": ""}]', "application/json", 422, "no usable article"),
    (b'{"text": "fine"}', "text/plain", 415, "application/json"),
    (b'{"text": "fine"}', "application/x-www-form-urlencoded", 415, "application/json"),
])
def test_bad_posts_are_refused_with_a_reason(client, body, content_type, status, says):
    response = client.post("/api/articles", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert says in response.json()["detail"]
    if says == "no usable article":
        assert response.json()["report"]["skipped"]


@pytest.mark.parametrize("body", [
    b'{"id": "big", "text": "x", "n": ' + b"9" * 5000 + b"}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"text": "x", "published": "0001-01-01T00:00:00Z"}',
])
def test_hostile_json_is_a_422_with_the_security_headers(client, body):
    response = client.post("/api/articles", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["report"]["skipped"][0]["reason"]
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_a_lone_surrogate_escape_is_stored_as_a_replacement_character(tmp_path, store_path):
    db = tmp_path / "posted.db"
    db.write_bytes(store_path.read_bytes())
    body = b'{"id": "half", "published": "2023-10-25", "text": "Crews \\ud800 joined the strike."}'
    with live_server(db) as url:
        answer = httpx.post(f"{url}/api/articles", content=body, timeout=60,
                            headers={"Content-Type": "application/json"})
        assert answer.status_code == 200, answer.text
        assert "\ufffd" in httpx.get(f"{url}/api/articles/half").json()["article"]["text"]


def _post_scope(body_header: tuple[bytes, bytes]) -> dict:
    """An ASGI scope of a JSON POST to /api/articles, its body announced by ``body_header``.

    For requests no HTTP client library will send (a body that never comes,
    or never ends), the app is driven directly with its own receive and send.
    """
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": "/api/articles", "raw_path": b"",
            "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 5555),
            "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                        body_header]}


def test_a_chunked_body_is_refused_once_it_passes_the_limit(store_path):
    """Counted as it arrives: the server stops reading, and holds no more than the limit."""
    import asyncio

    app = create_app(store_path)
    block = b"x" * 2**20
    pulled, answer = 0, {}

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": block, "more_body": pulled < 400}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["pulled"] = pulled

    scope = _post_scope((b"transfer-encoding", b"chunked"))
    asyncio.run(app(scope, receive, send))
    assert answer == {"status": 413, "pulled": 21}


def test_a_client_gone_before_its_body_is_sent_is_no_server_error(store_path, caplog):
    # Failed before: logged as "POST /api/articles failed" with a ClientDisconnect traceback.
    import asyncio

    app = create_app(store_path)
    messages = iter([{"type": "http.request", "body": b'{"te', "more_body": True},
                     {"type": "http.disconnect"}])
    answer = {}

    async def receive():
        return next(messages)

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = _post_scope((b"content-length", b"100"))
    with caplog.at_level(logging.ERROR):
        asyncio.run(app(scope, receive, send))
    assert answer == {"status": 400}
    assert not [r for r in caplog.records if r.name.startswith("storyline")]


def test_a_body_that_stops_arriving_is_refused_not_waited_for(store_path, monkeypatch):
    """Announced and then never sent: the connection was held open for ever."""
    import asyncio

    from storyline import api

    monkeypatch.setattr(api, "BODY_IDLE_S", 0.2)
    app = create_app(store_path)
    sent = []

    async def receive():
        if not sent:
            sent.append(1)
            return {"type": "http.request", "body": b'{"te', "more_body": True}
        await asyncio.sleep(3600)  # the client goes quiet

    answer = {}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = _post_scope((b"content-length", b"100"))
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
    assert answer == {"status": 408}


def test_no_answer_names_a_server_path(client, store_path):
    missing = client.get("/api/articles/no-such-article").json()["detail"]
    assert str(store_path) not in missing and str(store_path.parent) not in missing
    for summary in client.get("/api/articles").json()["articles"]:
        assert not summary["origin"].startswith("/") and str(DATA) not in summary["origin"]
    some = client.get("/api/articles").json()["articles"][0]["id"]
    assert str(DATA) not in client.get(f"/api/articles/{some}").text


@pytest.mark.parametrize("query", ["a\x00b", "\x00", "\x1b[2J", '"', "AND", "NEAR(", "*"])
def test_strange_queries_never_fail_the_server(client, query):
    for route in ("/api/articles", "/api/timeline"):
        response = client.get(route, params={"query": query})
        assert response.status_code in (200, 422), (route, query, response.text)


def test_with_a_token_writes_need_it_and_reads_do_not(tmp_path, store_path):
    db = tmp_path / "guarded.db"
    db.write_bytes(store_path.read_bytes())
    with live_server(db, token="s3cret", host="0.0.0.0") as url:
        assert httpx.get(f"{url}/api/entities").status_code == 200
        missing = httpx.post(f"{url}/api/articles", json=NEWS)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        wrong = httpx.post(f"{url}/api/articles", json=NEWS,
                           headers={"Authorization": "Bearer guess"})
        assert wrong.status_code == 401
        right = httpx.post(f"{url}/api/articles", json=NEWS, timeout=60,
                           headers={"Authorization": "Bearer s3cret"})
        assert right.status_code == 200 and right.json()["added"] == 1


def test_a_non_loopback_bind_without_a_token_is_refused(store_path, monkeypatch):
    monkeypatch.delenv("STORYLINE_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="without a token"):
        create_app(store_path, host="0.0.0.0")
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        create_app(store_path, host=host)
    result = CliRunner().invoke(main, ["serve", "--db", str(store_path), "--host", "0.0.0.0"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("storyline: error: [E300] refusing to serve on 0.0.0.0")


def test_serve_reads_the_token_from_the_environment(store_path, monkeypatch):
    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    result = CliRunner().invoke(main, ["serve", "--db", str(store_path), "--host", "0.0.0.0",
                                       "--port", "8123"], env={"STORYLINE_TOKEN": "from-env"})
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("0.0.0.0", 8123)
    assert started["app"].state.token == "from-env"


def test_serve_needs_an_existing_store(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no storyline database here" in result.stderr
    assert not (tmp_path / "none.db").exists()
    with pytest.raises(StoreError):
        create_app(tmp_path / "none.db")


# -- what is served, and how -------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/static/../../etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/..%5c..%5c..%5cetc%5cpasswd",
    "/static/%252e%252e%252fetc%252fpasswd",
    "/static/..",
    "/static/%2e%2e",
    "/static/.",
    "/static/",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/../../etc/passwd",
    "/static/app.js/../../../../etc/passwd",
    "/static/..%00/etc/passwd",
    "/static/__init__.py",
    "/static/../api.py",
    "/static/..%2fapi.py",
])
def test_nothing_outside_the_web_folder_is_served(base, path):
    status, body = raw_get(base, path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body and b"import" not in body


def test_the_page_and_its_files_are_served_with_their_types(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/static/app.js"' in page.text
    for name, kind in [("app.js", "text/javascript"), ("style.css", "text/css"),
                       ("favicon.svg", "image/svg+xml")]:
        response = client.get(f"/static/{name}")
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)


def test_every_response_forbids_inline_script_and_sniffing(client):
    for method, path in [("GET", "/"), ("GET", "/static/app.js"), ("GET", "/api/timeline"),
                         ("GET", "/api/articles/none"), ("GET", "/api/timeline?dates=0"),
                         ("GET", "/nowhere"), ("POST", "/api/timeline"), ("GET", "/docs"),
                         ("GET", "/openapi.json")]:
        response = client.request(method, path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"


def test_docs_describe_every_route_without_inline_script(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    assert "<script>" not in docs.text and '<script src="/static/docs.js"' in docs.text
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/timeline", "/api/articles", "/api/articles/{article_id}",
            "/api/entities"} <= set(paths)
    assert "post" in paths["/api/articles"]
    assert "https://" not in docs.text  # Swagger UI comes from the installed package
    script = client.get("/docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/docs/swagger-ui.css").status_code == 200
    assert client.get("/docs/index.html").status_code == 404


def test_a_foreign_host_name_is_refused_on_loopback(client):
    # a page elsewhere reaching 127.0.0.1 through its own DNS name (rebinding)
    response = client.get("/api/entities", headers={"Host": "evil.example:8000"})
    assert response.status_code == 400
    assert client.get("/api/entities", headers={"Host": "localhost"}).status_code == 200


def test_identical_timelines_asked_at_once_are_built_once_then_cached(store_path):
    app = create_app(store_path)
    with live_server(store_path, app=app) as url:
        params = {"dates": 3, "query": "strike"}

        def ask(_):
            return httpx.get(f"{url}/api/timeline", params=params, timeout=120).json()

        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(ask, range(12)))
        assert all(answer == answers[0] for answer in answers) and answers[0]["entries"]
        assert app.state.timelines.started == 1
        assert ask(0) == answers[0] and app.state.timelines.started == 1
        other = httpx.get(f"{url}/api/timeline", params={"dates": 2}, timeout=120)
        assert other.status_code == 200 and app.state.timelines.started == 2


def test_a_write_makes_cached_timelines_stale(tmp_path, store_path):
    db = tmp_path / "s.db"
    db.write_bytes(store_path.read_bytes())
    app = create_app(db, build_workers=0)
    with live_server(db, app=app) as url:
        first = httpx.get(f"{url}/api/timeline", timeout=120).json()
        assert httpx.get(f"{url}/api/timeline", timeout=120).json() == first
        assert app.state.timelines.started == 1
        with Store(db) as store:  # another process's ingest, as far as the server can tell
            ingest([DATA / "strike" / "bayfront-times-strike-begins.html"], store)
            store.conn.execute("DELETE FROM articles WHERE id = (SELECT min(id) FROM articles)")
        httpx.get(f"{url}/api/timeline", timeout=120)
        assert app.state.timelines.started == 2


def test_concurrent_requests_each_get_their_own_store(client):
    paths = ["/api/timeline?dates=2", "/api/articles", "/api/entities", "/api/timeline",
             "/api/articles?query=strike"] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda p: client.get(p).status_code, paths))
    assert statuses == [200] * len(paths)


def test_the_entity_list_is_kept_until_anyone_writes(tmp_path, store_path, monkeypatch):
    db = tmp_path / "s.db"
    db.write_bytes(store_path.read_bytes())
    counted = []
    real = Store.top_entities
    monkeypatch.setattr(Store, "top_entities",
                        lambda self, limit=20: counted.append(limit) or real(self, limit))
    app = create_app(db, build_workers=0)
    with live_server(db, app=app) as url:
        first = httpx.get(f"{url}/api/entities", params={"limit": 5}, timeout=60).json()
        assert httpx.get(f"{url}/api/entities", params={"limit": 5}, timeout=60).json() == first
        shorter = httpx.get(f"{url}/api/entities", params={"limit": 3}, timeout=60).json()
        assert shorter["entities"] == first["entities"][:3] and len(first["entities"]) == 5
        assert len(counted) == 1  # one count of the store answered all three
        with Store(db) as store:  # another process's ingest, as far as the server can tell
            store.conn.execute("DELETE FROM entities WHERE rowid = (SELECT min(rowid) FROM entities)")
        httpx.get(f"{url}/api/entities", params={"limit": 5}, timeout=60)
        assert len(counted) == 2  # the write made the kept list stale


def test_timeline_workers_yield_the_cpu_to_requests(store_path):
    app = create_app(store_path, build_workers=1)
    with live_server(store_path, app=app) as url:
        assert httpx.get(f"{url}/api/timeline", params={"dates": 2}, timeout=120).status_code == 200
        executor = app.state.timelines._executor
        (worker,) = executor._processes.values()
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker.pid) == min(19, ours + 10)
