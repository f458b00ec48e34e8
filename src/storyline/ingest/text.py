"""Plain-text articles, including Timeline17's tokenized one-sentence-per-line files.

A ``.txt`` article's first non-empty line is its title. Timeline17 (and
other corpora made with the Penn Treebank tokenizer) store one tokenized
sentence per line with no title; those files are recognised by their shape,
the tokenization is undone for display, and they are read without a title
(the clean stage names them after their first sentence, which stays text).
"""

from __future__ import annotations

import re
from pathlib import Path

from storyline.errors import InputError
from storyline.ingest.base import PublishedDate, stable_id
from storyline.model import Article, Granularity

# Written by hand: the detokenizers on PyPI (sacremoses, nltk's Treebank one)
# either miss the -LRB- bracket codes and escaped slashes of the PTB corpora
# or bring a large dependency for what is a dozen substitutions.
_PTB_CODES = {
    "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
    "``": '"', "''": '"', r"\/": "/", r"\*": "*",
}
_PTB_CODE = re.compile("|".join(re.escape(code) for code in _PTB_CODES))
_SPACE_BEFORE = re.compile(r" +([,.;:?!%)\]}]|'s\b|'re\b|'ve\b|'ll\b|'d\b|'m\b|n't\b|'S\b|N'T\b)")
_SPACE_AFTER = re.compile(r"([(\[{$]) +")
_QUOTED = re.compile(r'" ([^"]*?) "')
_TOKENIZED_LINE = re.compile(r" (?:[.?!]|'') *$| -LRB- | , | 's |`` ")
_T17_SOURCE = re.compile(r"^[A-Za-z0-9]+_([A-Za-z]+)$")
_LINE_END = (".", "!", "?", ":", '"', "”", "’", "'", ")")
_DATE_LINE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SEPARATOR_LINE = re.compile(r"^-{8,}$")


def looks_like_gold_timeline(lines: list[str]) -> bool:
    """A benchmark's reference timeline (date line, sentences, dashes), not an article.

    Timeline17 keeps these beside the articles; reading one as an article
    would leak the answer into the input.
    """
    return bool(lines) and bool(_DATE_LINE.match(lines[0])) and any(
        _SEPARATOR_LINE.match(line) for line in lines
    )


def detokenize(line: str) -> str:
    """Undo Penn Treebank tokenization: ``-LRB- a , b -RRB-`` becomes ``(a, b)``."""
    text = _PTB_CODE.sub(lambda m: _PTB_CODES[m.group(0)], line)
    text = _QUOTED.sub(r'"\1"', text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER.sub(r"\1", text)
    text = text.replace(" ... ", "... ").replace(" -- ", " – ")
    return re.sub(r"\s+", " ", text).strip()


def looks_tokenized(lines: list[str]) -> bool:
    """Most lines carry PTB token spacing (`` , `` ``'s`` `` .`` at the end)."""
    if not lines:
        return False
    hits = sum(1 for line in lines if _TOKENIZED_LINE.search(line))
    return hits >= max(2, 0.6 * len(lines)) or (len(lines) == 1 and hits == 1)


def source_from_layout(path: Path) -> str | None:
    """Timeline17 keeps articles in ``<Topic>_<source>/InputDocs/<date>/``."""
    parts = path.parts
    if "InputDocs" in parts:
        index = parts.index("InputDocs")
        if index > 0 and (match := _T17_SOURCE.match(parts[index - 1])):
            return match.group(1).lower()
    return None


def parse_text(text: str, *, origin: str, path: Path | None = None,
               published: PublishedDate | None = None) -> Article:
    """One article from a text file's contents; a text file has no date of its own."""
    lines = [line.strip() for line in text.splitlines()]
    content = [line for line in lines if line]
    if not content:
        raise InputError(origin, "is empty")
    if looks_like_gold_timeline(content):
        raise InputError(origin, "is a reference timeline (date lines and dashes), not an article")
    if looks_tokenized(content):
        sentences = [detokenize(line) for line in content]
        sentences = [s for s in sentences if s]
        title, body = "", "\n".join(sentences)
    else:
        title = content[0]
        start = lines.index(title) + 1
        body = _join_paragraphs(lines[start:])
        if not body:
            raise InputError(origin, "has a title line but no text")
    date = published
    source = source_from_layout(path) if path else None
    article = Article(
        id=stable_id(text=f"{title}\n{body}"),
        url=None,
        source=source,
        title=title,
        published=date.value if date else None,
        text=body,
        origin=origin,
        published_precision=date.precision if date else Granularity.DAY,
        published_from=date.source if date else None,
    )
    return article


def _join_paragraphs(lines: list[str]) -> str:
    """One line per paragraph or stand-alone line; hard-wrapped lines are rejoined.

    A line continues the previous one only when that one stops mid-sentence
    and this one starts in lower case: short stand-alone lines (captions,
    player labels, share prompts) must stay lines for the clean stage.
    """
    joined: list[str] = []
    previous = ""
    for line in lines:
        if not line:
            previous = ""
            continue
        if previous and not previous.endswith(_LINE_END) and line[:1].islower():
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
        previous = line
    return "\n".join(joined)
