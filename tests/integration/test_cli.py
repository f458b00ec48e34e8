"""The CLI, driven as a user would: exit codes, stdout, one-line errors."""

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from storyline.cli import main

from tests.conftest import DATA

pytestmark = pytest.mark.slow
STRIKE = DATA / "strike"


def run(*args, **kwargs):
    result = CliRunner().invoke(main, [str(a) for a in args], **kwargs)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_every_command_is_documented_with_an_example():
    for name, command in main.commands.items():
        assert command.help and "Example:" in command.help, name


def test_ingest_reports_json_and_a_second_ingest_changes_nothing(tmp_path):
    db = tmp_path / "s.db"
    first = run("ingest", STRIKE, "--db", db, "--format", "json")
    assert first.exit_code == 0
    report = json.loads(first.stdout)
    assert report["added"] == 3 and report["unchanged"] == 0 and report["skipped"] == []
    assert report["total_articles"] == 3
    # origins run from the folder named on the command line: no absolute path is stored
    assert report["undated"] == ["strike/farm/port-chaos-what-we-know.txt"]
    assert report["copies"] >= 1
    size = db.stat().st_size
    second = json.loads(run("ingest", STRIKE, "--db", db, "--format", "json").stdout)
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 3)
    assert second["total_articles"] == 3
    assert db.stat().st_size == size


def test_bad_inputs_are_named_and_good_ones_stored(tmp_path):
    db = tmp_path / "s.db"
    run("ingest", STRIKE / "2023-10-22", "--db", db, "--quiet")
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02")
    (bad / "latin.txt").write_bytes("Caf\u00e9\n\ntext".encode("latin-1"))
    (bad / "empty.txt").write_text("")
    (bad / "feed.jsonl").write_text('{"text": "A good record about the harbour strike."}\n'
                                    "{broken\n" '{"title": "no text"}\n')
    result = run("ingest", bad, tmp_path / "missing.txt", "--db", db, "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["added"] == 1 and report["total_articles"] == 2
    reasons = {s["path"]: s["reason"] for s in report["skipped"]}
    assert len(reasons) == 6
    assert reasons[str(tmp_path / "missing.txt")] == "does not exist"
    assert "binary" in reasons[str(bad / "binary.txt")]
    assert "UTF-8" in reasons[str(bad / "latin.txt")]
    for path, reason in reasons.items():
        assert f"storyline: skipped {path}: {reason}" in result.stderr
    assert "Traceback" not in result.output


def test_nothing_usable_exits_non_zero_and_keeps_the_store(tmp_path):
    db = tmp_path / "s.db"
    run("ingest", STRIKE, "--db", db, "--quiet")
    (tmp_path / "empty.txt").write_text("")
    result = run("ingest", tmp_path / "empty.txt", "--db", db)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "storyline: error: no usable article in the input"
    again = json.loads(run("ingest", STRIKE, "--db", db, "--format", "json").stdout)
    assert again["unchanged"] == 3


def test_a_corrupt_database_is_one_line_error_and_untouched(tmp_path):
    db = tmp_path / "s.db"
    db.write_bytes(b"not a database at all" * 20)
    result = run("ingest", STRIKE, "--db", db)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "not a SQLite database" in result.stderr
    assert db.read_bytes() == b"not a database at all" * 20


def test_build_prints_the_json_contract(tmp_path):
    db = tmp_path / "s.db"
    run("ingest", STRIKE, "--db", db, "--quiet")
    result = run("build", "--db", db, "--format", "json", "--dates", "3", "--sentences", "1")
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["method"] == "storyline"
    assert len(data["entries"]) == 3
    assert [e["date"] for e in data["entries"]] == sorted(e["date"] for e in data["entries"])
    assert all(len(e["sentences"]) == 1 for e in data["entries"])


def test_build_with_a_query_restricts_the_articles(tmp_path):
    db = tmp_path / "s.db"
    run("ingest", STRIKE, "--db", db, "--quiet")
    data = json.loads(run("build", "--db", db, "--format", "json", "--query", "halting").stdout)
    ids = {s["article_id"] for e in data["entries"] for s in e["sentences"]}
    assert data["query"] == "halting" and len(ids) == 1


def test_build_pauses_the_garbage_collector_only_while_it_builds(tmp_path, monkeypatch):
    import gc

    from storyline import pipeline
    from tests.e2e.synthetic import build_store

    db = tmp_path / "s.db"
    build_store(db, 20)
    seen = []
    real = pipeline.build_timeline

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_timeline", spy)
    assert run("build", "--db", db, "--format", "json").exit_code == 0
    failed = run("build", "--db", db, "--story", "no-such-story")
    assert failed.exit_code == 1 and "no-such-story" in failed.stderr
    assert seen == [False, False] and gc.isenabled()


def test_build_without_a_database_says_how_to_make_one(tmp_path):
    result = run("build", "--db", tmp_path / "none.db")
    assert result.exit_code == 1
    assert "storyline ingest" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_build_refuses_an_empty_file_and_leaves_it_empty(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    result = run("build", "--db", empty)
    assert result.exit_code == 1 and "no storyline database" in result.stderr
    assert empty.read_bytes() == b""


def test_an_unwritable_output_is_a_one_line_error_before_any_work(tmp_path):
    result = run("timeline", STRIKE, "--output", tmp_path / "no" / "such" / "out.md")
    assert result.exit_code == 1
    assert result.stderr.startswith("storyline: error:") and "does not exist" in result.stderr
    assert "Traceback" not in result.output


def test_bad_option_values_are_usage_errors(tmp_path):
    assert run("build", "--db", tmp_path / "x.db", "--dates", "0").exit_code == 2
    assert run("timeline", STRIKE, "--published", "June 5").exit_code == 2
    assert run("timeline", STRIKE, "--method", "magic").exit_code == 2


def test_timeline_writes_markdown_to_a_file(tmp_path):
    out = tmp_path / "tl.md"
    result = run("timeline", STRIKE, "--output", out, "--quiet")
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().startswith("# Timeline")


def test_annotate_prints_one_json_line_per_article_in_input_order():
    roundup = STRIKE / "2023-10-22" / "wire-roundup.txt"
    result = run("annotate", roundup, STRIKE / "bayfront-times-strike-begins.html")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["article"]["origin"] for line in lines] == [
        "wire-roundup.txt", "bayfront-times-strike-begins.html"]
    first = lines[0]
    assert set(first) == {"article", "sentences", "entities", "time_mentions"}
    mentions = {(m["text"], m["value"]) for m in first["time_mentions"]}
    assert ("last Thursday", "2023-10-19") in mentions
    assert ("February", "2023-02") in mentions
    # the DESIGN contract's fields, and a range's end (issue #13; null for one date)
    assert all(set(m) == {"sentence_index", "start", "end", "text", "granularity", "value",
                          "end_value"} for m in first["time_mentions"])
    text = first["article"]["text"]
    for mention in first["time_mentions"]:
        assert text[mention["start"]:mention["end"]] == mention["text"]
    # The recognizer reads the sentences that can enter a timeline (the lead and
    # those with a date); the quote naming Tomas Kerr has neither.
    assert "Alma Reyes" in {e["text"] for e in first["entities"]}


def test_annotate_uses_published_for_undated_text(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Note\n\nThe ferry sank on Sunday, officials said.\n")
    result = run("annotate", path, "--published", "2019-06-26")
    (mention,) = json.loads(result.stdout)["time_mentions"]
    assert mention["value"] == "2019-06-23"


@pytest.mark.skipif(shutil.which("storyline") is None and not (
    sys.prefix and (__import__("pathlib").Path(sys.prefix) / "bin" / "storyline").exists()),
    reason="the storyline script is not installed")
def test_installed_command_gives_one_line_errors_without_traceback(tmp_path):
    from pathlib import Path

    script = Path(sys.prefix) / "bin" / "storyline"
    bad = tmp_path / "x.db"
    bad.write_text("garbage " * 100)
    proc = subprocess.run([str(script), "ingest", str(STRIKE), "--db", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.startswith("storyline: error:") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_parsers_complaints_stay_off_the_terminal_unless_asked(tmp_path):
    # Failed before: trafilatura's "empty HTML tree: None" and warcio's
    # "Replacing spaces in invalid WARC-Target-URI: <U+202E>..." reached
    # stderr, the second with its raw bidi override.
    import random

    from tests.fuzzing import as_html, http_block, make_story, warc_record

    folder = tmp_path / "in"
    folder.mkdir()
    story = make_story(random.Random(1), 1)
    (folder / "page.warc").write_bytes(warc_record(http_block(as_html(story).encode()),
                                                   uri="\u202eno url at all"))
    (folder / "blank.html").write_text("<html><body>\x0c</body></html>")
    (folder / "good.jsonl").write_text(json.dumps(story.record()) + "\n")
    command = [sys.executable, "-m", "storyline", "ingest", str(folder), "--db",
               str(tmp_path / "s.db"), "--quiet"]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr.splitlines() == [
        f"storyline: skipped {folder / 'blank.html'}: has no article text (the page is empty "
        "or all boilerplate)"]  # the archive's page is read, without its broken URL
    verbose = subprocess.run([*command[:3], "-v", *command[3:]], capture_output=True,
                             text=True, timeout=300)
    assert "invalid WARC-Target-URI: \\u202eno url at all" in verbose.stderr
    assert "\u202e" not in verbose.stderr
