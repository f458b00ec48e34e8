"""Hostile inputs for storyline's ingest and API, made deterministically.

``generate(count, seed=...)`` makes ``count`` cases, each one or more files
(or links, FIFOs, sockets) to put in a folder that is then ingested. Most
are small valid articles of every supported format, broken the ways files
arrive broken: bytes flipped, cut short, re-encoded, padded with NULs,
control characters and BOMs; JSON nested too deep or holding numbers no
parser takes; dates that cannot be (year 1, 9999, 30 February); WARC
records missing headers or lying about their length; gzip streams damaged;
HTML nested absurdly; names that are not UTF-8 or hold escape sequences;
links out of the folder and in loops. Every ``valid_every``-th case is a
sound article (often under a strange name) that an ingest must store.

``post_bodies(count, seed=...)`` makes bodies for ``POST /api/articles``.

Written by hand: the fuzzers on PyPI (atheris, hypothesis) drive a function
with bytes or values; what is wanted here is files on disk with names,
links and folders around them, of formats they know nothing of, and the
same corpus every run, so that a failure names a case that can be made again.
Shared by tests/integration/test_fuzz.py (a few hundred cases) and
bench/reliability.py (ten thousand).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import socket
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from storyline.errors import printable
from storyline.ingest import (
    MAX_LABEL,
    SUPPORTED_SUFFIXES,
    InputFile,
    Skipped,
    find_files,
    read_file,
)
from storyline.model import Article

#: Formats the ingest reads, by the suffix a generated file gets.
FORMATS = tuple(s for s in (".txt", ".html", ".htm", ".jsonl", ".warc", ".warc.gz",
                            ".html.gz") if s in SUPPORTED_SUFFIXES)

# -- sound articles ------------------------------------------------------------------

_PLACES = ("Marrow Bay", "Zürich", "São Paulo", "Łódź", "Reykjavík", "Selden", "Port Ellis",
           "Kraków", "Montréal", "Eastbank")
_PEOPLE = ("Ines Falk", "José Álvarez", "Zoë Brandt", "Søren Lund", "Chloé Martin",
           "Tomas Kerr", "Ruth Okafor", "Daniel Brandt")
_ORGS = ("the Harbour Workers' Union", "the Port Authority", "the city council",
         "the Labour Ministry", "Atlas Cranes", "the regional court")
_EVENTS = ("dockworkers walked out", "the council voted on the budget",
           "talks with the mediator resumed", "the court heard the appeal",
           "ferry crews joined the strike", "the minister visited the quay")
_WHEN = ("on Monday", "last week", "on March 3, 2021", "in 2019", "yesterday",
         "two days ago", "on 12 October", "earlier this month", "next Friday",
         "in the spring of 2018", "on June 23")
#: Dates a careless or hostile writer puts in text; none may stop an ingest.
IMPLAUSIBLE_PHRASES = (
    "on February 30, 2019", "on 2019-02-30", "on 31/02/2019", "in the year 9999",
    "on 9999-12-31", "in the year 1", "on 0001-01-01", "in 99999999999 days",
    "10000000000 years ago", "in 12345678901234567890", "at 25:61 on 2019-06-23",
    "in the 99th century", "on the 45th of Smarch", "in Q5 2019", "on 2019-13-45",
    "on 29 February 2100", "back in 0000", "by the year 10000", "on 1e309",
    "in week 54 of 2019", "in the 1900000000s", "99999 BC", "on 02/30",
    "on the 0th of March", "in -44",
)
#: Characters that must never reach a terminal raw.
CONTROL = ("\x1b[2J\x1b[31m", "\x07", "\x00", "\x7f", "\x85", "\u2028", "\u202e", "\x0c",
           "\x1c", "\x9b31m", "\r", "\x08\x08\x08", "\ufeff", "\u200b", "\x1b]0;owned\x07")


@dataclass(frozen=True, slots=True)
class Story:
    """One sound article, unique by ``serial``, that cases render and break."""

    serial: int
    title: str
    published: date
    paragraphs: tuple[str, ...]
    url: str

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def record(self) -> dict[str, str]:
        return {"id": f"fuzz-{self.serial}", "url": self.url, "source": "Harbour Daily",
                "title": self.title, "published": self.published.isoformat(),
                "text": self.text}


def make_story(rng: random.Random, serial: int, *, extra: str = "") -> Story:
    """A short news article; ``extra`` is worked into its second paragraph."""
    place, person, org = rng.choice(_PLACES), rng.choice(_PEOPLE), rng.choice(_ORGS)
    published = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    event = rng.choice(_EVENTS)
    paragraphs = [
        f"Report {serial}: {event[0].upper()}{event[1:]} in {place} {rng.choice(_WHEN)}, "
        f"{person} of {org} told reporters after a long meeting.",
        f"The dispute began {rng.choice(_WHEN)} {extra}and has cost the city about "
        f"{rng.randrange(2, 90)} million so far, according to {rng.choice(_ORGS)}.",
        f"{rng.choice(_PEOPLE)} said the next round would start {rng.choice(_WHEN)}, "
        f"and that {rng.choice(_ORGS)} had promised to attend.",
    ]
    for _ in range(rng.randrange(0, 4)):
        paragraphs.append(f"{rng.choice(_PEOPLE)} warned {rng.choice(_WHEN)} that "
                          f"{rng.choice(_EVENTS)} in {rng.choice(_PLACES)} again.")
    title = f"{event[0].upper()}{event[1:]} in {place} (report {serial})"
    url = f"https://news.example/{published:%Y/%m/%d}/report-{serial}"
    return Story(serial, title, published, tuple(paragraphs), url)


def as_txt(story: Story) -> str:
    return f"{story.title}\n\n{story.text}\n"


def as_html(story: Story, *, head: str = "", body_attrs: str = "") -> str:
    paragraphs = "\n".join(f"<p>{_escape(p)}</p>" for p in story.paragraphs)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{_escape(story.title)}</title>"
        f"<meta property=\"article:published_time\" content=\"{story.published}T08:00:00Z\">"
        f"<link rel=\"canonical\" href=\"{story.url}\">{head}</head>"
        f"<body{body_attrs}><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>"
        f"<article><h1>{_escape(story.title)}</h1>\n{paragraphs}\n</article>"
        "<footer>Copyright Harbour Daily. All rights reserved.</footer></body></html>\n"
    )


def as_jsonl_line(record: object) -> str:
    return json.dumps(record, ensure_ascii=False)


def _safe_name(name: str) -> str:
    """A name the file system takes: no NUL, no slash (everything else goes)."""
    return name.replace("\x00", "").replace("/", "")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- WARC ----------------------------------------------------------------------------

def http_block(html: bytes, *, status: str = "HTTP/1.1 200 OK",
               headers: tuple[tuple[str, str], ...] | None = None) -> bytes:
    headers = headers if headers is not None else (
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(html))))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return f"{status}\r\n{head}\r\n".encode("utf-8", "surrogateescape") + html


def warc_record(block: bytes, *, uri: str | None = "https://news.example/a",
                kind: str | None = "response", record_id: str = "<urn:uuid:0>",
                length: object = "auto", version: str = "WARC/1.0",
                content_type: str | None = "application/http; msgtype=response",
                extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    """One WARC record; ``None`` for a header leaves it out, ``length`` may lie."""
    headers: list[tuple[str, str]] = []
    if kind is not None:
        headers.append(("WARC-Type", kind))
    headers += [("WARC-Record-ID", record_id), ("WARC-Date", "2023-10-30T12:00:00Z")]
    if uri is not None:
        headers.append(("WARC-Target-URI", uri))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    headers += list(extra)
    if length is not None:
        headers.append(("Content-Length", str(len(block) if length == "auto" else length)))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return f"{version}\r\n{head}\r\n".encode("utf-8", "surrogateescape") + block + b"\r\n\r\n"


def warcinfo(record_id: str = "<urn:uuid:1>") -> bytes:
    return warc_record(b"software: storyline-fuzz\r\nformat: WARC File Format 1.0\r\n",
                       uri=None, kind="warcinfo", record_id=record_id,
                       content_type="application/warc-fields")


def gzip_members(records: list[bytes]) -> bytes:
    """Each record its own gzip member, as crawlers write ``.warc.gz``."""
    return b"".join(gzip.compress(record, mtime=0) for record in records)


# -- what a case is -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Entry:
    """One thing to put in the corpus folder.

    ``path`` is relative to the corpus folder (``../outside/...`` for what
    links lead out to) and may hold the bytes of a name that is not UTF-8
    as surrogate escapes, as ``os.fsdecode`` gives them. ``special`` is
    ``""`` (a file of ``data``), ``link`` (to ``target``, relative to the
    link's folder or absolute), ``fifo``, ``socket`` or ``folder``.
    """

    path: str
    data: bytes = b""
    special: str = ""
    target: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """What was made, and which origins must end up stored (sound articles only)."""

    kind: str
    entries: tuple[Entry, ...]
    must_store: tuple[str, ...] = ()
    #: Which way of breaking made it (``valid``, ``flip``, ``warc``, ...).
    family: str = ""

    @property
    def format(self) -> str:
        return self.kind.split("/", 1)[0]


@dataclass(slots=True)
class Corpus:
    """A generated folder: ``root`` is what gets ingested, ``outside`` is beside it."""

    root: Path
    outside: Path
    cases: list[Case]
    written: Counter = field(default_factory=Counter)

    def expected_origins(self) -> set[str]:
        """The origins of the sound articles, as the ingest labels them."""
        return {printable(f"{self.root.resolve().name}/{origin}", MAX_LABEL)
                for case in self.cases for origin in case.must_store}

    def kinds(self) -> Counter:
        return Counter(case.kind for case in self.cases)


# -- the generator --------------------------------------------------------------------

class _Maker:
    """Holds the seeded random source and the sizes; each method makes one case."""

    def __init__(self, rng: random.Random, *, huge: int, formats: tuple[str, ...]) -> None:
        self.rng = rng
        self.huge = huge
        self.formats = formats
        self.serial = 0

    # helpers --------------------------------------------------------------------------

    def story(self, extra: str = "") -> Story:
        self.serial += 1
        return make_story(self.rng, self.serial, extra=extra)

    def name(self, n: int, kind: str, suffix: str) -> str:
        slug = kind.replace("/", "-").replace(".", "")
        return f"{n:05d}-{slug}{suffix}"

    def rendered(self, suffix: str, story: Story | None = None) -> bytes:
        """A sound file of this format."""
        story = story or self.story()
        if suffix == ".txt":
            return as_txt(story).encode()
        if suffix in (".html", ".htm"):
            return as_html(story).encode()
        if suffix == ".html.gz":
            return gzip.compress(as_html(story).encode(), mtime=0)
        if suffix == ".jsonl":
            return (as_jsonl_line(story.record()) + "\n").encode()
        page = http_block(as_html(story).encode())
        records = [warcinfo(), warc_record(page, uri=story.url,
                                           record_id=f"<urn:uuid:{story.serial}>")]
        return gzip_members(records) if suffix == ".warc.gz" else b"".join(records)

    def plain(self, suffix: str) -> bytes:
        """The rendering a byte mutation works on: compressed formats uncompressed."""
        return self.rendered(suffix.removesuffix(".gz"))

    def packed(self, suffix: str, data: bytes) -> bytes:
        """``data`` (a plain rendering, changed) stored as ``suffix`` wants."""
        return gzip.compress(data, mtime=0) if suffix.endswith(".gz") else data

    def one(self, n: int, kind: str, suffix: str, data: bytes, folder: str = "") -> Case:
        path = f"{folder}/" if folder else ""
        return Case(kind, (Entry(path + self.name(n, kind, suffix), data),))

    def text_format(self) -> str:
        return self.rng.choice([s for s in self.formats if not s.endswith(".gz")])

    def any_format(self) -> str:
        return self.rng.choice(self.formats)

    # sound articles ----------------------------------------------------------------------

    def valid(self, n: int) -> Case:
        """A sound article that must be stored, now and then under a strange name."""
        suffix = self.any_format()
        story = self.story()
        data = self.rendered(suffix, story)
        oddity = self.rng.choice(["plain", "plain", "bom", "crlf", "control-name",
                                  "latin1-name", "bad-date-folder", "deep", "upper-suffix",
                                  "spaces"])
        folder = ""
        name = self.name(n, f"valid-{oddity}", suffix)
        if oddity == "bom" and not suffix.endswith(".gz") and ".warc" not in suffix:
            data = b"\xef\xbb\xbf" + data
        elif oddity == "crlf" and not suffix.endswith(".gz") and ".warc" not in suffix:
            data = data.replace(b"\n", b"\r\n")
        elif oddity == "control-name":
            name = _safe_name(f"{n:05d}-\x1b[31mred\x07 {self.rng.choice(CONTROL)}{suffix}")
        elif oddity == "latin1-name":
            name = os.fsdecode(f"{n:05d}-caf".encode() + b"\xe9\xff" + suffix.encode())
        elif oddity == "bad-date-folder":
            folder = self.rng.choice(["2019-02-30", "0001-01-01", "9999-12-31", "2019-13-01"])
        elif oddity == "deep":
            folder = "/".join(["deeper"] * self.rng.randrange(5, 30))
        elif oddity == "upper-suffix":
            name = name[: -len(suffix)] + suffix.upper()
        elif oddity == "spaces":
            name = f"{n:05d} a 'quoted' \"name\" -- $(rm -rf) ;{suffix}"
        path = f"{folder}/{name}" if folder else name
        origin = path
        if suffix == ".jsonl":
            origin += ":1"
        elif ".warc" in suffix:
            origin += "#2"  # the warcinfo record is #1
        return Case(f"{suffix[1:]}/valid-{oddity}", (Entry(path, data),), (origin,))

    # byte-level damage, any format -----------------------------------------------------

    def flip(self, n: int) -> Case:
        suffix = self.any_format()
        data = bytearray(self.plain(suffix))
        for _ in range(self.rng.randrange(1, 12)):
            at = self.rng.randrange(len(data))
            data[at] ^= 1 << self.rng.randrange(8)
        return self.one(n, f"{suffix[1:]}/byte-flip", suffix, self.packed(suffix, bytes(data)))

    def truncate(self, n: int) -> Case:
        suffix = self.any_format()
        data = self.rendered(suffix)
        cut = self.rng.randrange(0, len(data))
        return self.one(n, f"{suffix[1:]}/truncated", suffix, data[:cut])

    def insert_bytes(self, n: int) -> Case:
        suffix = self.any_format()
        data = self.plain(suffix)
        at = self.rng.randrange(len(data))
        junk = self.rng.randbytes(self.rng.randrange(1, 64))
        return self.one(n, f"{suffix[1:]}/inserted-bytes", suffix,
                        self.packed(suffix, data[:at] + junk + data[at:]))

    def binary(self, n: int) -> Case:
        suffix = self.any_format()
        size = self.rng.choice([1, 7, 100, 4096, 70_000])
        return self.one(n, f"{suffix[1:]}/random-binary", suffix, self.rng.randbytes(size))

    def encoding(self, n: int) -> Case:
        suffix = self.text_format()
        text = self.plain(suffix).decode()
        how = self.rng.choice(["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-16-be",
                               "utf-32", "invalid-utf8", "overlong", "surrogate-utf8",
                               "cesu", "shift_jis", "mixed"])
        if how in ("latin-1", "cp1252", "shift_jis"):
            data = text.encode(how, errors="replace")
        elif how.startswith(("utf-16", "utf-32")):
            data = text.encode(how)
        elif how == "invalid-utf8":
            at = self.rng.randrange(len(text))
            data = text[:at].encode() + self.rng.choice([b"\xff", b"\xc3", b"\x80\x80",
                                                         b"\xf8\x88\x80\x80\x80"]) \
                + text[at:].encode()
        elif how == "overlong":
            data = text.encode().replace(b"/", b"\xc0\xaf", 1) + b"\xe0\x80\xaf"
        elif how in ("surrogate-utf8", "cesu"):
            data = text.encode().replace(b" ", b" \xed\xa0\x80 ", 2)
        else:  # some lines UTF-8, some latin-1
            lines = text.splitlines(keepends=True)
            data = b"".join(line.encode("latin-1", "replace") if i % 2 else line.encode()
                            for i, line in enumerate(lines))
        return self.one(n, f"{suffix[1:]}/encoding-{how}", suffix, data)

    def bom(self, n: int) -> Case:
        suffix = self.any_format()
        data = self.plain(suffix)
        how = self.rng.choice(["utf8-twice", "utf16-bom-utf8-body", "bom-only", "bom-mid",
                               "utf32-bom", "bom-every-line"])
        boms = {"utf8-twice": b"\xef\xbb\xbf\xef\xbb\xbf" + data,
                "utf16-bom-utf8-body": b"\xff\xfe" + data,
                "bom-only": b"\xef\xbb\xbf",
                "bom-mid": data[: len(data) // 2] + b"\xef\xbb\xbf" + data[len(data) // 2:],
                "utf32-bom": b"\xff\xfe\x00\x00" + data,
                "bom-every-line": b"".join(b"\xef\xbb\xbf" + line
                                           for line in data.splitlines(keepends=True))}
        return self.one(n, f"{suffix[1:]}/bom-{how}", suffix, self.packed(suffix, boms[how]))

    def nul(self, n: int) -> Case:
        suffix = self.any_format()
        data = self.plain(suffix)
        how = self.rng.choice(["early", "late", "everywhere"])
        if how == "early":
            data = data[:10] + b"\x00" + data[10:]
        elif how == "late":  # past the first 8 KiB, where a binary sniff looks
            data = data + b" " * 9000 + b"\x00\x00 tail\n"
        else:
            data = b"\x00".join(data[i:i + 5] for i in range(0, len(data), 5))
        return self.one(n, f"{suffix[1:]}/nul-{how}", suffix, self.packed(suffix, data))

    def control(self, n: int) -> Case:
        """Escape sequences, BEL and friends in titles, text and names."""
        suffix = self.text_format()
        noise = "".join(self.rng.choice(CONTROL) for _ in range(self.rng.randrange(1, 6)))
        story = self.story(extra=noise + " ")
        story = Story(story.serial, noise + story.title + noise, story.published,
                      story.paragraphs, story.url)
        data = self.rendered(suffix, story)
        if suffix == ".jsonl":
            record = story.record() | {"source": noise, "id": f"ctl-{story.serial}{noise}"}
            data = (json.dumps(record) + "\n").encode()
        name = _safe_name(f"{n:05d}-ctl{noise}{suffix}")
        return Case(f"{suffix[1:]}/control-characters", (Entry(name, data),))

    def huge_line(self, n: int) -> Case:
        suffix = self.text_format()
        size = max(1000, self.rng.randrange(self.huge // 2, self.huge + 1))
        word = self.rng.choice(["strike ", "x", "é", "9", "on Monday ", "2019-02-30 ", "\t"])
        blob = (word * (size // len(word) + 1))[:size]
        story = self.story()
        if suffix == ".jsonl":
            data = json.dumps(story.record() | {"text": blob}).encode()
        elif suffix in (".html", ".htm"):
            data = as_html(Story(story.serial, story.title, story.published, (blob,),
                                 story.url)).encode()
        else:
            data = (story.title + "\n\n" + blob).encode()
        return self.one(n, f"{suffix[1:]}/huge-line", suffix, data)

    def empty(self, n: int) -> Case:
        suffix = self.any_format()
        data = self.rng.choice([b"", b"\n", b"   \n\t\n", b"\r\n\r\n", b"\x0c\x0b", b"\x1c\x1d",
                                "\u2028\u3000".encode()])
        return self.one(n, f"{suffix[1:]}/empty", suffix, data)

    def repeated(self, n: int) -> Case:
        suffix = self.text_format()
        data = self.plain(suffix)
        times = self.rng.choice([2, 50, 400])
        return self.one(n, f"{suffix[1:]}/repeated", suffix, data * times)

    def line_endings(self, n: int) -> Case:
        suffix = self.text_format()
        data = self.plain(suffix)
        ending = self.rng.choice([b"\r", b"\r\r\n", b"\x85", "\u2028".encode(), b"\x0b"])
        return self.one(n, f"{suffix[1:]}/line-endings", suffix, data.replace(b"\n", ending))

    def implausible_dates(self, n: int) -> Case:
        """Dates that cannot be, in the text, the metadata and the folder."""
        suffix = self.any_format()
        phrases = self.rng.sample(IMPLAUSIBLE_PHRASES, k=self.rng.randrange(1, 5))
        story = self.story(extra=", ".join(phrases) + " ")
        bad_day = self.rng.choice(["0001-01-01", "9999-12-31", "2019-02-30", "2019-00-10",
                                   "1969-12-31", "2200-01-01", "0000-00-00", "2019-06-23T25:00",
                                   "+002019-06-23", "2019-W01", "20190623", "٢٠١٩-٠٦-٢٣",
                                   "2019-06-23T00:00:00+25:00", "1e999", "", " "])
        if suffix == ".jsonl":
            data = (json.dumps(story.record() | {"published": bad_day}, ensure_ascii=False)
                    + "\n").encode()
        elif "html" in suffix or ".warc" in suffix:
            head = (f'<meta name="date" content="{bad_day}"><script type="application/ld+json">'
                    f'{{"@type":"NewsArticle","datePublished":"{bad_day}",'
                    f'"dateModified":"{self.rng.choice(IMPLAUSIBLE_PHRASES)}"}}</script>')
            html = as_html(story, head=head).replace(
                f'{story.published}T08:00:00Z', bad_day).encode()
            if ".warc" in suffix:
                records = [warc_record(http_block(html), uri=story.url)]
                data = gzip_members(records) if suffix.endswith(".gz") else records[0]
            else:
                data = self.packed(suffix, html)
        else:
            data = as_txt(story).encode()
        folder = self.rng.choice(["", "2019-02-30", "0001-01-01", "9999-12-31"])
        return self.one(n, f"{suffix[1:]}/implausible-dates", suffix, data, folder)

    # JSON Lines -----------------------------------------------------------------------

    def jsonl(self, n: int) -> Case:
        story = self.story()
        good = story.record()
        deep = self.rng.choice([100, 1000, 100_000])
        bad = {
            "deep-array": "[" * deep + "]" * deep,
            "deep-object": '{"a":' * deep + "1" + "}" * deep,
            "deep-in-field": json.dumps(good)[:-1] + ', "extra": ' + "[" * deep + "]" * deep + "}",
            "unclosed-deep": "[" * deep,
            "huge-int": '{"text": "x y z", "n": ' + "9" * self.rng.choice([4301, 50_000]) + "}",
            "huge-int-id": json.dumps(good | {"id": 0})[:-1].replace('"id": 0', '"id": '
                                                                        + "7" * 4000) + "}",
            "huge-float": json.dumps(good)[:-1] + ', "score": 1e999}',
            "nan": json.dumps(good)[:-1] + ', "score": NaN, "other": -Infinity}',
            "float-id": json.dumps(good | {"id": 1e308}),
            "bool-id": json.dumps(good | {"id": True}),
            "list-id": json.dumps(good | {"id": ["a"]}),
            "null-text": json.dumps(good | {"text": None}),
            "int-text": json.dumps(good | {"text": 12}),
            "list-text": json.dumps(good | {"text": ["a", "b"]}),
            "empty-text": json.dumps(good | {"text": "   "}),
            "no-text": json.dumps({k: v for k, v in good.items() if k != "text"}),
            "object-title": json.dumps(good | {"title": {"a": 1}}),
            "int-published": json.dumps(good | {"published": 20190623}),
            "top-level-list": json.dumps([good, good]),
            "top-level-string": json.dumps("just a string"),
            "top-level-number": "42",
            "top-level-null": "null",
            "trailing-comma": json.dumps(good)[:-1] + ",}",
            "single-quotes": str(good),
            "comment": "// a comment\n" + json.dumps(good),
            "lone-surrogates": json.dumps(good).replace("Report", "Report \\ud800", 1)
                               .replace('"title": "', '"title": "\\udfff', 1)
                               .replace('"id": "', '"id": "\\ud83d', 1),
            "surrogate-key": json.dumps(good)[:-1] + ', "k\\udc80": "v"}',
            "nul-escape": json.dumps(good).replace("Report", "Re\\u0000port", 1),
            "escape-sequences": json.dumps(good | {"title": "\x1b[2J\x1b[H\x07" + good["title"],
                                                   "source": "\x1b]8;;http://evil\x07x"}),
            "duplicate-keys": json.dumps(good)[:-1] + ', "text": "replaced text here"}',
            "weird-url": json.dumps(good | {"url": self.rng.choice([
                "javascript:alert(1)", "http://[::1", "http://例え.jp/2019/02/30/x",
                "https://x/" + "a" * 20_000, "http://host/\x1b[2J/2019/06/23/x", "//", "::",
                "http://user:pass@host:99999/2019/13/45/", "file:///etc/passwd"])}),
            "huge-field": json.dumps(good | {"junk": "z" * self.rng.choice([1000, self.huge])}),
            "many-fields": json.dumps(good | {f"f{i}": i for i in range(5000)}),
            "truncated-line": json.dumps(good)[: self.rng.randrange(1, len(json.dumps(good)))],
            "bare-words": "text: hello world",
            "backslash-end": json.dumps(good)[:-2] + "\\",
            "same-id-twice": json.dumps(good) + "\n" + json.dumps(good | {"text": "Other text."}),
        }
        picked = self.rng.sample(sorted(bad), k=self.rng.randrange(1, 4))
        lines = [bad[key] for key in picked]
        if self.rng.random() < 0.5:  # bad lines among good ones
            other = self.story().record()
            lines = [json.dumps(other)] + lines + [json.dumps(self.story().record())]
        kind = "jsonl/" + (picked[0] if len(picked) == 1 else "mixed-bad-lines")
        return self.one(n, kind, ".jsonl", ("\n".join(lines) + "\n").encode())

    # HTML -------------------------------------------------------------------------------

    def html(self, n: int) -> Case:
        story = self.story()
        depth = self.rng.choice([300, 3000, 50_000])
        page = as_html(story)
        text = "<p>" + _escape(story.text) + "</p>"
        lols = "".join(f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i else "&lol;") * 10}">'
                       for i in range(9))
        cases = {
            "nested-divs": "<html><body>" + "<div>" * depth + text + "</div>" * depth,
            "unclosed-nesting": "<html><body>" + "<div><span><b><i>" * (depth // 4) + text,
            "nested-tables": "<table><tr><td>" * (depth // 10) + text,
            "huge-attribute": page.replace("<article>",
                                           f'<article data-x="{"a" * self.huge}">'),
            "only-scripts": "<html><script>" + "var a=1;" * 1000 + "</script></html>",
            "unterminated-comment": page.replace("<article>", "<!-- <article>"),
            "cdata": page.replace("<p>", "<![CDATA[<p>", 3),
            "char-refs": page.replace("Report", "&#0;&#xD800;&#x110000;&#99999999999;&#x1b;"
                                                "&#7;&nbsp&bogus;Report", 2),
            "declared-utf16": page.replace('charset="utf-8"', 'charset="utf-16"'),
            "declared-bogus-charset": page.replace('charset="utf-8"', 'charset="x-no-such"'),
            "xml-decl": '<?xml version="1.0" encoding="ebcdic-cp-us"?>' + page,
            "entity-expansion": ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                                 + lols + ']><html><body><p>&lol8;</p>' + text
                                 + "</body></html>"),
            "many-paragraphs": "<html><body><article>" + "".join(
                f"<p>Paragraph {i} of the report said the strike went on.</p>"
                for i in range(self.huge // 50)) + "</article></body></html>",
            "frameset": "<html><frameset><frame src='a.html'></frameset></html>",
            "svg-math": page.replace("<article>", "<svg><foreignObject><math><mi>"
                                                  "<article>" * 30),
            "title-only": f"<html><head><title>{_escape(story.title)}</title></head></html>",
            "script-in-title": page.replace("<title>", "<title><script>alert(1)</script>"),
            "data-uri": page.replace("<article>", '<img src="data:image/png;base64,'
                                                  + "A" * self.huge + '"><article>'),
            "no-tags": story.text,
            "broken-tags": page.replace(">", "", 20),
            "bad-meta-dates": page.replace(f"{story.published}T08:00:00Z",
                                           self.rng.choice(["0001-01-01", "9999-12-31T99:99",
                                                            "2019-02-30", "yesterday", "\x1b"])),
        }
        key = self.rng.choice(sorted(cases))
        suffix = self.rng.choice([s for s in self.formats if "html" in s or "htm" in s])
        data = cases[key].encode("utf-8", "surrogatepass")
        return self.one(n, f"{suffix[1:]}/{key}", suffix, self.packed(suffix, data))

    # WARC -------------------------------------------------------------------------------

    def warc(self, n: int) -> Case:
        story = self.story()
        html = as_html(story).encode()
        page = http_block(html)
        good = warc_record(page, uri=story.url)
        rid = f"<urn:uuid:{self.rng.getrandbits(64):016x}>"
        cases = {
            "no-target-uri": [warc_record(page, uri=None)],
            "no-type": [warc_record(page, kind=None)],
            "no-length": [warc_record(page, length=None)],
            "length-too-long": [warc_record(page, length=len(page) + 500)],
            "length-too-short": [warc_record(page, length=len(page) // 2), good],
            "length-negative": [warc_record(page, length=-5)],
            "length-not-number": [warc_record(page, length="lots")],
            "length-huge": [warc_record(page, length=10**30)],
            "no-http-status": [warc_record(html, uri=story.url)],
            "http-no-content-type": [warc_record(http_block(html, headers=()))],
            "not-html": [warc_record(http_block(b'{"a": 1}', headers=(
                ("Content-Type", "application/json"),)))],
            "http-404": [warc_record(http_block(html, status="HTTP/1.1 404 Not Found"))],
            "http-garbage-status": [warc_record(http_block(html, status="\x1b[2J HTTP/9 ???"))],
            "version-0.9": [warc_record(page, version="WARC/0.9")],
            "version-99": [warc_record(page, version="WARC/99.0")],
            "garbage-first": [self.rng.randbytes(200), good],
            "request-only": [warc_record(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", kind="request",
                                         content_type="application/http; msgtype=request")],
            "revisit": [warc_record(page, kind="revisit", extra=(
                ("WARC-Profile",
                 "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
                ("WARC-Refers-To", rid)))],
            "warcinfo-only": [warcinfo()],
            "chunked-body": [warc_record(http_block(
                b"%x\r\n" % len(html) + html + b"\r\n0\r\n\r\n",
                headers=(("Content-Type", "text/html"), ("Transfer-Encoding", "chunked"))))],
            "bad-chunked-body": [warc_record(http_block(
                b"zz\r\n" + html, headers=(("Content-Type", "text/html"),
                                           ("Transfer-Encoding", "chunked"))))],
            "content-encoding-gzip-lie": [warc_record(http_block(html, headers=(
                ("Content-Type", "text/html"), ("Content-Encoding", "gzip"))))],
            "content-encoding-deflate-damaged": [warc_record(http_block(
                zlib.compress(html)[:-20], headers=(("Content-Type", "text/html"),
                                                    ("Content-Encoding", "deflate"))))],
            "content-encoding-br-lie": [warc_record(http_block(html, headers=(
                ("Content-Type", "text/html"), ("Content-Encoding", "br"))))],
            "control-uri": [warc_record(page, uri="http://x/\x1b[2J\x07/2019/06/23/a")],
            "not-a-url": [warc_record(page, uri="\u202eno url at all")],
            "utf16-page": [warc_record(http_block(as_html(story).encode("utf-16"), headers=(
                ("Content-Type", "text/html; charset=utf-16"),)))],
            "latin1-headers": [warc_record(page, extra=(("X-Note", "caf\udce9"),))],
            "many-records-some-bad": [warc_record(http_block(as_html(self.story()).encode()),
                                                  uri=f"https://news.example/m/{i}")
                                      if i % 3 else warc_record(page, length=len(page) - 3)
                                      for i in range(12)],
            "header-no-colon": [good.replace(b"WARC-Date:", b"WARC-Date", 1)],
            "huge-header": [warc_record(page, extra=(("X-Big", "h" * self.huge),))],
            "binary-block": [warc_record(self.rng.randbytes(3000))],
            "empty-block": [warc_record(b"")],
        }
        key = self.rng.choice(sorted(cases))
        records = cases[key]
        suffix = self.rng.choice([s for s in self.formats if ".warc" in s])
        if suffix == ".warc.gz":
            gz = self.rng.choice(["members", "members", "one-stream", "truncated", "crc",
                                  "garbage-after", "mixed", "bomb"])
            data = gzip_members(records)
            if gz == "one-stream":
                data = gzip.compress(b"".join(records), mtime=0)
            elif gz == "truncated":
                data = data[: self.rng.randrange(10, len(data))]
            elif gz == "crc":
                data = bytearray(data)
                data[-6] ^= 0xFF
                data = bytes(data)
            elif gz == "garbage-after":
                data += self.rng.randbytes(100)
            elif gz == "mixed":
                data = gzip.compress(records[0], mtime=0) + b"".join(records[1:]) + good
            elif gz == "bomb":
                data = gzip.compress(b"WARC/1.0\r\n" + b"\0" * (self.huge * 20), mtime=0)
            kind = f"warc.gz/{key}-{gz}"
        else:
            data = b"".join(records)
            kind = f"warc/{key}"
        return self.one(n, kind, suffix, data)

    def gzip_damage(self, n: int) -> Case:
        """Compressed formats broken in the compression itself."""
        gz_formats = [s for s in self.formats if s.endswith(".gz")]
        if not gz_formats:
            return self.binary(n)
        suffix = self.rng.choice(gz_formats)
        data = self.rendered(suffix)
        how = self.rng.choice(["truncated-header", "truncated", "flipped", "not-gzip",
                               "bad-magic", "double-gzip", "empty-member"])
        damaged = {
            "truncated-header": data[:5],
            "truncated": data[: len(data) * 2 // 3],
            "flipped": data[:20] + bytes([data[20] ^ 0x55]) + data[21:],
            "not-gzip": self.plain(suffix),
            "bad-magic": b"\x1f\x8c" + data[2:],
            "double-gzip": gzip.compress(data, mtime=0),
            "empty-member": gzip.compress(b"", mtime=0) + data,
        }[how]
        return self.one(n, f"{suffix[1:]}/gzip-{how}", suffix, damaged)

    # names and the file system -------------------------------------------------------

    def odd_name(self, n: int) -> Case:
        suffix = self.any_format()
        data = self.rendered(suffix) if self.rng.random() < 0.5 else b""
        how = self.rng.choice(["not-utf8", "escape", "newline", "bidi", "long", "dash",
                               "hidden", "unsupported", "no-suffix", "dots", "only-suffix"])
        names = {
            "not-utf8": os.fsdecode(b"%05d-\xff\xfe\x80" % n + suffix.encode()),
            "escape": f"{n:05d}-\x1b[2J\x1b[1;31mowned\x07{suffix}",
            "newline": f"{n:05d}-two\nlines\r{suffix}",
            "bidi": f"{n:05d}-\u202egnp.{suffix[1:]}\u202c{suffix}",
            "long": f"{n:05d}-" + "y" * (250 - len(suffix) - 6) + suffix,
            "dash": f"-{n:05d}-rf{suffix}",
            "hidden": f".{n:05d}-hidden{suffix}",
            "unsupported": f"{n:05d}-story.pdf",
            "no-suffix": f"{n:05d}-story",
            "dots": f"{n:05d}...{suffix}",
            "only-suffix": f"{n:05d}{suffix}",
        }
        return Case(f"{suffix[1:]}/name-{how}", (Entry(names[how], data),))

    def special(self, n: int) -> Case:
        suffix = self.any_format()
        how = self.rng.choice(["fifo", "socket", "folder-named-like-a-file", "link-inside",
                               "link-outside", "link-loop", "link-pair-loop", "link-dangling",
                               "link-folder-outside", "link-folder-up", "link-to-fifo",
                               "link-to-dev-zero", "link-chain-inside", "link-absolute-inside"])
        base = self.name(n, f"special-{how}", suffix)
        entries: list[Entry]
        if how == "fifo":
            entries = [Entry(base, special="fifo")]
        elif how == "socket":
            entries = [Entry(base, special="socket")]
        elif how == "folder-named-like-a-file":
            entries = [Entry(base, special="folder")]
        elif how == "link-inside":
            entries = [Entry(f"t{base}", self.rendered(suffix)), Entry(base, special="link",
                                                                        target=f"t{base}")]
        elif how == "link-outside":
            entries = [Entry(f"../outside/{base}", b"Private notes\n\nThe password is "
                                                   b"swordfish, kept outside the feed.\n"),
                       Entry(base, special="link", target=f"../outside/{base}")]
        elif how == "link-loop":
            entries = [Entry(base, special="link", target=base)]
        elif how == "link-pair-loop":
            entries = [Entry(base, special="link", target=f"b{base}"),
                       Entry(f"b{base}", special="link", target=base)]
        elif how == "link-dangling":
            entries = [Entry(base, special="link", target=f"gone-{base}")]
        elif how == "link-folder-outside":
            entries = [Entry(f"../outside/d{n}/{base}", self.rendered(suffix)),
                       Entry(f"d{base}", special="link", target=f"../outside/d{n}")]
        elif how == "link-folder-up":
            entries = [Entry(f"up{n}/{base}", special="link", target="..")]
        elif how == "link-to-fifo":
            entries = [Entry(f"f{base}", special="fifo"),
                       Entry(base, special="link", target=f"f{base}")]
        elif how == "link-to-dev-zero":
            entries = [Entry(base, special="link", target="/dev/zero")]
        elif how == "link-chain-inside":
            entries = [Entry(f"c2{base}", self.rendered(suffix)),
                       Entry(f"c1{base}", special="link", target=f"c2{base}"),
                       Entry(base, special="link", target=f"c1{base}")]
        else:
            entries = [Entry(f"abs{base}", self.rendered(suffix)),
                       Entry(base, special="link", target=f"@root/abs{base}")]
        return Case(f"{suffix[1:]}/{how}", tuple(entries))


#: Case makers and how often each is drawn (sound articles are added apart).
_WEIGHTS: dict[str, int] = {
    "flip": 10, "truncate": 8, "insert_bytes": 4, "binary": 4, "encoding": 8, "bom": 4,
    "nul": 4, "control": 6, "huge_line": 2, "empty": 3, "repeated": 2, "line_endings": 3,
    "implausible_dates": 8, "jsonl": 12, "html": 9, "warc": 10, "gzip_damage": 3,
    "odd_name": 6, "special": 6,
}


def generate(count: int, *, seed: int = 0, huge: int = 200_000, valid_every: int = 8,
             formats: tuple[str, ...] = FORMATS) -> list[Case]:
    """``count`` cases, the same for the same arguments.

    ``huge`` bounds the size of the largest made-up thing (a line, an
    attribute, a decompressed gzip bomb is 20× it); every
    ``valid_every``-th case is a sound article that must be stored.
    """
    rng = random.Random(seed)
    maker = _Maker(rng, huge=huge, formats=formats)
    names = sorted(_WEIGHTS)
    weights = [_WEIGHTS[name] for name in names]
    cases = []
    for n in range(count):
        family = "valid" if valid_every and n % valid_every == 0 else rng.choices(names, weights)[0]
        make: Callable[[int], Case] = getattr(maker, family)
        cases.append(replace(make(n), family=family))
    return cases


def write(cases: list[Case], folder: Path) -> Corpus:
    """Put the cases in ``folder``/corpus (and ``folder``/outside, where links lead)."""
    root, outside = folder / "corpus", folder / "outside"
    root.mkdir(parents=True, exist_ok=True)
    outside.mkdir(exist_ok=True)
    corpus = Corpus(root, outside, cases)
    for case in cases:
        for entry in case.entries:
            path = root / entry.path
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() or path.is_symlink():
                continue
            corpus.written[entry.special or "file"] += 1
            if entry.special == "link":
                target = entry.target.replace("@root", str(root.resolve()))
                path.symlink_to(target)
            elif entry.special == "fifo":
                os.mkfifo(path)
            elif entry.special == "socket":
                _make_socket(path)
            elif entry.special == "folder":
                path.mkdir()
            else:
                path.write_bytes(entry.data)
    return corpus


def _make_socket(path: Path) -> None:
    """A Unix socket file; a FIFO where the path is too long for one (108 bytes)."""
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(os.fsencode(path))
    except OSError:
        os.mkfifo(path)
    finally:
        server.close()


# -- what became of each input ----------------------------------------------------------

def raw_controls(text: str) -> list[str]:
    """Characters that would act on a terminal instead of showing (none may reach one)."""
    return [char for char in text if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")
            and char != "\n"]


@dataclass(slots=True)
class Audit:
    """The corpus read as ``storyline ingest`` reads it, and every input accounted for.

    ``silent``: files read that gave neither an article nor a reason;
    ``unseen``: things in the folder the reader neither read nor named;
    ``escaped``: exceptions that got out of the reader (each a defect).
    """

    files: int = 0
    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)
    unseen: list[str] = field(default_factory=list)
    escaped: list[str] = field(default_factory=list)


def audit(corpus: Corpus) -> Audit:
    """Read ``corpus`` file by file and check that nothing vanished without a word."""
    result = Audit()
    try:
        found = list(find_files([corpus.root]))
    except Exception as exc:  # noqa: BLE001 - what the audit is looking for
        result.escaped.append(f"walking {corpus.root}: {type(exc).__name__}: {exc}")
        return result
    read: set[Path] = set()
    for item in found:
        if isinstance(item, Skipped):
            result.skipped.append(item)
            continue
        assert isinstance(item, InputFile)
        result.files += 1
        read.add(item.path.resolve())
        try:
            outcome = list(read_file(item))
        except Exception as exc:  # noqa: BLE001 - what the audit is looking for
            result.escaped.append(f"{item.label}: {type(exc).__name__}: {exc}")
            continue
        if not outcome:
            result.silent.append(item.label)
        for thing in outcome:
            (result.articles if isinstance(thing, Article) else result.skipped).append(thing)
    named = set()
    for skipped in result.skipped:
        named |= {skipped.path, skipped.path.rsplit(":", 1)[0], skipped.path.rsplit("#", 1)[0]}
    for case in corpus.cases:
        for entry in case.entries:
            if entry.path.startswith("../") or not _readable_name(entry.path):
                continue
            path = corpus.root / entry.path
            shown = printable(str(path), 1000)
            if entry.special == "folder" or shown in named:
                continue
            if entry.special in ("", "link"):
                target = _resolved(path)
                if target is not None and (target in read or (
                        entry.special == "link" and target.is_relative_to(corpus.root.resolve())
                        and target.is_dir())):
                    continue
            result.unseen.append(shown)
    return result


def _readable_name(relative: str) -> bool:
    """Whether the reader must read or name this path (not hidden, of a supported type)."""
    parts = relative.split("/")
    return (not any(part.startswith(".") for part in parts)
            and parts[-1].lower().endswith(SUPPORTED_SUFFIXES))


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


# -- bodies for POST /api/articles ---------------------------------------------------

CONTENT_TYPES = ("application/json", "application/x-ndjson", "application/jsonl",
                 "application/json; charset=latin-1", "text/plain", "", "application/xml",
                 "multipart/form-data; boundary=x", "application/json-lines")


def post_bodies(count: int, *, seed: int = 0, huge: int = 200_000
                ) -> Iterator[tuple[str, bytes, bool]]:
    """(content type, body, whether it holds a sound article) for hostile POSTs."""
    rng = random.Random(seed)
    maker = _Maker(rng, huge=huge, formats=FORMATS)
    for n in range(count):
        story = maker.story()
        good = story.record() | {"id": f"post-{seed}-{n}"}
        if n % 6 == 0:
            yield "application/json", json.dumps(good).encode(), True
            continue
        lines = maker.jsonl(n).entries[0].data
        bodies = [
            lines,
            json.dumps([good, None, 5, {"text": 5}]).encode(),
            b"\xef\xbb\xbf" + json.dumps(good).encode(),
            json.dumps(good).encode("utf-16"),
            json.dumps(good).encode()[: rng.randrange(1, 50)],
            rng.randbytes(rng.choice([1, 100, 5000])),
            b"[" * 100_000,
            json.dumps({"articles": [good]}).encode(),
            json.dumps(good | {"published": rng.choice(["0001-01-01", "9999-12-31",
                                                        "2019-02-30"])}).encode(),
            json.dumps(good | {"title": "".join(CONTROL)}).encode(),
            b"",
            b"   \n ",
            b"null",
            json.dumps([good] * rng.choice([2, 30])).encode(),
            json.dumps(good).encode().replace(b'"text": "', b'"text": "\\ud800', 1),
        ]
        body = rng.choice(bodies)
        kind = rng.choice(CONTENT_TYPES) if rng.random() < 0.3 else "application/json"
        yield kind, body, False
