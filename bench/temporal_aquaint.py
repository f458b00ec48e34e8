"""Temporal resolution scored against gold TimeML (TempEval-3's cleaned AQUAINT).

Usage: .venv/bin/python bench/temporal_aquaint.py [DIR] [--failures dev|all] [--json]

Each ``.tml`` file is read with the standard library's XML parser: the
document creation time (DCT) is the publication date, the text of
``<TEXT>`` is the article, and its ``TIMEX3`` elements are the gold. The
article goes through the annotate stage as ``storyline eval`` runs it (no
entities), so what is measured is what the timelines get.

The measure:

- gold: TIMEX3 of type DATE whose value is a calendar year, month or day
  (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``);
- predictions: resolved mentions at day, month or year granularity (the
  ones that can become timeline entries; quarters, seasons and decades are
  not scored, as their gold values are not calendar dates either);
- a prediction is right when its value equals that of a gold date whose
  text overlaps it; a gold date is found when a right prediction overlaps
  it. P = right predictions / predictions, R = found gold / gold.

The documents are split in two halves by the parity of their position in
sorted order: ``dev`` (even) is the half whose failures may be read while
developing; ``held-out`` (odd) is only counted, never printed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from storyline.annotate.pipeline import Annotator
from storyline.model import Article, Granularity

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "aquaint-timeml"
CALENDAR = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
SCORED = frozenset({Granularity.DAY, Granularity.MONTH, Granularity.YEAR})
HALVES = ("dev", "held-out")


@dataclass(frozen=True, slots=True)
class Timex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass(frozen=True, slots=True)
class Document:
    name: str
    dct: date
    text: str
    timexes: tuple[Timex, ...]


class BadDocument(ValueError):
    """A .tml file that cannot be read as TimeML."""


def read_tml(path: Path) -> Document:
    """The DCT, plain text of ``<TEXT>`` and its TIMEX3 spans of one TimeML file."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise BadDocument(f"{path}: not well-formed XML ({exc})") from None
    dct_timex = root.find("DCT/TIMEX3")
    body = root.find("TEXT")
    if dct_timex is None or body is None:
        raise BadDocument(f"{path}: no <DCT><TIMEX3> or no <TEXT> element")
    try:
        dct = date.fromisoformat((dct_timex.get("value") or "")[:10])
    except ValueError:
        raise BadDocument(f"{path}: DCT value {dct_timex.get('value')!r} is not a date") from None
    parts: list[str] = []
    timexes: list[Timex] = []
    length = 0

    def walk(element: ET.Element) -> None:
        nonlocal length
        start = length
        if element.text:
            parts.append(element.text)
            length += len(element.text)
        for child in element:
            walk(child)
            if child.tail:
                parts.append(child.tail)
                length += len(child.tail)
        if element.tag == "TIMEX3":
            timexes.append(Timex(start, length, "".join(parts)[start:length],
                                 element.get("type") or "", element.get("value") or ""))

    walk(body)
    return Document(path.stem, dct, "".join(parts), tuple(sorted(timexes, key=lambda t: t.start)))


def documents(folder: Path) -> list[Document]:
    files = sorted(folder.glob("*.tml"))
    if not files:
        raise BadDocument(f"{folder}: no .tml files here")
    return [read_tml(path) for path in files]


def _mentions(annotator: Annotator, doc: Document) -> Iterator[tuple[int, int, str, str]]:
    article = Article(id=doc.name, url=None, source=None, title="", published=doc.dct,
                      text=doc.text, origin=doc.name)
    for mention in annotator.annotate_one(article).time_mentions:
        if mention.granularity in SCORED:
            yield mention.start, mention.end, mention.text, mention.label


def score(docs: Iterable[Document], annotator: Annotator | None = None) -> dict[str, Any]:
    """Counts per half and in all, and the dev half's errors."""
    annotator = annotator or Annotator(entities=False)
    counts = {half: {"right": 0, "predicted": 0, "found": 0, "gold": 0, "documents": 0}
              for half in (*HALVES, "all")}
    errors: list[dict[str, Any]] = []
    started = time.perf_counter()
    for position, doc in enumerate(docs):
        half = HALVES[position % 2]
        gold = [t for t in doc.timexes if t.type == "DATE" and CALENDAR.fullmatch(t.value)]
        predicted = list(_mentions(annotator, doc))
        found = set()
        right = 0
        for start, end, text, label in predicted:
            overlapping = [t for t in doc.timexes if t.start < end and start < t.end]
            matches = [t for t in overlapping if t in gold and t.value == label]
            if matches:
                right += 1
                found.update(matches)
            elif half == "dev":
                errors.append({"doc": doc.name, "dct": doc.dct.isoformat(), "text": text,
                               "got": label,
                               "gold": [f"{t.text}={t.type}:{t.value}" for t in overlapping]})
        if half == "dev":
            for t in gold:
                if t not in found and not any(s < t.end and t.start < e
                                              for s, e, _, _ in predicted):
                    errors.append({"doc": doc.name, "dct": doc.dct.isoformat(), "text": t.text,
                                   "got": None, "gold": [t.value],
                                   "context": doc.text[max(0, t.start - 60): t.end + 30]
                                   .replace("\n", " ")})
        for key in (half, "all"):
            c = counts[key]
            c["right"] += right
            c["predicted"] += len(predicted)
            c["found"] += len(found)
            c["gold"] += len(gold)
            c["documents"] += 1
    for c in counts.values():
        c.update(prf(c["right"], c["predicted"], c["found"], c["gold"]))
    return {"counts": counts, "errors": errors, "seconds": time.perf_counter() - started}


def prf(right: int, predicted: int, found: int, gold: int) -> dict[str, float]:
    p = right / predicted if predicted else 0.0
    r = found / gold if gold else 0.0
    return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def error_kinds(docs: Iterable[Document], annotator: Annotator | None = None
                ) -> dict[str, dict[str, int]]:
    """How many wrong predictions of each kind, per half (counts only: the
    held-out half's text is never shown)."""
    annotator = annotator or Annotator(entities=False)
    kinds: dict[str, dict[str, int]] = {half: {} for half in HALVES}
    for position, doc in enumerate(docs):
        half = HALVES[position % 2]
        gold = [t for t in doc.timexes if t.type == "DATE" and CALENDAR.fullmatch(t.value)]
        for start, end, _, label in _mentions(annotator, doc):
            overlapping = [t for t in doc.timexes if t.start < end and start < t.end]
            if any(t in gold and t.value == label for t in overlapping):
                continue
            if not overlapping:
                kind = "no gold expression there"
            elif any(t in gold for t in overlapping):
                kind = "another calendar date"
            elif any(re.match(r"\d{4}-\d\d-\d\dT", t.value) or t.type == "TIME"
                     for t in overlapping):
                kind = "gold is a time of day"
            elif any(t.type != "DATE" for t in overlapping):
                kind = "gold is a duration or set"
            else:
                kind = "gold is an unspecified date (XX)"
            kinds[half][kind] = kinds[half].get(kind, 0) + 1
    return kinds


def measure(folder: Path = DATA) -> dict[str, Any]:
    """What bench/run_benchmarks.py keeps: the counts and kinds of errors, not the errors."""
    docs = documents(folder)
    result = score(docs)
    return {"counts": result["counts"], "seconds": result["seconds"],
            "error_kinds": error_kinds(docs)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DATA)
    parser.add_argument("--failures", action="store_true",
                        help="list the dev half's errors (never the held-out half's)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        result = score(documents(args.folder))
    except (BadDocument, OSError) as exc:
        print(f"temporal_aquaint: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result["counts"], indent=1))
    else:
        for half, c in result["counts"].items():
            print(f"{half:9} docs {c['documents']:3}  gold {c['gold']:4}  predicted"
                  f" {c['predicted']:4}  P {c['p']:.3f}  R {c['r']:.3f}  F1 {c['f1']:.3f}")
    if args.failures:
        for error in result["errors"]:
            print(json.dumps(error, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
