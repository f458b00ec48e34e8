"""One store, many writers and readers at once, as real processes.

A live ``storyline serve`` answering reads and POSTs, a CLI ``ingest`` and a
second one, and a CLI ``build``, all on the same file at the same time: no
answer may be a 5xx, no command may fail, every acknowledged article must be
in the store afterwards, and SQLite's own integrity check must pass.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.synthetic import build_store

pytestmark = pytest.mark.slow
STORYLINE = [sys.executable, "-m", "storyline"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _feed(path: Path, prefix: str, count: int) -> Path:
    """A JSONL file of short, distinct articles (entities are found in them)."""
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            out.write(json.dumps({
                "id": f"{prefix}-{number}", "source": "Harbour Daily",
                "title": f"Dockworkers in Marrow Bay vote on offer {number}",
                "published": f"2023-11-{1 + number % 28:02d}",
                "text": f"Dockworkers in Marrow Bay voted on Tuesday on offer {number} from "
                        f"the Port Authority.\nTalks will resume on Friday, said Ines Falk "
                        f"of the Harbour Workers' Union.",
            }) + "\n")
    return path


@pytest.fixture
def server(tmp_path):
    db = tmp_path / "shared.db"
    build_store(db, 300)
    port = _free_port()
    process = subprocess.Popen([*STORYLINE, "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/api/entities", timeout=5)
            break
        except httpx.TransportError:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
    yield db, base
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the server did not stop within 30 s of SIGTERM") from None


def test_server_cli_ingests_and_builds_share_one_store_safely(server, tmp_path):
    db, base = server
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def post_articles() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            number = 0
            while not stop.is_set():
                article = {"id": f"post-{number}", "title": f"Ferry crews join strike {number}",
                           "published": "2023-10-24",
                           "text": f"Ferry crews joined the dockworkers' strike on Tuesday, "
                                   f"stopping {number} island ferries."}
                try:
                    answer = client.post("/api/articles", json=article)
                except httpx.TransportError as exc:
                    failures.append(f"POST failed: {exc!r}")
                    return
                if answer.status_code == 200:
                    acknowledged.extend(answer.json()["ids"])
                else:
                    failures.append(f"POST {answer.status_code} {answer.text[:200]}")
                number += 1

    def read_pages(routes: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while not stop.is_set():
                for route in routes:
                    try:
                        answer = client.get(route)
                    except httpx.TransportError as exc:
                        failures.append(f"GET {route} failed: {exc!r}")
                        return
                    if answer.status_code >= 500:
                        failures.append(f"GET {route} {answer.status_code} {answer.text[:200]}")

    workers = [threading.Thread(target=post_articles) for _ in range(2)]
    workers += [threading.Thread(target=read_pages, args=(routes,)) for routes in (
        ["/api/articles", "/api/entities", "/api/articles/syn00007"],
        ["/api/timeline?dates=5", "/api/articles?query=strike&page=2"],
    )]
    for worker in workers:
        worker.start()
    try:
        commands = [
            [*STORYLINE, "ingest", str(_feed(tmp_path / "a.jsonl", "cli-a", 40)), "--db", str(db),
             "--quiet"],
            [*STORYLINE, "ingest", str(_feed(tmp_path / "b.jsonl", "cli-b", 40)), "--db", str(db),
             "--quiet"],
            [*STORYLINE, "build", "--db", str(db), "--dates", "4", "--format", "json"],
        ]
        running = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True) for command in commands]
        results = [(process.communicate(timeout=600), process.returncode) for process in running]
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=300)
    for (out, err), code in results:
        assert code == 0, err
    assert not failures, failures[:5]
    assert acknowledged
    conn = sqlite3.connect(db)
    stored = {row[0] for row in conn.execute("SELECT id FROM articles")}
    assert set(acknowledged) <= stored
    assert {f"cli-a-{n}" for n in range(40)} | {f"cli-b-{n}" for n in range(40)} <= stored
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_ingests_racing_on_a_new_store_both_succeed(tmp_path):
    db = tmp_path / "new.db"
    feeds = [_feed(tmp_path / f"{name}.jsonl", name, 20) for name in ("first", "second")]
    running = [subprocess.Popen([*STORYLINE, "ingest", str(feed), "--db", str(db), "--quiet"],
                                stderr=subprocess.PIPE, text=True) for feed in feeds]
    for process in running:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 40
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    os.remove(db)


def test_eval_runs_sharing_one_cache_wait_for_each_other(tmp_path):
    from tests.conftest import DATA

    cache = tmp_path / "eval-cache.db"
    command = [*STORYLINE, "eval", str(DATA / "tiny-newstls"), "--cache", str(cache),
               "--format", "json", "--quiet"]
    running = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for _ in range(4)]
    metrics = []
    for process in running:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        metrics.append(json.loads(out)["metrics"])
    assert all(m == metrics[0] for m in metrics)


def _workers_of(pid: int) -> list[int]:
    """The timeline worker processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            parent = next(line.split()[1] for line in status.read_text().splitlines()
                          if line.startswith("PPid:"))
            command = (status.parent / "cmdline").read_bytes()
        except (OSError, StopIteration):
            continue
        if parent == str(pid) and b"spawn_main" in command:
            found.append(int(status.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                     if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state.split()[1]  # a zombie has ended; only its reaping is left


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_timeline_workers_end_with_the_server(tmp_path, how):
    # Failed before for SIGKILL, and now and then for SIGTERM: the workers
    # waited forever for work, holding the store open.
    if not Path("/proc/self/status").exists():
        pytest.skip("reads processes from /proc")
    db = tmp_path / "s.db"
    build_store(db, 60)
    port = _free_port()
    process = subprocess.Popen([*STORYLINE, "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/timeline?dates=3", timeout=60)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert answer.status_code == 200
        workers = _workers_of(process.pid)
        assert workers
    finally:
        process.send_signal(how)
        process.wait(timeout=60)
    deadline = time.monotonic() + 20
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_running(pid) for pid in workers)
