"""Turn a file's bytes into text, or say precisely why not.

Plain text and JSON Lines must be UTF-8 (JSON is UTF-8 by definition, and a
text file says nothing about its encoding). A web page is different: it
declares its charset, in the HTTP header it came with or in a ``<meta>`` tag,
and many news sites still serve windows-1251, Shift_JIS or ISO-8859-x. So a
page is decoded as a browser would, with one correction that real pages need:

1. a byte-order mark names the encoding;
2. bytes that are valid UTF-8 are UTF-8, whatever the page says (pages saved
   or re-served as UTF-8 keep their old ``<meta charset=iso-8859-1>``, and
   legacy-encoded text with non-ASCII letters is practically never valid
   UTF-8 by accident);
3. the charset the HTTP ``Content-Type`` header declares, then the one the
   page declares (read by w3lib's implementation of the WHATWG prescan, which
   also maps labels as browsers do: ``iso-8859-1`` means windows-1252);
4. with no usable declaration, charset-normalizer's detection (a tie
   between code pages goes to windows-1252, as in browsers).

Gzipped files (``.html.gz``) are decompressed first.
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from storyline.errors import InputError

log = logging.getLogger(__name__)

_SNIFF_BYTES = 8192
WEB_DEFAULT = "cp1252"
#: A gzipped file that inflates beyond this is refused rather than read into
#: memory: no news page is that big, a decompression bomb is.
MAX_INFLATED_BYTES = 256 * 2**20


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """A page's text and how its encoding was decided (``how``: bom, utf-8,
    http-header, declared or detected)."""

    text: str
    encoding: str
    how: str


def read_bytes(path: Path) -> bytes:
    """The file's bytes; a ``.gz`` file is decompressed.

    Raises InputError for an unreadable file or a broken gzip stream.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if path.name.lower().endswith(".gz"):
        data = _gunzip(data, str(path))
    return data


def _gunzip(data: bytes, origin: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(MAX_INFLATED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(origin, f"is not a readable gzip file ({exc})") from None
    if len(inflated) > MAX_INFLATED_BYTES:
        raise InputError(origin, f"inflates to more than {MAX_INFLATED_BYTES // 2**20} MiB; "
                                 "not read")
    return inflated


def read_text(path: Path) -> str:
    """The file's text as UTF-8 (a BOM is dropped).

    Raises InputError for unreadable, binary, empty and non-UTF-8 files, so
    one bad file is reported by name and the rest of a batch goes on.
    """
    data = read_bytes(path)
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(str(path), "is a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path), f"is not UTF-8 (bad byte at offset {exc.start}); convert it with iconv"
        ) from None
    if not text.strip():
        raise InputError(str(path), "is empty")
    return text


def decode_html(data: bytes, origin: str, content_type: str | None = None) -> DecodedPage:
    """A web page's text, decoded by the rules in the module docstring.

    ``content_type`` is the HTTP ``Content-Type`` header the page came with
    (from a WARC record), if any. Raises InputError for an empty or binary
    file and for bytes no charset reads.
    """
    if not data.strip():
        raise InputError(origin, "is empty")
    bom, mark = read_bom(data)
    if bom:
        return DecodedPage(data[len(mark):].decode(bom, errors="replace"), bom, "bom")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise InputError(origin, "is a binary file, not a web page")
    try:
        return DecodedPage(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError:
        pass
    for how, encoding in (("http-header", http_content_type_encoding(content_type)),
                          ("declared", html_body_declared_encoding(data))):
        if encoding and encoding != "utf-8":
            try:
                return DecodedPage(data.decode(encoding), encoding, how)
            except UnicodeDecodeError:
                log.debug("%s: declares %s but is not %s; detecting", origin, encoding, encoding)
    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.encoding is None:
        raise InputError(origin, "is not text in any character encoding (binary data?)")
    # Short Latin-script pages often read equally well as several Windows
    # code pages; the tie goes to windows-1252, what browsers assume of an
    # undeclared page in most locales (the WHATWG fallback encoding).
    web_default = next((m for m in matches if m.encoding == WEB_DEFAULT), None)
    if web_default and (web_default.chaos, web_default.coherence) == (best.chaos, best.coherence):
        best = web_default
    return DecodedPage(str(best), best.encoding, "detected")
