"""The ``storyline`` command: a thin adapter over the Python API.

The only module that prints. Errors raised below arrive here as
StorylineError and leave as one line on stderr with a non-zero exit code.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from storyline.errors import StorylineError, printable
from storyline.ingest.base import parse_published
from storyline.model import Timeline
from storyline.render import RENDERERS, render
from storyline.timeline import DEFAULT_METHOD, METHODS



class _DateParam(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_published(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2019-06-23", param, ctx)


DATE = _DateParam()


#: Longest error line printed (a message quoting a long input is cut).
MAX_MESSAGE = 2000


class CliError(click.ClickException):
    """A one-line ``storyline: error: ...`` on stderr and exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"storyline: error: {printable(self.format_message(), MAX_MESSAGE)}",
                   err=True)


def _fail(message: str) -> None:
    raise CliError(message)


class _Group(click.Group):
    """Turns every StorylineError raised by a command into a CliError."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorylineError as exc:
            raise CliError(str(exc)) from None


class _LogLine(logging.Formatter):
    """Log messages as one printable line each (a message may quote an input's bytes).

    A traceback (only ever logged at -vv) keeps its lines.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record), MAX_MESSAGE)


def _ours(record: logging.LogRecord) -> bool:
    return record.name == "storyline" or record.name.startswith("storyline.")


def _configure_logging(verbose: int) -> None:
    """storyline's warnings on stderr; the libraries' own only with -v.

    The parsers storyline uses complain about the inputs they are given
    ("empty HTML tree: None", "Replacing spaces in invalid WARC-Target-URI")
    without naming the file; storyline already names each skipped input
    and why, so at the default verbosity their complaints are left out.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(_LogLine("storyline: %(levelname)s: %(message)s"))
    if not verbose:
        handler.addFilter(_ours)
    logging.basicConfig(level=logging.WARNING - 10 * min(verbose, 2), handlers=[handler])


def _show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


@contextmanager
def _progress(total: int, label: str, enabled: bool) -> Iterator[Callable[[], None]]:
    """A progress bar on a terminal; a no-op otherwise."""
    if not enabled:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


@contextmanager
def _ingest_progress(total_files: int, enabled: bool) -> Iterator[Callable[[int, int], None]]:
    """Files done of all, articles stored and their rate, and the time left (terminals only)."""
    if not enabled:
        yield lambda files, articles: None
        return
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    started = time.monotonic()
    stored = 0
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        "files,", "{task.fields[articles]}", TimeRemainingColumn(), transient=True,
    ) as bar:
        task = bar.add_task("ingesting", total=total_files, articles="0 articles")

        def advance(files: int, articles: int) -> None:
            nonlocal stored
            stored += articles
            rate = stored / max(time.monotonic() - started, 1e-9)
            bar.update(task, advance=files,
                       articles=f"{stored:,} articles stored ({rate:.1f}/s), left:")

        yield advance


@contextmanager
def _engine(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """None (work in this process), or a Dask engine on local workers or a cluster."""
    if workers is None and scheduler is None:
        yield None
        return
    if workers is not None and scheduler is not None:
        _fail("give --workers (a local cluster) or --scheduler (an existing one), not both")
    from storyline.scale import dask_engine

    with dask_engine(scheduler=scheduler, workers=workers) as engine:
        yield engine


# -- shared options --------------------------------------------------------------

def db_option(default: str | None = "storyline.db") -> Callable[[Any], Any]:
    return click.option("--db", "db", default=default, show_default=bool(default),
                        type=click.Path(dir_okay=False),
                        help="The SQLite database file.")


def quiet_option(func: Any) -> Any:
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")(func)


def cluster_options(func: Any) -> Any:
    """``--workers`` / ``--scheduler``: where the per-article work runs (default: here)."""
    func = click.option(
        "--scheduler", default=None, metavar="tcp://HOST:PORT",
        help="Send reading, cleaning and annotating to this Dask cluster's scheduler; only "
             "the writing stays here (see docs/scaling.md).")(func)
    return click.option(
        "--workers", type=click.IntRange(min=1), default=None,
        help="Start a local Dask cluster of this many worker processes (about one per "
             "core) for reading, cleaning and annotating. Default: all in this process.")(func)


def published_option(func: Any) -> Any:
    return click.option(
        "--published", type=DATE, default=None,
        help="Publication date for inputs that carry none of their own (a record's or "
             "page's own date wins; this one beats a date in a file or folder name).")(func)


def timeline_options(func: Any) -> Any:
    options = [
        click.option("--query", default=None, help="Only articles matching these words."),
        click.option("--dates", type=click.IntRange(min=1), default=None,
                     help="Number of dates (default: as many as the articles support)."),
        click.option("--sentences", type=click.IntRange(min=1), default=2, show_default=True,
                     help="Sentences per date."),
        click.option("--method", type=click.Choice(sorted(METHODS)), default=DEFAULT_METHOD,
                     show_default=True, help="Timeline method."),
        click.option("--start", type=DATE, default=None, help="Earliest date to show."),
        click.option("--end", type=DATE, default=None, help="Latest date to show."),
        click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default="md",
                     show_default=True, help="Output format."),
        click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
                     help="Write to this file instead of standard output."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


# -- commands --------------------------------------------------------------------

@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--verbose", "-v", count=True, help="More log output (-v info, -vv debug).")
@click.version_option(package_name="storyline")
def main(verbose: int) -> None:
    """Turn a pile of news articles about one story into a dated, sourced timeline.

    Example:

        storyline timeline examples/news --format md
    """
    _configure_logging(verbose)


def _ingest(inputs: tuple[str, ...], db: str, published: date | None, quiet: bool,
            report_format: str | None, workers: int | None = None,
            scheduler: str | None = None) -> int:
    from storyline.pipeline import count_files, ingest
    from storyline.store import Store

    with Store(db, verify=True) as store, _engine(workers, scheduler) as engine:
        total = count_files(inputs) if _show_progress(quiet) else 0
        with _ingest_progress(total, _show_progress(quiet)) as advance:
            report = ingest(inputs, store, published=published, on_progress=advance,
                            engine=engine)
    for skipped in report.skipped:
        click.echo(f"storyline: skipped {skipped.path}: {skipped.reason}", err=True)
    if report_format == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    elif report_format == "text" and not quiet:
        click.echo(
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{len(report.skipped)} skipped; {report.total_articles} articles in {db}",
            err=True,
        )
        if report.undated:
            click.echo(f"{len(report.undated)} article(s) have no publication date: "
                       f"{', '.join(report.undated[:5])}"
                       f"{' …' if len(report.undated) > 5 else ''}", err=True)
    if report.usable == 0:
        _fail("no usable article in the input")
    return report.usable


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option()
@published_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the report.")
@cluster_options
@quiet_option
def ingest(inputs: tuple[str, ...], db: str, published: date | None, fmt: str,
           workers: int | None, scheduler: str | None, quiet: bool) -> None:
    """Read articles (files or folders) into the database.

    Ingesting the same article twice changes nothing. With --workers or
    --scheduler the articles are read, cleaned and annotated by Dask
    workers and only written here; the database ends up the same.

    Example:

        storyline ingest examples/news --db story.db --format json

        storyline ingest archive/ --db big.db --workers 4
    """
    _ingest(inputs, db, published, quiet, fmt, workers, scheduler)


def _build(db: str, query: str | None, dates: int | None, sentences: int, method: str,
           start: date | None, end: date | None, story: str | None = None,
           since: date | None = None) -> Timeline:
    from storyline.pipeline import build_timeline
    from storyline.store import Store
    from storyline.timeline import TimelineRequest

    request = TimelineRequest(dates=dates, sentences=sentences, query=query, start=start, end=end)
    with Store(db, create=False) as store, _collector_paused():
        return build_timeline(store, request, method, story=story, since=since)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while this process builds a timeline.

    A big story is hundreds of thousands of small objects (sentences, time
    mentions, candidates), none of them in a reference cycle, made in one go:
    the collector's repeated passes over them and over every module loaded
    took 0.3 s of a 2.3 s ``storyline build`` of 5,000 articles and found
    nothing to free. Reference counting still frees all of it; a cycle left
    behind waits for the next collection. Only here, in the command's own
    single-threaded process: the server builds timelines concurrently.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_output(output: str | None) -> None:
    """Fail before any work when the output file cannot be written."""
    if output and not Path(output).parent.is_dir():
        _fail(f"{output}: the folder {Path(output).parent} does not exist")


def _emit(timeline: Timeline, fmt: str, output: str | None) -> None:
    text = render(timeline, fmt)
    if output:
        try:
            Path(output).write_text(text if text.endswith("\n") else text + "\n",
                                    encoding="utf-8")
        except OSError as exc:
            _fail(f"{output}: cannot write ({exc.strerror or exc})")
    else:
        click.echo(text.rstrip("\n"))


@main.command()
@db_option()
@timeline_options
@click.option("--story", default=None, metavar="ID",
              help="Only the articles of this story (`storyline stories` lists them).")
@click.option("--since", type=DATE, default=None,
              help="Only the entries that cite an article stored on or after this day (UTC).")
def build(db: str, query: str | None, dates: int | None, sentences: int, method: str,
          start: date | None, end: date | None, fmt: str, output: str | None,
          story: str | None, since: date | None) -> None:
    """Build a timeline from the articles already in the database.

    With --story, the timeline of one story; with --since, only what
    changed in it since that day.

    Example:

        storyline build --db story.db --query "river" --dates 5 --format json

        storyline build --db feed.db --story 12 --since 2024-05-01
    """
    _check_output(output)
    _emit(_build(db, query, dates, sentences, method, start, end, story, since), fmt, output)


@main.command()
@db_option()
@click.option("--since", type=DATE, default=None,
              help="Only the stories that changed on or after this day (UTC).")
@click.option("--format", "fmt", type=click.Choice(["md", "json"]), default="md",
              show_default=True, help="Output format.")
@click.option("--articles", is_flag=True,
              help="List each story's articles (id and origin), and who ran whose text.")
def stories(db: str, since: date | None, fmt: str, articles: bool) -> None:
    """List the stories the stored articles tell, largest first.

    Every ingest places its articles in stories; this lists them with their
    sources, span and last change. With --articles, each story's articles,
    and which of them ran text first and where it also ran. `storyline
    build --story ID` gives one story's timeline.

    Example:

        storyline stories --db feed.db --since 2024-05-01 --format json --articles
    """
    from storyline.render import provenance_to_dicts, stories_to_markdown
    from storyline.store import Store
    from storyline.stories import list_stories, story_copies, update_stories

    with Store(db, create=False) as store:
        if not store.read_only:
            # A store written before stories existed, or by an ingest cut off
            # before its stories were updated: its articles are placed now.
            update_stories(store)
        found = list_stories(store, since=since, members=articles)
        copies = {s.id: story_copies(store, s.id) for s in found} if articles else {}
    if fmt == "json":
        listed = []
        for story in found:
            data = story.to_dict()
            if articles:
                data["provenance"] = provenance_to_dicts(copies[story.id], {
                    m.id: {**m.to_dict(), "source": m.source,
                           "published": m.published.isoformat() if m.published else None}
                    for m in story.members or ()})
            listed.append(data)
        click.echo(json.dumps({"stories": listed}, ensure_ascii=False))
    else:
        click.echo(stories_to_markdown(found, copies).rstrip("\n"))


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@db_option(default=None)
@published_option
@timeline_options
@quiet_option
def timeline(inputs: tuple[str, ...], db: str | None, published: date | None,
             query: str | None, dates: int | None, sentences: int, method: str,
             start: date | None, end: date | None, fmt: str, output: str | None,
             quiet: bool) -> None:
    """Ingest INPUTS and print their timeline, in one go.

    Without --db the database is temporary.

    Example:

        storyline timeline examples/news --dates 8 --format md
    """
    _check_output(output)
    with tempfile.TemporaryDirectory(prefix="storyline-") as scratch:
        path = db or str(Path(scratch) / "storyline.db")
        _ingest(inputs, path, published, quiet, "text")
        _emit(_build(path, query, dates, sentences, method, start, end), fmt, output)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@published_option
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json",
              show_default=True, help="One JSON object per article and line.")
def annotate(inputs: tuple[str, ...], published: date | None, fmt: str) -> None:
    """Print each article's sentences, entities and resolved time mentions.

    For inspecting the annotation; nothing is stored.

    Example:

        storyline annotate article.txt --published 2019-06-23
    """
    from storyline.annotate.pipeline import Annotator
    from storyline.clean import clean_article
    from storyline.ingest import Skipped, read_inputs

    articles = []
    for item in read_inputs(inputs, published=published):
        if isinstance(item, Skipped):
            click.echo(f"storyline: skipped {item.path}: {item.reason}", err=True)
        else:
            articles.append(clean_article(item))
    if not articles:
        _fail("no usable article in the input")
    for annotated in Annotator().annotate(articles):
        click.echo(json.dumps(annotated.to_dict(), ensure_ascii=False))


@main.command(name="eval")
@click.argument("dataset_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--method", type=click.Choice(sorted(METHODS)), default=DEFAULT_METHOD,
              show_default=True, help="Timeline method to evaluate.")
@click.option("--span-extension", type=click.IntRange(min=0), default=0, show_default=True,
              help="Widen each gold timeline's date span by this many days each side.")
@click.option("--length", type=click.Choice(["gold", "auto"]), default="gold",
              show_default=True,
              help="Number of dates: the gold timeline's (the protocol) or the method's own"
                   " choice, month and year entries allowed (what a user without --dates gets).")
@click.option("--format", "fmt", type=click.Choice(["json", "md"]), default="md",
              show_default=True, help="Eval JSON or a Markdown table beside published results.")
@click.option("--cache", type=click.Path(dir_okay=False), default=None,
              help="Annotation cache database (default: ~/.cache/storyline/eval.db).")
@cluster_options
@quiet_option
def evaluate(dataset_dir: str, method: str, span_extension: int, length: str, fmt: str,
             cache: str | None, workers: int | None, scheduler: str | None,
             quiet: bool) -> None:
    """Run the standard timeline-summarization protocol on a benchmark dataset.

    DATASET_DIR is in the Timeline17 layout or the news-tls layout. Articles
    are annotated once and cached, so other methods run without annotating.
    With --length auto the method picks the number of dates; the JSON then
    has a "length" object (entries per granularity, gold dates, share of
    month/year entries that contain a gold date) and the scores are of the
    day entries.

    Example:

        storyline eval ../shared/data/t17-newstls --method datewise --format json
    """
    from storyline.evaluate.datasets import load_dataset
    from storyline.evaluate.runner import run_eval, to_markdown

    total = len(load_dataset(dataset_dir))
    with _engine(workers, scheduler) as engine, \
            _progress(total, "topics", _show_progress(quiet)) as advance:
        report = run_eval(dataset_dir, method=method, span_extension=span_extension,
                          cache=cache, on_topic=lambda *_: advance(), length=length,
                          engine=engine)
    if not report.results:
        _fail(f"{dataset_dir}: no topic has articles to evaluate on")
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        click.echo(to_markdown(report).rstrip("\n"))


@main.command()
@click.option("--db", "db", required=True, type=click.Path(dir_okay=False),
              help="An existing storyline database (made by `storyline ingest`).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on.")
@click.option("--token", envvar="STORYLINE_TOKEN", default=None, show_envvar=True,
              help="Bearer token that writes (POST /api/articles) must present.")
def serve(db: str, host: str, port: int, token: str | None) -> None:
    """Serve the timeline page and the HTTP API (docs at /docs).

    Reads need nothing; writes need the token when one is set, and one must
    be set to listen on anything but loopback.

    Example:

        storyline serve --db story.db --port 8000
    """
    import uvicorn

    from storyline.api import create_app

    app = create_app(db, token=token, host=host)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"storyline: serving {db} at http://{shown}:{port}/ (API docs at /docs); "
               f"Ctrl+C stops", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
