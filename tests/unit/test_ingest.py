import io
import json
from datetime import date

import pytest

from storyline.ingest import Skipped, read_inputs
from storyline.ingest.base import date_from_path, date_from_url, source_from_url, stable_id
from storyline.ingest.text import detokenize, looks_tokenized
from storyline.model import Article, Granularity

from tests.conftest import DATA, EXAMPLES


def _read(*paths, **kwargs):
    items = list(read_inputs(paths, **kwargs))
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, Skipped)])


def test_text_file_title_is_first_nonempty_line_and_date_comes_from_folder(tmp_path):
    folder = tmp_path / "2019-06-23"
    folder.mkdir()
    (folder / "story.txt").write_text("\n\nFloods hit the valley\n\nThe river rose overnight.\n"
                                      "Hundreds were moved to shelters.\n")
    (article,), skipped = _read(tmp_path)
    assert not skipped
    assert article.title == "Floods hit the valley"
    assert article.text == "The river rose overnight.\nHundreds were moved to shelters."
    assert article.published == date(2019, 6, 23)


def test_hard_wrapped_lines_are_rejoined_but_short_labels_stay_lines(tmp_path):
    path = tmp_path / "2020-01-02-wrap.txt"
    path.write_text("Title\n\nThe council voted on a plan that would\nraise taxes next year.\n"
                    "PHOTO: AFP\nVideo player is loading.\n")
    (article,), _ = _read(path)
    assert article.text.splitlines() == [
        "The council voted on a plan that would raise taxes next year.",
        "PHOTO: AFP",
        "Video player is loading.",
    ]
    assert article.published == date(2020, 1, 2)


def test_published_option_is_used_and_path_date_comes_after_it(tmp_path):
    path = tmp_path / "2020-01-02-wrap.txt"
    path.write_text("Title\n\nBody text here.\n")
    (article,), _ = _read(path, published=date(2021, 5, 5))
    assert article.published == date(2021, 5, 5)


def test_an_article_without_any_date_is_kept_with_none(tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text("Title\n\nOn Sunday the dam broke.\n")
    (article,), _ = _read(path)
    assert article.published is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example/2019/01/23/dam-breaks", (date(2019, 1, 23), Granularity.DAY)),
        ("https://news.example/world/2019/01/dam-breaks", (date(2019, 1, 1), Granularity.MONTH)),
        ("https://news.example/story-20190123-dam", (date(2019, 1, 23), Granularity.DAY)),
        ("https://news.example/world/dam-breaks", None),
        ("https://news.example/2019/13/40/x", None),
        ("http://[::1/2019/01/23/x", None),  # not a URL: nothing, not a ValueError
    ],
)
def test_dates_in_urls(url, expected):
    found = date_from_url(url)
    assert (found and (found.value, found.precision)) == expected


def test_a_url_that_does_not_parse_names_no_outlet():
    assert source_from_url("http://[::1/news") is None
    assert source_from_url("https://www.news.example/a") == "news.example"


def test_path_date_prefers_the_file_name_then_the_nearest_folder(tmp_path):
    assert date_from_path(tmp_path / "2019-01-02" / "2019-03-04-x.txt").value == date(2019, 3, 4)
    assert date_from_path(tmp_path / "2019-01-02" / "sub" / "x.txt", tmp_path).value == date(2019, 1, 2)
    assert date_from_path(tmp_path / "2019-01-02" / "x.txt").value == date(2019, 1, 2)
    assert date_from_path(tmp_path / "x.txt") is None


def test_folders_above_the_named_one_do_not_date_its_files(tmp_path):
    story = tmp_path / "crawl-2025-03-20" / "story"
    story.mkdir(parents=True)
    (story / "a.txt").write_text("Title\n\nText.")
    assert date_from_path(story / "a.txt", story) is None
    (article,), _ = _read(story)
    assert article.published is None


def test_a_pages_own_date_beats_published_and_path_dates(tmp_path):
    folder = tmp_path / "2025-03-20"
    folder.mkdir()
    page = folder / "page.html"
    page.write_bytes((DATA / "strike" / "bayfront-times-strike-begins.html").read_bytes())
    (article,), _ = _read(tmp_path, published=date(2025, 3, 1))
    assert article.published == date(2023, 10, 20)
    record = tmp_path / "feed.jsonl"
    record.write_text('{"text": "Some text here.", "published": "2020-01-01"}\n'
                      '{"text": "Other text here."}\n')
    first, second = [a for a in read_inputs([record], published=date(2025, 3, 1))]
    assert first.published == date(2020, 1, 1) and second.published == date(2025, 3, 1)


def test_the_same_file_named_twice_is_read_once(tmp_path):
    (tmp_path / "a.txt").write_text("Title\n\nText.")
    articles, _ = _read(tmp_path, tmp_path / "a.txt", tmp_path)
    assert len(articles) == 1


def test_jsonl_files_concatenated_with_their_byte_order_marks_lose_no_line(tmp_path):
    path = tmp_path / "joined.jsonl"
    path.write_bytes(b"".join(
        "\ufeff".encode() + json.dumps({"id": name, "text": f"Story {name}."}).encode() + b"\n"
        for name in ("a", "b", "c")))
    articles, skipped = _read(path)
    assert [a.id for a in articles] == ["a", "b", "c"] and not skipped


def test_jsonl_records_and_bad_lines(tmp_path):
    lines = [
        json.dumps({"id": "a", "title": "One", "published": "2019-06-23T10:00:00+02:00",
                    "source": "Wire", "url": "https://x.example/a", "text": "First story."}),
        "{not json",
        json.dumps({"id": "b", "title": "No text"}),
        json.dumps({"id": "c", "text": "   "}),
        json.dumps({"id": "d", "text": "Bad date.", "published": "23 June"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"text": "Fifth story, no title.", "url": "https://x.example/2019/06/x"}),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    articles, skipped = _read(path)
    assert [a.id for a in articles] == ["a", stable_id(url="https://x.example/2019/06/x")]
    first, second = articles
    assert first.published == date(2019, 6, 23) and first.origin == "feed.jsonl:1"
    assert second.title == ""  # named after its first line when cleaned
    assert second.published_precision is Granularity.MONTH
    reasons = {s.path.rsplit(":", 1)[1]: s.reason for s in skipped}
    assert set(reasons) == {"2", "3", "4", "5", "6"}
    assert "not valid JSON" in reasons["2"]
    assert '"text"' in reasons["3"] and '"text"' in reasons["4"]
    assert "published" in reasons["5"]
    assert "JSON object" in reasons["6"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"  \n\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("Caf\u00e9 story\n\nText.".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unusable_files_are_named_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    articles, (skipped,) = _read(path)
    assert not articles
    assert skipped.path == str(path) and reason in skipped.reason


def test_missing_paths_and_unsupported_files(tmp_path):
    other = tmp_path / "notes.pdf"
    other.write_bytes(b"%PDF")
    articles, skipped = _read(tmp_path / "nope", other)
    assert not articles
    assert [s.reason for s in skipped][0] == "does not exist"
    assert "unsupported file type" in skipped[1].reason


def test_folders_pass_over_other_files_quietly(tmp_path):
    (tmp_path / "README.md").write_text("# notes")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nText.")
    (tmp_path / "a.txt").write_text("Title\n\nText.")
    articles, skipped = _read(tmp_path)
    assert len(articles) == 1 and not skipped


def test_html_page_gives_text_title_date_source_and_url():
    path = DATA / "strike" / "bayfront-times-strike-begins.html"
    (article,), _ = _read(path)
    assert article.title == "Dockworkers walk out at Marrow Bay after talks collapse"
    assert article.source == "Bayfront Times"
    assert article.url == "https://www.bayfronttimes.example/business/dockworkers-walk-out-marrow-bay"
    assert article.published == date(2023, 10, 20)
    assert "walked off the job on Thursday" in article.text
    assert "Home" not in article.text.splitlines() and "© 2023" not in article.text


def test_html_page_without_text_is_skipped(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title></head><body><nav>Home</nav></body></html>")
    _, (skipped,) = _read(path)
    assert "no article text" in skipped.reason


def test_warc_archives_yield_their_html_responses(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page = (DATA / "strike" / "bayfront-times-strike-begins.html").read_bytes()
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, kind, body in [
            ("https://www.bayfronttimes.example/2023/10/20/walkout", "text/html", page),
            ("https://www.bayfronttimes.example/logo.png", "image/png", b"\x89PNG"),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.0")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers))
    (article,), skipped = _read(path)
    assert not skipped
    assert article.origin == "crawl.warc.gz#1"
    assert article.published == date(2023, 10, 20)


def test_a_broken_warc_is_reported(tmp_path):
    path = tmp_path / "broken.warc"
    path.write_bytes(b"this is not a warc archive at all\n" * 3)
    _, (skipped,) = _read(path)
    assert skipped.path == str(path)


def test_detokenize_undoes_penn_treebank_tokens():
    line = ("The -LRB- WHO -RRB- said it was `` very concerned '' , and that cases ca n't "
            "be ignored ; Mexico 's toll rose to 149 % ... really 1\\/2 .")
    assert detokenize(line) == ('The (WHO) said it was "very concerned", and that cases can\'t '
                                "be ignored; Mexico's toll rose to 149%... really 1/2.")


def test_tokenized_shape_is_recognised_only_on_tokenized_text():
    assert looks_tokenized(["Mexico 's toll rose , officials said .", "Cases rose ."])
    assert not looks_tokenized(["Mexico's toll rose, officials said.", "Cases rose."])


def test_timeline17_layout_reads_as_a_plain_folder(tmp_path):
    docs = tmp_path / "H1N1_bbc" / "InputDocs" / "2009-05-01"
    docs.mkdir(parents=True)
    (docs / "1.htm.txt").write_text(
        "Scotland 's health secretary confirmed a third case on Thursday .\n"
        "The patient -LRB- a man from Falkirk -RRB- is recovering .\n")
    gold = tmp_path / "H1N1_bbc" / "timelines"
    gold.mkdir()
    (gold / "tl.txt").write_text("2009-05-01\nA case is confirmed .\n-----------------------\n")
    (article,), (skipped,) = _read(tmp_path)
    assert article.source == "bbc" and article.published == date(2009, 5, 1)
    assert article.title == ""
    assert article.text.splitlines()[0] == (
        "Scotland's health secretary confirmed a third case on Thursday.")
    assert article.text.splitlines()[1] == "The patient (a man from Falkirk) is recovering."
    assert "reference timeline" in skipped.reason


def test_bundled_examples_all_read():
    articles, skipped = _read(EXAMPLES)
    assert not skipped
    assert 12 <= len(articles) <= 20
    assert len({a.id for a in articles}) == len(articles)
    assert sum(a.published is None for a in articles) == 1
