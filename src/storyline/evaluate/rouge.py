"""ROUGE-1 and ROUGE-2 counts exactly as ROUGE-1.5.5 computes them for tilse.

tilse (``rouge_computation="original"``, the published metric) writes each
summary as a SEE html file and runs ``ROUGE-1.5.5.pl -n 2 -x -m -s -f A -t 2``.
That Perl run does, per summary:

1. each sentence is its whitespace tokens joined by single spaces, with
   ``^`` written as ``&circ;``; the SEE reader keeps only the text before
   the sentence's first ``<`` (a sentence starting with ``<`` is dropped);
2. sentences are lowercased (ASCII only) and joined by spaces; every ``-``
   becomes its own token, every other character outside ``A-Za-z0-9``
   becomes a space (so ``U.S.`` is ``u s``, ``&amp;`` is ``amp`` and a
   non-ASCII letter splits its word);
3. tokens in ROUGE's SMART stopword list are dropped, so is ``-``;
4. tokens longer than three characters are replaced by their WordNet 2.0
   exception form when there is one (``children`` -> ``child``,
   ``went`` -> ``go``), otherwise by ROUGE's own Porter stemmer, whose
   step 4 differs from Porter's paper and from nltk (see :func:`porter_stem`);
5. n-grams run over what is left, across sentence boundaries.

With ``-t 2`` ROUGE reports raw counts: hits (clipped n-gram matches), the
peer's n-gram count and the model's n-gram count, which tilse sums before
dividing. :class:`RougeCounts` holds those three numbers.

The two word lists in ``data/`` come from the ROUGE-1.5.5 copy bundled in
tilse 0.2.1 (see ``data/README.md``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_NON_ALNUM = re.compile(r"[^A-Za-z0-9\-]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# Porter stemmer patterns, as ROUGE-1.5.5's ``initialise`` builds them.
_c = "[^aeiou]"
_v = "[aeiouy]"
_C = f"{_c}[^aeiouy]*"
_V = f"{_v}[aeiou]*"
_MGR0 = re.compile(f"^({_C})?{_V}{_C}")
_MEQ1 = re.compile(f"^({_C})?{_V}{_C}({_V})?$")
_MGR1 = re.compile(f"^({_C})?{_V}{_C}{_V}{_C}")
_HAS_VOWEL = re.compile(f"^({_C})?{_v}")
_CVC = re.compile(f"^{_C}{_v}[^aeiouwxy]$")
_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize",
    "bli": "ble", "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous",
    "ization": "ize", "ation": "ate", "ator": "ate", "alism": "al", "iveness": "ive",
    "fulness": "ful", "ousness": "ous", "aliti": "al", "iviti": "ive", "biliti": "ble",
    "logi": "log",
}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_STEP2_SUFFIX = re.compile(
    "(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism"
    "|iveness|fulness|ousness|aliti|iviti|biliti|logi)$"
)
_STEP3_SUFFIX = re.compile("(icate|ative|alize|iciti|ical|ful|ness)$")
_STEP4_SUFFIX = re.compile("(al|ance|ence|er|ic|able|ible|ant|ement|ou|ism|ate|iti|ous|ive|ize)$")


def _read_lines(name: str) -> list[str]:
    text = resources.files("storyline.evaluate").joinpath("data", name).read_text(encoding="ascii")
    return text.splitlines()


@lru_cache(maxsize=1)
def smart_stopwords() -> frozenset[str]:
    """ROUGE-1.5.5's ``smart_common_words.txt`` (596 distinct words), removed by ``-s``."""
    return frozenset(_read_lines("smart_common_words.txt"))


@lru_cache(maxsize=1)
def _wordnet_exceptions() -> dict[str, str]:
    # Only the entries a token can reach: keys of 4+ characters from [a-z0-9].
    return dict(line.split("\t") for line in _read_lines("wordnet_exceptions.tsv"))


def porter_stem(word: str) -> str:
    """ROUGE-1.5.5's Porter stemmer (the ``stem`` sub), ported line by line.

    It is Martin Porter's reference Perl with one change by ROUGE's author
    (2004): in step 4, ``-ement`` words do not fall through to ``-ment``
    and ``-ent`` in the same pass, but ``-ment`` and ``-ent`` are then
    tried again on the result. Checked against the Perl on all 65,032
    distinct 4+ character words of Timeline17: no difference. nltk's
    PorterStemmer differs on 270 of them in its closest mode (1,430 in its
    default mode), so it is not used. Expects a lowercase word.
    """
    if len(word) < 3:
        return word
    first_is_y = word[0] == "y"
    w = "Y" + word[1:] if first_is_y else word

    # Step 1a
    m = re.search("(ss|i)es$", w)
    if m:
        w = w[: m.start()] + m.group(1)
    else:
        m = re.search("([^s])s$", w)
        if m:
            w = w[: m.start()] + m.group(1)
    # Step 1b
    if w.endswith("eed"):
        if _MGR0.search(w[:-3]):
            w = w[:-1]
    else:
        m = re.search("(ed|ing)$", w)
        if m:
            stem = w[: m.start()]
            if _HAS_VOWEL.search(stem):
                w = stem
                if re.search("(at|bl|iz)$", w):
                    w += "e"
                elif re.search(r"([^aeiouylsz])\1$", w):
                    w = w[:-1]
                elif _CVC.search(w):
                    w += "e"
    # Step 1c
    if w.endswith("y"):
        stem = w[:-1]
        if _HAS_VOWEL.search(stem):
            w = stem + "i"
    # Step 2
    m = _STEP2_SUFFIX.search(w)
    if m:
        stem = w[: m.start()]
        if _MGR0.search(stem):
            w = stem + _STEP2[m.group(1)]
    # Step 3
    m = _STEP3_SUFFIX.search(w)
    if m:
        stem = w[: m.start()]
        if _MGR0.search(stem):
            w = stem + _STEP3[m.group(1)]
    # Step 4 (ROUGE's modified version)
    m = _STEP4_SUFFIX.search(w)
    if m:
        stem = w[: m.start()]
        if _MGR1.search(stem):
            w = stem
    if w.endswith("ment"):
        stem = w[:-4]
        if _MGR1.search(stem):
            w = stem
    if w.endswith("ent"):
        stem = w[:-3]
        if _MGR1.search(stem):
            w = stem
    else:
        m = re.search("(s|t)(ion)$", w)
        if m:
            stem = w[: m.start()] + m.group(1)
            if _MGR1.search(stem):
                w = stem
    # Step 5
    if w.endswith("e"):
        stem = w[:-1]
        if _MGR1.search(stem) or (_MEQ1.search(stem) and not _CVC.search(stem)):
            w = stem
    if w.endswith("ll") and _MGR1.search(w):
        w = w[:-1]

    if first_is_y:
        w = "y" + w[1:]
    return w


@lru_cache(maxsize=200_000)
def _normalise_token(token: str) -> str | None:
    """A lowercased token as ROUGE counts it, or None when ROUGE drops it."""
    if token in smart_stopwords() or token == "-":
        return None
    if len(token) <= 3:
        return token
    exception = _wordnet_exceptions().get(token)
    return porter_stem(token) if exception is None else exception


def _see_text(sentence: str) -> str:
    """What ROUGE's SEE reader sees of one sentence as pyrouge writes it."""
    text = " ".join(sentence.split()).replace("^", "&circ;")
    cut = text.find("<")
    return text if cut < 0 else text[:cut]


def rouge_tokens(sentences: Iterable[str]) -> list[str]:
    """The tokens ROUGE-1.5.5 (``-m -s``) builds n-grams from, for one summary.

    Example: ``rouge_tokens(["The U.S. children went home-made."])`` is
    ``["child", "home", "make"]``: ``the``, ``u``, ``s`` and ``went`` are
    SMART stopwords, ``children`` and ``made`` WordNet exceptions.
    """
    tokens: list[str] = []
    for sentence in sentences:
        text = _NON_ALNUM.sub(" ", _see_text(sentence)).replace("-", " - ")
        for raw in text.translate(_ASCII_LOWER).split():
            token = _normalise_token(raw)
            if token is not None:
                tokens.append(token)
    return tokens


def ngram_counts(tokens: list[str], n: int) -> Counter:
    """Counts of the n-grams of ``tokens`` (unigrams as strings, longer ones as tuples)."""
    if n == 1:
        return Counter(tokens)
    return Counter(zip(*(tokens[i:] for i in range(n))))


def clipped_hits(peer: Counter, model: Counter) -> int:
    """Matched n-grams, each counted at most as often as in either summary."""
    if len(peer) > len(model):
        peer, model = model, peer
    return sum(min(count, model[gram]) for gram, count in peer.items() if gram in model)


@dataclass(frozen=True, slots=True)
class RougeCounts:
    """ROUGE-1.5.5's raw counts (``-t 2``) for one peer against one model."""

    hits: int
    peer_count: int
    model_count: int

    @property
    def precision(self) -> float:
        return self.hits / self.peer_count if self.peer_count else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.model_count if self.model_count else 0.0


def rouge_n(peer: Iterable[str], model: Iterable[str], n: int) -> RougeCounts:
    """ROUGE-N counts of a peer summary against one model summary (sentence lists)."""
    peer_grams = ngram_counts(rouge_tokens(peer), n)
    model_grams = ngram_counts(rouge_tokens(model), n)
    return RougeCounts(
        clipped_hits(peer_grams, model_grams),
        sum(peer_grams.values()),
        sum(model_grams.values()),
    )
