"""Web pages as they come: legacy charsets, gzip, notices, datelines, WARC damage.

Each page is read through ``read_inputs`` (what ``storyline ingest`` does),
and the CLI is run once to check that a batch of awkward pages leaves
nothing on stderr but the named skips.
"""

import gzip
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.cli import main
from storyline.ingest import Skipped, read_inputs
from storyline.model import Article

from tests.conftest import DATA, SHARED_DATA

PAGES = DATA / "pages"
STRIKE_PAGE = DATA / "strike" / "bayfront-times-strike-begins.html"


def _read(*paths):
    items = list(read_inputs(paths))
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, Skipped)])


def test_a_page_in_a_declared_legacy_charset_is_read():
    (article,), skipped = _read(PAGES / "zarechnye-vesti-cp1251.html")
    assert not skipped
    assert article.title == "Паводок отрезал три села от райцентра"
    assert "Вода в реке Сосна поднялась за ночь" in article.text
    assert (article.published, article.published_from) == (date(2021, 4, 12), "metadata")


def test_a_page_in_an_undeclared_legacy_charset_is_read():
    (article,), _ = _read(PAGES / "bayfront-cafe-cp1252.html")
    assert article.title == "Harbour café reopens after the storm"
    assert "“We didn’t know if we’d open again,” said its owner, Renée Dubois" in article.text
    assert "crêpes" in article.text


def test_gzipped_pages_are_read(tmp_path):
    for name in ("story.html.gz", "story.htm.gz"):
        (tmp_path / name).write_bytes(gzip.compress(STRIKE_PAGE.read_bytes()))
    articles, skipped = _read(tmp_path)
    assert not skipped and len(articles) == 2
    assert all("walked off the job on Thursday" in a.text for a in articles)
    assert {a.published for a in articles} == {date(2023, 10, 20)}


@pytest.mark.parametrize(("page", "kind"), [("reprint-only.html", "reprint"),
                                            ("paywall-only.html", "paywall")])
def test_a_page_holding_only_a_notice_is_skipped_with_the_reason(page, kind):
    articles, (skipped,) = _read(PAGES / page)
    assert not articles
    assert skipped.path == str(PAGES / page)
    assert f"holds only a {kind} notice" in skipped.reason


def test_an_article_with_a_reprint_line_is_still_an_article(tmp_path):
    page = STRIKE_PAGE.read_text().replace(
        "</article>", "<p>This article was originally published on The Harbour Review.</p>"
                      "</article>")
    (tmp_path / "page.html").write_text(page)
    (article,), skipped = _read(tmp_path / "page.html")
    assert not skipped and "walked off the job" in article.text


def test_a_page_without_date_markup_is_dated_from_what_it_prints():
    (article,), _ = _read(PAGES / "dateline.html")
    assert article.published == date(2021, 3, 9)
    assert article.published_from in ("dateline", "page-text")
    assert article.url == "https://northshore-courier.example/local/lighthouse-cottages-museum"


def test_the_printed_dateline_beats_a_utc_timestamp_of_the_evening_before(tmp_path):
    page = (PAGES / "dateline.html").read_text().replace(
        "</head>", '<meta property="article:published_time" content="2021-03-08T23:30:00Z">'
                   "</head>")
    (tmp_path / "page.html").write_text(page)
    (article,), _ = _read(tmp_path / "page.html")
    assert (article.published, article.published_from) == (date(2021, 3, 9), "dateline")


def test_a_page_with_no_printed_date_is_dated_by_the_events_it_reports(tmp_path):
    page = (PAGES / "dateline.html").read_text().replace(
        "<div class=\"byline\">By Maren Holt &middot; Tuesday, 9 March 2021</div>", "")
    (tmp_path / "page.html").write_text(page)
    (article,), _ = _read(tmp_path / "page.html")
    # htmldate's search finds the same day in the text; the rule that makes
    # the reported day itself the date is tested in tests/unit/test_published.py
    assert article.published == date(2021, 2, 26)


@pytest.mark.slow
def test_the_evidence_that_won_is_stored_and_shown(tmp_path):
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["ingest", str(PAGES), "--db", str(db), "--quiet"])
    assert result.exit_code == 0, result.output
    from storyline.store import Store

    with Store(db) as store:
        found = {a.article.origin: a.article.published_from for a in store.load_annotated()}
    assert found["pages/zarechnye-vesti-cp1251.html"] == "metadata"
    shown = CliRunner().invoke(main, ["annotate", str(PAGES / "zarechnye-vesti-cp1251.html")])
    assert json.loads(shown.stdout.splitlines()[0])["article"]["published_from"] == "metadata"


def _warc(path, records):
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, kind, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url or "https://placeholder.example/",
                                               "response", payload=io.BytesIO(body),
                                               http_headers=headers)
            if url is None:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)


def test_a_warc_record_without_a_target_uri_does_not_stop_the_archive(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    cp1251 = (PAGES / "zarechnye-vesti-cp1251.html").read_bytes()
    _warc(path, [
        ("https://www.bayfronttimes.example/2023/10/20/walkout", "text/html",
         STRIKE_PAGE.read_bytes()),
        (None, "text/html; charset=windows-1251", cp1251),
        ("https://zarechnye.example/news/flood", "text/html; charset=windows-1251", cp1251),
        ("https://www.bayfronttimes.example/broken", "text/html", b"\x89PNG\r\n\x1a\n\x00\x00"),
    ])
    articles, skipped = _read(path)
    assert [a.origin for a in articles] == [f"crawl.warc.gz#{n}" for n in (1, 2, 3)]
    assert articles[1].url is None and "Вода в реке Сосна" in articles[1].text
    assert articles[2].url == "https://zarechnye.example/news/flood"
    (broken,) = skipped
    assert broken.path == f"{path}#4" and "binary" in broken.reason


def test_a_damaged_archive_keeps_the_records_before_the_damage(tmp_path):
    path = tmp_path / "crawl.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                   protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://www.bayfronttimes.example/a", "response",
            payload=io.BytesIO(STRIKE_PAGE.read_bytes()), http_headers=headers))
        out.write(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999999\r\n\r\ncut short")
    articles, skipped = _read(path)
    assert len(articles) == 1
    assert all(s.path.startswith(f"{path}#") for s in skipped)


def test_library_complaints_never_reach_stderr(tmp_path, capfd):
    (tmp_path / "empty.html").write_text("<html><body><nav>Home</nav></body></html>")
    (tmp_path / "binary.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(STRIKE_PAGE.read_bytes()))
    articles, skipped = _read(tmp_path)
    assert len(articles) == 1 and len(skipped) == 2
    assert all(s.path.startswith(str(tmp_path)) and s.reason for s in skipped)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.slow
def test_a_ten_megabyte_page_is_read_whole():
    paragraphs = "".join(f"<p>Paragraph {i}: the council voted on plan {i} to raise the harbour"
                         " fees next year, officials said on Monday.</p>" for i in range(20))
    html = ("<html><head><title>Harbour fees rise</title></head><body><script>var blob = '"
            + "A" * 10_500_000 + "';</script><article><h1>Harbour fees rise</h1>" + paragraphs
            + "</article></body></html>")
    from storyline.ingest.html import parse_html

    article = parse_html(html, origin="big.html")
    assert "Paragraph 19: the council voted" in article.text


EXTRACTION = SHARED_DATA / "pages" / "extraction"


@pytest.mark.slow
def test_a_table_laid_out_page_of_the_benchmark_keeps_its_body():
    """The page that favor_precision with include_tables=False threw away."""
    name = "c00962aabe7bdd1fca78f5360ea7fa93cd7674863b05157e00827506a7aa58c4.html.gz"
    if not (EXTRACTION / "html" / name).is_file():
        pytest.skip("benchmark data ../shared/data/pages is not present")
    (article,), _ = _read(EXTRACTION / "html" / name)
    assert len(article.text.split()) > 1500


def test_a_store_from_before_published_from_keeps_its_articles(tmp_path):
    import sqlite3

    from storyline.store import APPLICATION_ID, MIGRATIONS, Store, _statements

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for statement in _statements(MIGRATIONS[0]):
        conn.execute(statement)
    conn.execute("INSERT INTO articles (id, url, source, title, published, text, origin,"
                 " content_hash, added_at) VALUES ('a', NULL, 'Wire', 'Old', '2020-01-02',"
                 " 'Kept text.', 'old.txt', 'h', '2020-01-02T00:00:00+00:00')")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(path) as store:
        (old,) = [a.article for a in store.load_annotated()]
    assert (old.id, old.text, old.published, old.published_from) == ("a", "Kept text.",
                                                                     date(2020, 1, 2), None)
