"""The HTTP API and the web page: a thin adapter over Store, pipeline and render.

``create_app`` returns a FastAPI app; ``storyline serve`` runs it under
uvicorn. Every route opens its own Store (uvicorn answers from a thread
pool, and a connection must not be shared by two requests at once), and
writes are serialized by one lock, as SQLite has one writer anyway.
storyline's errors are turned into HTTP errors here and nowhere else.

Article text and titles come from strangers. The page renders them with
DOM text nodes only, and every response carries a Content-Security-Policy
that forbids inline script, so a ``<script>`` in a title stays text even
if a bug ever let it reach markup.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline.errors import (
    ConfigError,
    DateError,
    InputError,
    NotFoundError,
    QueryError,
    StoreError,
    StorylineError,
)
from storyline.ingest.base import Skipped
from storyline.ingest.jsonl import loads, parse_record, read_jsonl
from storyline.model import Article, StorySummary
from storyline.builds import BuiltTimeline, KeptUntilWrite, TimelineBuilds, TimelineQuestion
from storyline.pipeline import IngestReport, ingest_articles
from storyline.render import provenance_to_dicts, render
from storyline.store import Store
from storyline.stories import list_stories, resolve_story, story_copies, story_volume
from storyline.stories.background import StoryUpdates
from storyline.timeline import DEFAULT_METHOD, METHODS, TimelineRequest

log = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent / "web"
#: The only files ever served from disk: what the web folder holds, by name.
#: Looking a name up here, instead of joining it to a path, is what keeps
#: ``/static/../../etc/passwd`` and its encoded cousins out.
STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
                ".png": "image/png"}
PAGE_SIZE = 20
#: The last page number accepted (a 422 beyond it): far past any store's last
#: page, and its offset still fits SQLite's 64-bit integers (a 500 before).
MAX_PAGE = 10**9
#: A POST larger than this is refused before it is read (413).
MAX_BODY_BYTES = 20 * 1024 * 1024
#: Seconds a request body may stall (nothing arriving) before the request is refused (408).
BODY_IDLE_S = 30.0
#: Swagger UI's two files, served from the swagger-ui-bundle package so that
#: /docs, like the page, loads nothing from elsewhere.
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")
WRITE_TYPES = ("application/json", "application/x-ndjson", "application/jsonl",
               "application/json-lines")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY")]
ERROR_STATUS: dict[type[StorylineError], int] = {
    NotFoundError: 404, ConfigError: 422, DateError: 422, InputError: 422, QueryError: 422,
    StoreError: 503,
}
EXPORTS = {"json": ("application/json", "timeline.json"),
           "md": ("text/markdown; charset=utf-8", "timeline.md"),
           "timelinejs": ("application/json", "timeline-timelinejs.json")}

QUERY_HELP = "Only articles matching these words (full-text search)"

MethodName = Literal[tuple(sorted(METHODS))]  # type: ignore[valid-type]


def is_loopback(host: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def create_app(db: str | Path, *, token: str | None = None, host: str = "127.0.0.1",
               build_workers: int | None = None) -> FastAPI:
    """The app serving the store at ``db``, as it will be bound to ``host``.

    Timelines are built in ``build_workers`` processes (default: all cores
    but one; 0 builds in a thread of this process), see ``storyline.builds``.

    The store must exist (StoreError otherwise). Bound to anything but
    loopback, the app refuses to start without a token (ConfigError), since
    anyone who can reach it could otherwise write to the store; with a
    token, every write must present it as ``Authorization: Bearer``.
    """
    token = (token or "").strip() or None
    if not is_loopback(host) and not token:
        raise ConfigError(
            f"refusing to serve on {host} without a token: anyone who can reach it could "
            f"add articles to {db}; pass --token or set STORYLINE_TOKEN, or bind to 127.0.0.1"
        )
    with Store(db, create=False, verify=True):
        pass  # a damaged, foreign or missing store is refused before the server starts
    timelines = TimelineBuilds(str(db), workers=build_workers)
    answers = KeptUntilWrite(str(db))
    story_updates = StoryUpdates(str(db))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        story_updates.close()
        timelines.close()
        answers.close()

    app = FastAPI(
        title="storyline", version=_version(), docs_url=None, redoc_url=None, lifespan=lifespan,
        description="A dated, sourced timeline of the articles in one storyline store.",
    )
    app.state.db = str(db)
    app.state.token = token
    app.state.write_lock = threading.Lock()
    app.state.timelines = timelines
    app.state.answers = answers
    app.state.story_updates = story_updates
    app.add_exception_handler(StorylineError, _storyline_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.include_router(router)
    allowed_hosts = _local_names(host) if is_loopback(host) else None
    app.add_middleware(_Guard, allowed_hosts=allowed_hosts)
    return app


# -- errors, at the edge ------------------------------------------------------------

async def _storyline_error(request: Request, exc: Exception) -> JSONResponse:
    """The error's one line, without the server's own paths (clients see ids, not files)."""
    status = next((code for kind, code in ERROR_STATUS.items() if isinstance(exc, kind)), 500)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": _without_paths(str(exc), request.app.state.db)},
                        status_code=status)


def _without_paths(message: str, db: str) -> str:
    for path in sorted({db, str(Path(db).absolute()), str(Path(db).resolve())}, key=len,
                       reverse=True):
        message = message.replace(path, "the store")
    return message


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    """422 with one readable line naming each bad parameter and why."""
    assert isinstance(exc, RequestValidationError)
    problems = []
    for error in exc.errors():
        where = [str(part) for part in error.get("loc", ())]
        kind, name = (where[0], ".".join(where[1:])) if len(where) > 1 else ("request", "")
        value = f" (got {error['input']!r})" if isinstance(error.get("input"), str) else ""
        problems.append(f"{kind} parameter {name!r}: {error.get('msg', 'invalid')}{value}")
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
              for e in exc.errors()]
    return JSONResponse({"detail": "; ".join(problems), "errors": errors}, status_code=422)


# -- security headers and host check -------------------------------------------------

class _Guard:
    """Adds the security headers to every response; checks Host on loopback.

    A page on another site can make a browser talk to 127.0.0.1 under a
    name it controls (DNS rebinding); answering only to local names stops
    it reading or writing the store that way.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: frozenset[str] | None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = CSP.encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"content-security-policy", csp), *SECURITY_HEADERS]
            await send(message)

        if self.allowed_hosts is not None and _host_name(scope) not in self.allowed_hosts:
            response = JSONResponse({"detail": "unknown Host header; use http://127.0.0.1"},
                                    status_code=400)
            await response(scope, receive, send_with_headers)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            # A bug must still answer like the rest of the API (one JSON
            # line, the security headers) and say nothing of the server.
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = JSONResponse({"detail": "internal error; the server's log has the "
                                               "details"}, status_code=500)
            await response(scope, receive, send_with_headers)


def _host_name(scope: Scope) -> str:
    raw = dict(scope.get("headers", ())).get(b"host", b"").decode("latin-1").lower()
    if raw.startswith("["):
        return raw[1:raw.find("]")] if "]" in raw else raw
    return raw.rsplit(":", 1)[0] if raw.count(":") == 1 else raw


def _local_names(host: str) -> frozenset[str]:
    return frozenset({"localhost", "127.0.0.1", "::1", host.strip("[]").lower()})


# -- dependencies ----------------------------------------------------------------------

def reader(request: Request) -> Iterator[Store]:
    """A store for this request alone, opened read-only in spirit (never created)."""
    with Store(request.app.state.db, create=False) as store:
        yield store


def _authorized(request: Request) -> None:
    """Writes need the server's token, when it has one (always, off loopback)."""
    expected = request.app.state.token
    if expected is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                              expected.encode()):
        raise HTTPException(401, "writing needs the server's token: "
                                 "send 'Authorization: Bearer TOKEN'",
                            headers={"WWW-Authenticate": "Bearer"})


StoreDep = Annotated[Store, Depends(reader)]
router = APIRouter()


# -- the page ---------------------------------------------------------------------------

@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type=STATIC_TYPES[".html"])


@router.get("/docs", include_in_schema=False)
def docs() -> FileResponse:
    """Swagger UI, started by a script file: FastAPI's own page needs inline script."""
    return FileResponse(WEB / "docs.html", media_type=STATIC_TYPES[".html"])


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    files = _static_files()
    if name not in files:
        raise HTTPException(404, "Not Found")
    return FileResponse(files[name], media_type=STATIC_TYPES[files[name].suffix])


@router.get("/docs/{name}", include_in_schema=False)
def swagger_file(name: str) -> FileResponse:
    """Swagger UI's script and style, looked up by name like the static files."""
    if name not in SWAGGER_FILES:
        raise HTTPException(404, "Not Found")
    from swagger_ui_bundle import swagger_ui_path

    path = Path(swagger_ui_path) / name
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix])


def _static_files() -> dict[str, Path]:
    return {p.name: p for p in WEB.iterdir()
            if p.is_file() and p.suffix in STATIC_TYPES and not p.name.startswith(".")}


# -- the API ---------------------------------------------------------------------------

@router.get("/api/timeline", summary="The timeline, as JSON or an export format")
async def timeline(
    request: Request,
    query: Annotated[str | None, Query(max_length=500, description=QUERY_HELP)] = None,
    entity: Annotated[str | None, Query(max_length=500,
                                        description="Only articles mentioning it")] = None,
    dates: Annotated[int | None, Query(ge=1, le=500,
                                       description="Number of dates (default: auto)")] = None,
    sentences: Annotated[int, Query(ge=1, le=20, description="Sentences per date")] = 2,
    method: Annotated[MethodName, Query(description="Timeline method")] = DEFAULT_METHOD,
    start: Annotated[date | None, Query(description="Earliest date (YYYY-MM-DD)")] = None,
    end: Annotated[date | None, Query(description="Latest date (YYYY-MM-DD)")] = None,
    fmt: Annotated[Literal["json", "md", "timelinejs"] | None,
                   Query(alias="format", description="Download in this format")] = None,
    story: Annotated[str | None, Query(max_length=40,
                                       description="Only this story's articles")] = None,
) -> Response:
    """The Timeline JSON of DESIGN, each entry with an extra ``articles`` count.

    ``articles`` is how many distinct articles stand behind an entry: those
    whose time mentions point at its date, and those it quotes; ``added``
    is when the newest article it quotes was stored (UTC). With
    ``format`` the timeline comes as a download, exactly as ``storyline build
    --format`` writes it.
    """
    wanted = TimelineRequest(dates=dates, sentences=sentences, query=query or None,
                             start=start, end=end)
    if story:
        story = await run_in_threadpool(_resolved_story, request.app, story)
    built = await request.app.state.timelines.get(
        TimelineQuestion(wanted, method, entity or None, story or None))
    if fmt:
        media_type, filename = EXPORTS[fmt]
        return Response(built.render(fmt, lambda b: render(b.timeline, fmt).encode()),
                        media_type=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return Response(built.render("api", _timeline_json), media_type="application/json")


#: The longest entity list one request may ask for.
MAX_ENTITIES = 1000


def _timeline_json(built: BuiltTimeline) -> bytes:
    document = built.timeline.to_dict()
    for entry, counted, added in zip(document["entries"], built.support, built.added,
                                     strict=True):
        entry["articles"] = counted
        entry["added"] = added
    return JSONResponse(document).body


def _resolved_story(app: FastAPI, story_id: str) -> str:
    """The story's current id (404 for an unknown one), before a build is asked for.

    Articles just added are placed first: the story's timeline includes them.
    """
    app.state.story_updates.settled()
    with Store(app.state.db, create=False) as store:
        return resolve_story(store, story_id)


@router.get("/api/stories", summary="The stories of the stored articles, largest first")
def stories(
    request: Request,
    store: StoreDep,
    since: Annotated[date | None, Query(description="Only stories changed on or after this"
                                                    " day (YYYY-MM-DD, UTC)")] = None,
    articles: Annotated[bool, Query(description="List each story's articles")] = False,
) -> dict[str, Any]:
    """``storyline stories --format json``, each story with its ``volume``: articles per day."""
    request.app.state.story_updates.settled()  # articles just added are placed first
    found = list_stories(store, since=since, members=articles)
    return {"stories": [_story(store, s) for s in found]}


@router.get("/api/stories/{story_id}", summary="One story, with its articles")
def story(request: Request, store: StoreDep,
          story_id: Annotated[str, PathParam(max_length=40)]) -> dict[str, Any]:
    """A story as in the list, with its members and who ran whose text.

    ``provenance`` lists each member whose sentences other members repeat,
    with those copies ("also ran in"): the original is the earliest
    published. A merged story's old id gives the survivor.
    """
    request.app.state.story_updates.settled()
    (found,) = list_stories(store, members=True, story_ids=[story_id])
    data = _story(store, found)
    data["provenance"] = provenance_to_dicts(story_copies(store, found.id),
                                             {m["id"]: m for m in data["members"]})
    return data


def _story(store: Store, found: StorySummary) -> dict[str, Any]:
    data = found.to_dict()
    data["volume"] = [{"date": day.isoformat(), "articles": count}
                      for day, count in story_volume(store, found.id)]
    if found.members is not None:
        data["members"] = [{**m.to_dict(), "source": m.source, "published":
                            m.published.isoformat() if m.published else None,
                            "added_at": m.added_at} for m in found.members]
    return data


@router.get("/api/articles", summary="Stored articles, a page at a time")
def articles(
    store: StoreDep,
    query: Annotated[str | None, Query(max_length=500, description=QUERY_HELP)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1")] = 1,
) -> dict[str, Any]:
    """Articles in publication order, without their text (``/api/articles/{id}`` has it)."""
    total, shown = store.article_page(query=query or None, offset=(page - 1) * PAGE_SIZE,
                                      limit=PAGE_SIZE)
    return {
        "total": total,
        "page": page,
        "page_size": PAGE_SIZE,
        "pages": -(-total // PAGE_SIZE),
        "articles": [_summary(store.get_article(article_id)) for article_id in shown],
    }


def _summary(article: Article) -> dict[str, Any]:
    summary = article.to_dict()
    del summary["text"]
    return summary


@router.get("/api/articles/{article_id:path}", summary="One article with its annotations")
def article(store: StoreDep, article_id: Annotated[str, PathParam(max_length=500)]
            ) -> dict[str, Any]:
    """Cleaned text, sentences, entities and time mentions (offsets into the text)."""
    store.get_article(article_id)  # NotFoundError, hence 404, for an unknown id
    return store.load_annotated([article_id])[0].to_dict()


@router.get("/api/entities", summary="The most widely mentioned entities")
def entities(request: Request,
             limit: Annotated[int, Query(ge=1, le=MAX_ENTITIES, description="How many")] = 20
             ) -> dict[str, Any]:
    """Entities by the number of articles that mention them (kept until the store changes)."""
    def count() -> list[dict[str, Any]]:
        # The longest list anyone may ask for costs the same query as a
        # short one (every entity is counted and sorted either way), so
        # one list, kept, answers every limit.
        with Store(request.app.state.db, create=False) as store:
            return [{"text": text, "label": label, "articles": articles}
                    for text, label, articles in store.top_entities(MAX_ENTITIES)]

    return {"entities": request.app.state.answers.get("entities", count)[:limit]}


@router.post(
    "/api/articles", summary="Add articles, as `storyline ingest` does",
    dependencies=[Depends(_authorized)],
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"description": "an article or a list of articles",
                                        "example": {"title": "Talks collapse",
                                                    "published": "2023-10-19",
                                                    "text": "Talks collapsed on Wednesday."}}},
        "application/x-ndjson": {"schema": {"type": "string",
                                            "description": "JSON Lines, an article a line"}},
    }}},
)
async def add_articles(request: Request) -> JSONResponse:
    """Validate, clean, annotate and store; the ingest report comes back.

    Records are checked one by one exactly as ``storyline ingest`` checks a
    JSONL file: a bad one is listed under ``skipped`` with the reason, the
    rest are stored. Nothing usable at all is a 422.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in WRITE_TYPES:
        # Also what stops a web page elsewhere from posting here: a JSON
        # content type makes the browser ask first, and this app says no.
        raise HTTPException(415, "send the articles as application/json or "
                                 f"application/x-ndjson, not {kind or 'no content type'}")
    body = await _limited_body(request, MAX_BODY_BYTES)
    report = await run_in_threadpool(_ingest_body, request.app, body)
    if report.usable == 0:
        return JSONResponse({"detail": "no usable article in the request",
                             "report": report.to_dict()}, status_code=422)
    return JSONResponse({**report.to_dict(), "ids": report.article_ids})


async def _limited_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) as soon as it grows past ``limit`` bytes.

    A chunked body announces no length: it is counted as it arrives, so
    that a client cannot make the server hold more than ``limit`` bytes.
    """
    too_big = HTTPException(413, f"the body is larger than {limit // 2**20} MiB; "
                                 "send fewer articles per request")
    try:
        announced = int(request.headers.get("content-length") or 0)
    except ValueError:
        raise HTTPException(400, "the Content-Length header is not a number") from None
    if announced > limit:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    stream = request.stream().__aiter__()
    try:
        while True:
            # A client that announces a body and then sends nothing would
            # hold its connection, and a slot of the server, for ever.
            try:
                chunk = await asyncio.wait_for(anext(stream), BODY_IDLE_S)
            except StopAsyncIteration:
                break
            except TimeoutError:
                raise HTTPException(408, f"no part of the body arrived for {BODY_IDLE_S:g} s"
                                    ) from None
            size += len(chunk)
            if size > limit:
                raise too_big
            chunks.append(chunk)
    except ClientDisconnect:
        # Gone before sending what it announced: no one to answer, and no
        # server error to log (it was logged with a traceback, as a bug).
        raise HTTPException(400, "the client disconnected before sending the whole body"
                            ) from None
    return b"".join(chunks)


def _ingest_body(app: FastAPI, body: bytes) -> IngestReport:
    report = IngestReport()
    records = _records(_decoded(body), report)
    with app.state.write_lock, Store(app.state.db) as store:
        # Stories are placed behind the answer (storyline.stories.background):
        # an update reads every story's membership, even for one article.
        ingest_articles(records, store, report=report, stories=False)
    if report.added or report.updated:
        app.state.story_updates.ask()
    return report


def _decoded(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("request", "the body is not UTF-8 text") from None
    if not text.strip():
        raise InputError("request", "the body is empty; send a JSON article, a list of them, "
                                    "or JSON Lines")
    return text


def _records(text: str, report: IngestReport) -> Iterator[Article | Skipped]:
    """A JSON article, a JSON list of them, or JSON Lines, each record checked on its own.

    Undated articles are noted in the report, as ``storyline ingest`` does.
    """
    try:
        data = loads(text, "request")
    except InputError:
        # Not one JSON document: JSON Lines, each line checked on its own.
        items: Iterator[Article | Skipped] = read_jsonl(Path("request"), text)
    else:
        single = not isinstance(data, list)
        items = _parsed([data] if single else data, single=single)
    for item in items:
        if isinstance(item, Article) and item.published is None:
            report.undated.append(item.origin)
        yield item


def _parsed(records: list[Any], *, single: bool) -> Iterator[Article | Skipped]:
    for index, record in enumerate(records):
        origin = "request" if single else f"request[{index}]"
        try:
            yield parse_record(record, origin=origin)
        except InputError as exc:
            yield Skipped(exc.origin, exc.reason)


# -- helpers ---------------------------------------------------------------------------

def _version() -> str:
    from storyline import __version__

    return __version__
