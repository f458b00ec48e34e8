"""Remove what is not the story: boilerplate lines, repeated headlines, repeats.

The boilerplate rules are data (``data/boilerplate.tsv``), so a new share
prompt or player label is one line and one test, not a new branch here.
Cross-article copies (a content farm lifting a wire story) are found later
from sentence fingerprints, see :func:`sentence_fingerprints`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import files

from storyline.model import Article

log = logging.getLogger(__name__)

#: The longest title derived from an article's first line.
TITLE_CHARS = 160
#: Lines longer than this are prose, whatever they start with.
MAX_BOILERPLATE_WORDS = 20
#: Word-set Jaccard above which two sentences of one article are the same.
NEAR_DUPLICATE_JACCARD = 0.8
#: MinHash size and banding for cross-article copy detection: 8 bands of 4
#: rows find 9 in 10 pairs at a Jaccard of 0.7 on word 3-shingles (a copy
#: with a word changed) and almost no unrelated pairs.
FINGERPRINT_PERMUTATIONS = 32
FINGERPRINT_ROWS = 4
#: Sentences shorter than this (in words) are too generic to prove a copy.
FINGERPRINT_MIN_WORDS = 8

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A rough splitter is enough to find repeats inside one article; the real
# sentence boundaries come from the annotate stage.
_ROUGH_SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")
_LINK_LIKE_MAX_WORDS = 16
_MACRO = re.compile(r"%([A-Z]+)%")
# Bullets, dashes and bars around a line of page furniture.
_FURNITURE_EDGES = " \t•·*-–—>|"
_UINT32 = struct.Struct("<I")
#: The kinds of boilerplate rule (see ``data/boilerplate.tsv``).
RULE_KINDS = ("line", "strip", "tail", "break", "rest")


@dataclass(frozen=True, slots=True)
class Rule:
    """One boilerplate pattern; ``kind`` is ``line``, ``strip``, ``tail``, ``break`` or ``rest``.

    ``needs``, when given, is a short pattern that every match contains: a
    line without it is passed over without trying ``pattern``. Patterns that
    may start anywhere in a line (a timestamp between headline and story)
    are tried at every position, which made them most of the clean stage's
    time; the literal they need is found in one fast scan.
    """

    kind: str
    name: str
    pattern: re.Pattern[str]
    needs: re.Pattern[str] | None = None

    def may_match(self, text: str) -> bool:
        return self.needs is None or self.needs.search(text) is not None


@dataclass(frozen=True, slots=True)
class CleanReport:
    """What cleaning removed from one article, for logs and tests."""

    boilerplate_lines: int = 0
    headline_repeats: int = 0
    duplicate_sentences: int = 0


@cache
def load_rules() -> tuple[Rule, ...]:
    """The packaged boilerplate rules, compiled once."""
    text = files("storyline").joinpath("data/boilerplate.tsv").read_text("utf-8")
    rules = []
    pieces: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, name, regex, *needs = line.split("\t")
        regex = _MACRO.sub(lambda m: pieces[m.group(1)], regex)
        if kind == "define":
            pieces[name] = regex
        else:
            needed = (re.compile(_MACRO.sub(lambda m: pieces[m.group(1)], needs[0]), re.IGNORECASE)
                      if needs else None)
            rules.append(Rule(kind, name, re.compile(regex, re.IGNORECASE), needed))
    return tuple(rules)


def normalize(text: str) -> str:
    """Lowercased words only: what two copies of a sentence share."""
    return " ".join(_WORD.findall(text.lower()))


def matching_rule(line: str, kind: str = "line", rules: Sequence[Rule] | None = None) -> Rule | None:
    """The rule of ``kind`` that matches the whole (short) line, if any."""
    return _whole_match(line, _by_kind(rules).get(kind, ()))


def _by_kind(rules: Sequence[Rule] | None) -> dict[str, tuple[Rule, ...]]:
    """The rules of each kind, in file order (the packaged rules when none are given).

    Each line is tried against the rules of one kind at a time, several
    times over; picking them out of all the rules at every try was a tenth
    of what cleaning cost. The packaged rules are grouped once per process;
    looking the grouping up by the rules themselves (hashing all 44) cost
    28 µs a call, twice an article.
    """
    return _grouped(rules) if rules else _packaged_by_kind()


@cache
def _packaged_by_kind() -> dict[str, tuple[Rule, ...]]:
    return _grouped(load_rules())


def _grouped(rules: Sequence[Rule]) -> dict[str, tuple[Rule, ...]]:
    kinds: dict[str, list[Rule]] = {kind: [] for kind in RULE_KINDS}
    for rule in rules:
        kinds.setdefault(rule.kind, []).append(rule)
    return {kind: tuple(found) for kind, found in kinds.items()}


def _whole_match(line: str, rules: Sequence[Rule]) -> Rule | None:
    """The first of ``rules`` that matches the whole (short) line, if any."""
    stripped = line.strip(_FURNITURE_EDGES)
    if not stripped or len(stripped.split()) > MAX_BOILERPLATE_WORDS:
        return None
    for rule in rules:
        if rule.may_match(stripped) and rule.pattern.fullmatch(stripped):
            return rule
    return None


def _strip_credits(line: str, rules: Sequence[Rule]) -> str:
    """The line without the credits that ``rules`` (the ``strip`` ones) cut out."""
    for rule in rules:
        if rule.may_match(line):
            line = rule.pattern.sub("", line)
    return line.strip()


def _broken_at_furniture(line: str, rules: Sequence[Rule]) -> list[str]:
    """The line cut in pieces at page furniture (a timestamp between headline and body).

    Text extracted from a page often runs headline, standfirst, timestamp,
    caption and lead into one line; the timestamp is where one ends and the
    next begins, and left in place it glues them into one "sentence".
    ``rules`` are the ``break`` ones.
    """
    for rule in rules:
        if rule.may_match(line):
            line = rule.pattern.sub(_break, line)
    return line.split("\n")


def _break(match: re.Match[str]) -> str:
    """A line break for the furniture; what its ``keep`` group holds stays as a line of its own."""
    kept = match.groupdict().get("keep")
    return f"\n{kept}\n" if kept else "\n"


def _opens_comments(text: str, rules: Sequence[Rule]) -> bool:
    """Whether ``text`` starts with a reader-comment header ("Posted by: X | ...");
    ``rules`` are the ``rest`` ones."""
    stripped = text.lstrip(_FURNITURE_EDGES)
    return any(rule.may_match(stripped) and rule.pattern.match(stripped) for rule in rules)


def _is_link_like(line: str) -> bool:
    """A headline in a link list: short and without closing punctuation."""
    stripped = line.strip(_FURNITURE_EDGES)
    words = stripped.split()
    return bool(words) and (
        len(words) <= _LINK_LIKE_MAX_WORDS and not stripped.endswith((".", "!", "?", '"', "”"))
        or line.lstrip().startswith(("•", "*", "-", "·", "»"))
    )


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _rare_first(word: str) -> tuple[int, str]:
    return -len(word), word


class _SeenSentences:
    """The word sets of the sentences kept so far, to find a near-duplicate of a new one.

    Prefix filtering (Chaudhuri et al., 2006; Bayardo et al.'s All-Pairs,
    2007): with the words of every set in one fixed order, two sets whose
    Jaccard similarity is at least t share at least ceil(t * |x|) words,
    so each shares a word with the other among its first
    |x| - ceil(t * |x|) + 1. Indexing sets by those first words finds
    every candidate without comparing each sentence with all the others
    (a long article did that); each candidate is then checked exactly.
    Written here because the check is a few lines over the sentences of
    one article, where an LSH index (datasketch) would only approximate it.
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE_JACCARD) -> None:
        self.threshold = threshold
        self._by_word: dict[str, list[frozenset[str]]] = {}
        self._last: tuple[frozenset[str], list[str]] | None = None

    def _prefix_of(self, words: frozenset[str]) -> list[str]:
        # floor, not ceil: a prefix one word longer is still correct, and
        # immune to t * |x| landing a hair above a whole number.
        # Longest words first: any fixed order is correct, and long words
        # are rare ones, so few sets share a prefix word.
        return sorted(words, key=_rare_first)[: len(words) - int(self.threshold * len(words)) + 1]

    def near(self, words: frozenset[str]) -> bool:
        """Whether a set added before has Jaccard similarity ``threshold`` or more with ``words``.

        A set much shorter or longer than ``words`` cannot be that similar
        (the Jaccard of two sets is at most the smaller size over the larger),
        so only candidates of a size within reach are intersected.
        """
        checked: set[int] = set()
        size, threshold = len(words), self.threshold
        for word in self._prefix(words):
            for other in self._by_word.get(word, ()):
                if id(other) not in checked:
                    checked.add(id(other))
                    other_size = len(other)
                    if (min(size, other_size) / max(size, other_size) >= threshold
                            and _jaccard(words, other) >= threshold):
                        return True
        return False

    def add(self, words: frozenset[str]) -> None:
        for word in self._prefix(words):
            self._by_word.setdefault(word, []).append(words)

    def _prefix(self, words: frozenset[str]) -> list[str]:
        # Kept for the last set asked about: it is usually the next one added.
        if self._last is None or self._last[0] is not words:
            self._last = (words, self._prefix_of(words))
        return self._last[1]


def clean_text(text: str, title: str = "", *, rules: Sequence[Rule] | None = None
               ) -> tuple[str, CleanReport]:
    """The article text without boilerplate, headline repeats and repeated sentences.

    Reader comments end the article: everything from the first comment
    header on is dropped.
    """
    kinds = _by_kind(rules)
    title_key = normalize(title)
    kept: list[str] = []
    boilerplate = headlines = duplicates = 0
    in_tail = in_comments = False
    seen_exact: set[str] = set()
    seen_words = _SeenSentences()
    lines = (piece for raw in text.splitlines()
             for piece in _broken_at_furniture(raw, kinds["break"]))
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if in_comments or _opens_comments(line, kinds["rest"]):
            in_comments = True
            boilerplate += 1
            continue
        if in_tail:
            if _is_link_like(line) or _whole_match(line, kinds["tail"]):
                boilerplate += 1
                continue
            in_tail = False
        if _whole_match(line, kinds["tail"]):
            in_tail = True
            boilerplate += 1
            continue
        if _whole_match(line, kinds["line"]):
            boilerplate += 1
            continue
        line = _strip_credits(line, kinds["strip"])
        if not line:
            boilerplate += 1
            continue
        if title_key and normalize(line) == title_key:
            headlines += 1
            continue
        sentences = []
        for sentence in _ROUGH_SENTENCE.split(line):
            key = normalize(sentence)
            if not key:
                continue
            if in_comments or _opens_comments(sentence, kinds["rest"]):
                in_comments = True
                boilerplate += 1
                continue
            if _whole_match(sentence, kinds["line"]):
                boilerplate += 1  # "Beginning of dialog window. Escape will cancel..."
                continue
            words = frozenset(key.split())
            if key in seen_exact or (len(words) >= 5 and seen_words.near(words)):
                duplicates += 1
                continue
            seen_exact.add(key)
            seen_words.add(words)
            sentences.append(sentence.strip())
        if sentences:
            kept.append(" ".join(sentences))
    return "\n".join(kept), CleanReport(boilerplate, headlines, duplicates)


def derive_title(text: str, limit: int = TITLE_CHARS) -> str:
    """A title for an article that came without one: its first line, shortened."""
    line = text.strip().split("\n", 1)[0].strip() if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rsplit(" ", 1)[0] + "…"


def clean_article(article: Article, *, rules: Sequence[Rule] | None = None) -> Article:
    """The article with its text cleaned; the title is cleaned of credits too.

    An article without a title is named after its first cleaned line, which
    stays in the text: a lead is content, not a headline repeat.
    """
    text, report = clean_text(article.text, article.title, rules=rules)
    if report != CleanReport():
        log.debug("cleaned %s (%s): %s", article.id, article.origin, report)
    title = (_strip_credits(article.title, _by_kind(rules)["strip"])
             or derive_title(text))
    return replace(article, text=text, title=title)


def _shingles(words: list[str]) -> list[bytes]:
    if len(words) < 3:
        return [" ".join(words).encode()]
    return [" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)]


def sentence_fingerprints(sentences: Iterable[str]) -> list[tuple[int, ...]]:
    """MinHash LSH band keys per sentence (empty for short sentences).

    Two sentences that share a band key are candidate copies; the store
    keeps the keys, so copies are found across batches and runs with an
    index lookup instead of comparing every pair.
    """
    texts = list(sentences)
    word_lists = [normalize(text).split() for text in texts]
    eligible = [i for i, words in enumerate(word_lists) if len(words) >= FINGERPRINT_MIN_WORDS]
    keys: list[tuple[int, ...]] = [() for _ in texts]
    if not eligible:
        return keys
    signatures = _minhashes([_shingles(word_lists[i]) for i in eligible])
    width = 4 * FINGERPRINT_ROWS
    for index, signature in zip(eligible, signatures, strict=True):
        # The hash values (32-bit) as little-endian bytes, a band's worth at a time.
        values = signature.astype("<u4").tobytes()
        keys[index] = tuple(
            _band_key(band, values[start : start + width])
            for band, start in enumerate(range(0, len(values), width))
        )
    return keys


def _minhashes(shingle_sets: Sequence[Sequence[bytes]]):  # -> numpy.ndarray
    """datasketch's MinHash of each set (at least one set, none empty), one row each, all at once.

    Row ``i`` equals ``MinHash.bulk(shingle_sets, num_perm=FINGERPRINT_PERMUTATIONS)[i]
    .hashvalues`` (its default SHA-1 hash and ``affine32`` scheme;
    ``test_minhashes_are_datasketchs`` holds it to that). Written out
    because datasketch computes one set at a time, with a few array
    operations each, and a sentence has only 6 to 40 shingles: that
    overhead was half of the fingerprinting time. Here the shingles of all
    of an article's sentences go through each step together: fingerprinting
    791 Timeline17 articles took 0.95 s instead of 1.83 s, with the same
    keys. The permutations and the mixing step are datasketch's own.
    """
    # datasketch (and NumPy under it) is imported by the ingest alone, not by every command.
    import numpy as np
    from datasketch.minhash import _fmix

    a, b = _permutations()
    starts = np.cumsum([0, *map(len, shingle_sets[:-1])])
    # datasketch's sha1_hash32 (the first 4 bytes of SHA-1, little-endian), inline.
    sha1, first_word = hashlib.sha1, _UINT32.unpack_from
    hashed = np.fromiter((first_word(sha1(shingle).digest())[0]
                          for shingles in shingle_sets for shingle in shingles),
                         dtype=np.uint32, count=int(starts[-1]) + len(shingle_sets[-1]))
    # uint32 arithmetic wraps, which is the modulo 2^32 of the affine32 scheme.
    permuted = _fmix(hashed, 32)[:, None] * a + b
    # Every set has a shingle (``_shingles`` never returns none), so no
    # segment of ``reduceat`` is empty.
    return np.minimum.reduceat(permuted, starts, axis=0)


@cache
def _permutations():  # -> tuple[numpy.ndarray, numpy.ndarray]
    """The (a, b) of datasketch's MinHash of FINGERPRINT_PERMUTATIONS (seed 1, the default)."""
    from datasketch import MinHash

    return MinHash(num_perm=FINGERPRINT_PERMUTATIONS, scheme="affine32").permutations


def _band_key(band: int, values: bytes) -> int:
    """One band's key: its number and its hash values (4 bytes each, little-endian), hashed."""
    digest = hashlib.blake2b(band.to_bytes(2, "little") + values, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def word_jaccard(a: str, b: str) -> float:
    """Word-set overlap of two texts, used to confirm a fingerprint match."""
    return _jaccard(frozenset(normalize(a).split()), frozenset(normalize(b).split()))
