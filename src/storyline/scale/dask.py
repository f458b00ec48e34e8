"""Spread the per-article work over a Dask cluster; the store stays with one writer.

Reading, cleaning and annotating an article needs nothing but the article,
so it can run anywhere; SQLite takes one writer at a time, so the results
come back to the process that writes the store. Work goes out in tasks of a
few files (or articles), at most ``window`` tasks at a time so that neither
the workers nor this process ever hold more than a few hundred articles,
and results are handed to the writer in input order: a store filled this
way is the same as after a serial ingest, row for row.

A file's articles go through two tasks on the same worker: the first reads
them and sends back only their ids and content hashes, the writer says
which ones the store does not hold yet, and the second annotates just
those, next to the text it already has. Ingesting a folder again therefore
annotates only what changed, as a serial ingest does.

A worker that dies takes its tasks with it; the scheduler runs them again
elsewhere (and writing is idempotent besides). A task that still fails
costs only its own articles, each reported as skipped with the reason.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

from storyline.errors import ClusterError
from storyline.ingest import InputFile, Skipped
from storyline.model import Article
from storyline.scale.work import (
    ArticleKey,
    Failed,
    Prepared,
    article_keys,
    prepare_pairs,
    prepare_read,
    read_files,
)

if TYPE_CHECKING:  # an annotator is passed in: its stage is imported by whoever made it
    from storyline.annotate.pipeline import Annotator

log = logging.getLogger(__name__)

#: Files per task at most: enough work (about a second) to make a task's
#: overhead small, few enough that a worker's share stays balanced. Files of
#: many articles (JSONL, WARC) go fewer to a task, down to one: a task is
#: sized to hold about FILES_PER_TASK articles (see ``_next_size``).
FILES_PER_TASK = 16
#: Articles per task when the articles were read by this process (eval, the API).
ARTICLES_PER_TASK = 16
#: Tasks out at once per worker thread. Results are handed to the writer in
#: input order, so a task that finishes before an earlier one still holds
#: its place in the window until the earlier one is done; and the writer
#: hears that a chunk was read, and sends it to be annotated, only between
#: two of its transactions. With 3, each of a local cluster's two workers
#: waited 4.3 to 5.4 s between tasks in an ingest of 1,600 Timeline17 files
#: (33 to 35 s); with 12, 0.6 to 0.8 s, and 1.3 to 2.1 s with at most
#: READS_PER_THREAD chunks read ahead (below). On two cores the writer runs
#: in those pauses, so less was lost there (the cores busy 92 to 95 % of
#: the time instead of 88 to 91 %); on a cluster, where the writer has
#: cores of its own, a waiting worker is lost time.
TASKS_PER_THREAD = 12
#: Of those, chunks read and not yet answered by the writer, per worker
#: thread: a file of an archive (JSONL, WARC) may hold thousands of
#: articles, all read before anyone knows. As many as the whole window
#: allowed before the window grew; 6 made no clear difference to the
#: workers' waiting (0.7 to 1.9 s).
READS_PER_THREAD = 3
#: Articles sent to be annotated whose results the writer has not had yet,
#: per worker thread, past which no more files are read (while any are out):
#: the window counts tasks, and a task of archives can hold thousands of
#: articles where one of web pages holds 16.
ARTICLES_PER_THREAD = 256
#: Seconds to wait for a scheduler to answer.
CONNECT_TIMEOUT_S = 30
#: How often the scheduler may lose a worker that runs a task before giving it up.
ALLOWED_FAILURES = 3

#: Decides, in input order, whether the writer wants an article annotated.
Wanted = Callable[[str, str], bool]
#: Told how many files were finished (their results handed to the writer).
FilesDone = Callable[[int], None]


@dataclass
class DaskEngine:
    """Runs the per-article stages on a Dask ``Client``'s cluster.

    ``window`` is how many tasks may be out at once (default:
    TASKS_PER_THREAD per worker thread, so that no worker waits while the
    writer catches up); ``held`` how many articles may be out being
    annotated before no more files are read (default: ARTICLES_PER_THREAD
    per worker thread). Memory stays bounded either way: by the window for
    files of one article, by ``held`` and READS_PER_THREAD for archives.
    """

    client: Any  # distributed.Client
    files_per_task: int = FILES_PER_TASK
    articles_per_task: int = ARTICLES_PER_TASK
    window: int | None = None
    held: int | None = None

    @property
    def workers(self) -> int:
        return sum(self.client.nthreads().values())

    def _window(self) -> int:
        return self.window or max(4, TASKS_PER_THREAD * self.workers)

    def _share(self, annotator: Annotator) -> Any:
        """The annotator, sent once to every worker (its caches then live there)."""
        return self.client.scatter(annotator, broadcast=True, hash=False)

    def prepare_files(self, items: Iterable[InputFile | Skipped], *, published: date | None,
                      annotator: Annotator, signature: str, wanted: Wanted,
                      on_skipped: Callable[[Skipped], None],
                      on_undated: Callable[[str], None],
                      on_files: FilesDone | None = None) -> Iterator[Prepared | Failed]:
        """Read, clean and annotate the articles of files on the cluster, in input order.

        ``wanted(id, digest)`` is asked of each article in input order, as
        soon as it has been read; only wanted articles are annotated.
        """
        shared = self._share(annotator)
        remaining = map(_absolute, items)
        # One file a chunk until a chunk has shown how many articles its files hold.
        size = 1
        reading: deque[tuple[list[InputFile | Skipped], Any, Any]] = deque()
        preparing: deque[tuple[Any, list[ArticleKey], int]] = deque()
        window = self._window()
        reads = max(2, READS_PER_THREAD * self.workers)
        most_held = self.held or ARTICLES_PER_THREAD * self.workers
        held = 0  # articles out being annotated
        exhausted = False
        while True:
            while (not exhausted and len(reading) + len(preparing) < window
                   and len(reading) < reads and (held < most_held or not preparing)):
                chunk = list(islice(remaining, size))
                if not chunk:
                    exhausted = True
                    break
                read = self.client.submit(read_files, chunk, published, pure=False)
                keys = self.client.submit(article_keys, read, signature, pure=False)
                reading.append((chunk, read, keys))
            if not reading and not preparing:
                return
            # The writer's answers go out as soon as a chunk is read, so that
            # workers never wait for the writer; results are yielded in order.
            if reading and (reading[0][2].done() or not preparing):
                chunk, read, keys = reading.popleft()
                future, chosen, chunk_files, articles = self._annotate(
                    chunk, read, keys, shared, wanted, on_skipped, on_undated)
                preparing.append((future, chosen, chunk_files))
                held += len(chosen)
                size = self._next_size(chunk_files, articles, size)
                del chunk, read, keys, future
            elif preparing[0][0] is None or preparing[0][0].done():
                future, keys_wanted, files = preparing.popleft()
                held -= len(keys_wanted)
                yield from self._results(future, keys_wanted)
                if on_files:
                    on_files(files)
            else:
                from distributed import wait

                wait([preparing[0][0], *(entry[2] for entry in islice(reading, 1))],
                     return_when="FIRST_COMPLETED")

    def _next_size(self, files: int, articles: int, size: int) -> int:
        """Files for the next chunk: about ``files_per_task`` articles' worth, by the last chunk.

        Files of one article each (web pages) go ``files_per_task`` to a
        chunk; an archive of thousands, one. A chunk that read no article
        (its files missing, empty or unreadable) says nothing, and the size
        stays.
        """
        if not files or not articles:
            return size
        return max(1, min(self.files_per_task, files * self.files_per_task // articles))

    def _annotate(self, chunk: list[InputFile | Skipped], read: Any, keys: Any, shared: Any,
                  wanted: Wanted, on_skipped: Callable[[Skipped], None],
                  on_undated: Callable[[str], None]) -> tuple[Any, list[ArticleKey], int, int]:
        """Hear what a chunk's files held and send the articles the writer wants to be annotated.

        Returns the task (None if nothing is wanted), the wanted articles'
        keys, the number of files, and the number of articles they held.
        """
        files = sum(1 for item in chunk if isinstance(item, InputFile))
        try:
            found = keys.result()
        except Exception as exc:  # noqa: BLE001 - the task's failure is the files' failure
            for item in chunk:
                on_skipped(item if isinstance(item, Skipped) else Skipped(
                    str(item.path), f"could not be read on the cluster ({_describe(exc)})"))
            return None, [], files, 0
        positions: list[int] = []
        chosen: list[ArticleKey] = []
        articles = 0
        for position, key in enumerate(found):
            if isinstance(key, Skipped):
                on_skipped(key)
                continue
            articles += 1
            if key.undated:
                on_undated(key.origin)
            if wanted(key.id, key.digest):
                positions.append(position)
                chosen.append(key)
        if not chosen:
            return None, [], files, articles
        future = self.client.submit(prepare_read, read, positions, [k.digest for k in chosen],
                                    shared, pure=False)
        return future, chosen, files, articles

    def prepare_articles(self, pairs: Iterable[tuple[Article, str]], *,
                         annotator: Annotator) -> Iterator[Prepared | Failed]:
        """Clean and annotate articles read by this process, on the cluster, in input order."""
        shared = self._share(annotator)
        chunks = (list(chunk) for chunk in _batched(pairs, self.articles_per_task))
        pending: deque[tuple[Any, list[ArticleKey]]] = deque()
        window = self._window()
        for chunk in chunks:
            keys = [ArticleKey(a.id, digest, a.origin, a.published is None) for a, digest in chunk]
            pending.append((self.client.submit(prepare_pairs, chunk, shared, pure=False), keys))
            while len(pending) >= window:
                yield from self._results(*pending.popleft())
        while pending:
            yield from self._results(*pending.popleft())

    @staticmethod
    def _results(future: Any, keys: list[ArticleKey]) -> Iterator[Prepared | Failed]:
        if future is None:
            return
        try:
            results = future.result()
        except Exception as exc:  # noqa: BLE001 - a task's failure stays with its articles
            log.warning("a task of %d article(s) failed on the cluster: %s", len(keys),
                        _describe(exc))
            results = [Failed(key.origin, "annotated", f"on the cluster: {_describe(exc)}")
                       for key in keys]
        finally:
            future.release()
        yield from results


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _absolute(item: InputFile | Skipped) -> InputFile | Skipped:
    """The file named from the root, so a worker started elsewhere finds it (labels unchanged)."""
    if isinstance(item, Skipped):
        return item
    return replace(item, path=item.path.absolute(),
                   root=item.root.absolute() if item.root is not None else None)


def _batched(items: Iterable[Any], size: int) -> Iterator[tuple[Any, ...]]:
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


@contextmanager
def dask_engine(*, scheduler: str | None = None, workers: int | None = None,
                timeout: float = CONNECT_TIMEOUT_S) -> Iterator[DaskEngine]:
    """A DaskEngine on an existing cluster (``scheduler``) or on ``workers`` local processes.

    A local cluster gets one single-threaded worker process per core asked
    for (spaCy and the rules are pure Python, so threads would wait on each
    other) and goes away with the context.
    """
    if (scheduler is None) == (workers is None):
        raise ClusterError("give either a scheduler address or a number of local workers")
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - pinned in requirements.lock
        raise ClusterError(f"Dask is not installed ({exc}); run `make install`") from None
    # Dask's own log says a lot at INFO (every worker started); only its
    # warnings and errors reach a user who did not ask for more.
    logging.getLogger("distributed").setLevel(max(logging.WARNING, log.getEffectiveLevel()))
    # Two of Dask's defaults cost a local cluster's workers CPU for nothing
    # they use here (a cluster's own workers keep their settings: what a
    # scheduler address reaches is the user's to tune, see docs/scaling.md):
    # - a worker samples its task's stack every 10 ms for the dashboard's
    #   profile page, and a local cluster has no dashboard (about 5 % of the
    #   workers' CPU in one pair of runs);
    # - the nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, so that
    #   glibc hands freed memory back to the system at once; annotating
    #   allocates and frees all the time, and the trimming tripled the
    #   workers' system time (1 s to 4 s each for 800 Timeline17 files, 9 %
    #   of the ingest's wall time). None unsets Dask's value: glibc's own
    #   default then, or what the user's environment says.
    local = {} if scheduler is not None else {
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES, **local}):
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
                                   f"start one with `dask scheduler` and workers with "
                                   f"`dask worker {scheduler}`") from None
            try:
                yield DaskEngine(client)
            finally:
                client.close()
            return
        if workers is None or workers < 1:
            raise ClusterError(f"--workers must be at least 1, not {workers}")
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        # The scheduler serves HTTP (health, metrics) even without a
        # dashboard, on port 8787 unless told otherwise, and warns when that
        # is taken (a second cluster on the machine): any free loopback port.
        # The worker processes log at CRITICAL only: when the cluster closes,
        # a worker whose heartbeat races the scheduler's exit logs an ERROR
        # with a traceback (dask/distributed#7105, still open), after the
        # work is done. A task that fails reaches the engine as its exception.
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.CRITICAL,
                          scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, \
                Client(cluster) as client:
            yield DaskEngine(client)
