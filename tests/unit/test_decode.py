import gzip

import pytest

from storyline.errors import InputError
from storyline.ingest.decode import decode_html, read_bytes

from tests.conftest import DATA

PAGES = DATA / "pages"
CAFE = "Le café “Mareé” — crêpes"


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


def test_a_declared_legacy_charset_is_used():
    data = (PAGES / "zarechnye-vesti-cp1251.html").read_bytes()
    page = decode_html(data, "p.html")
    assert (page.encoding, page.how) == ("cp1251", "declared")
    assert "Паводок отрезал три села" in page.text


def test_the_http_header_comes_before_the_page_declaration():
    data = _page("Ελληνικά νέα", '<meta charset="windows-1251">').encode("iso-8859-7")
    page = decode_html(data, "p.html", content_type="text/html; charset=ISO-8859-7")
    assert page.how == "http-header" and "Ελληνικά νέα" in page.text


def test_latin1_labels_mean_windows_1252_as_in_browsers():
    data = _page(CAFE, '<meta charset="iso-8859-1">').encode("cp1252")
    page = decode_html(data, "p.html")
    assert page.encoding == "cp1252" and CAFE in page.text


def test_valid_utf8_wins_over_a_stale_declaration():
    data = _page(CAFE, '<meta charset="iso-8859-1">').encode("utf-8")
    page = decode_html(data, "p.html")
    assert page.how == "utf-8" and CAFE in page.text


def test_an_undeclared_legacy_page_is_detected():
    page = decode_html((PAGES / "bayfront-cafe-cp1252.html").read_bytes(), "p.html")
    assert page.how == "detected"
    assert "crêpes" in page.text and "“We didn’t know" in page.text and "€14,000" in page.text


def test_a_byte_order_mark_names_the_encoding():
    data = "\ufeff".encode("utf-16-le") + _page(CAFE).encode("utf-16-le")
    page = decode_html(data, "p.html")
    assert page.how == "bom" and CAFE in page.text


def test_a_declaration_the_bytes_contradict_falls_back_to_detection():
    data = _page(CAFE * 20, '<meta charset="shift_jis">').encode("cp1252")
    page = decode_html(data, "p.html")
    assert page.how == "detected" and CAFE in page.text


@pytest.mark.parametrize(("data", "reason"), [(b"  \n", "is empty"),
                                              (b"\x89PNG\r\n\x1a\n\x00\x00\x01", "binary")])
def test_unusable_pages_are_named(data, reason):
    with pytest.raises(InputError, match=reason):
        decode_html(data, "p.html")


def test_gzipped_files_are_inflated_and_broken_ones_named(tmp_path):
    good = tmp_path / "a.html.gz"
    good.write_bytes(gzip.compress(b"<html>x</html>"))
    assert read_bytes(good) == b"<html>x</html>"
    bad = tmp_path / "b.html.gz"
    bad.write_bytes(b"<html>not gzipped</html>")
    with pytest.raises(InputError, match="not a readable gzip file") as raised:
        read_bytes(bad)
    assert raised.value.origin == str(bad)
