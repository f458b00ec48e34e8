"""The tense of the clause an expression sits in, which says which way it points.

"June 23" in "the vote took place on June 23" is the last June 23; in "the
vote will take place on June 23" the next one; in "the deadline is June 30"
or "schools are closed until 6 May" the text does not say, and the nearest
one is meant. :func:`clause_tense` reads that from cues in the clause:

- **future**: "will", "'ll", "shall", "is due / expected / scheduled / set
  / likely", "due on", "plans / expects / promised ... to" (verbs, not the
  nouns of "a bailout plan to"), "going to", "has set ... for", "to be
  held", "upcoming", "ahead of", "could" that is not negated, perfect or
  passive ("could vote"; not "could not", "could have died", "could be
  located"), "might", "must", "should", the scheduled present of events
  ("Britain votes on", "the summit opens", "kicks off"), and the present
  after "when", "if", "until" ("when the case is heard in May");
- **past**: a verb in the simple past (any word in -ed, and the irregular
  forms in :data:`~vocabulary.IRREGULAR_PAST`, that is not a participle
  after "is", "was", "be" or a determiner: "was held" says it by "was",
  "the armed men" has no verb), a perfect ("has died"), "ago", "earlier",
  "since", "previously";
- **either**: a future seen from the past ("was expected to", "planned for",
  "would", an infinitive after a verb of deciding or ordering: "decided to
  admit them in March"), and a boundary in a clause that does not look
  forward ("until 6 May", "by October", a "deadline"): the date may lie
  either way, and the nearest is meant;
- **none**: no cue at all.

The cue that counts is the last one before the expression in its clause
(clauses end at ``, ; : ( ) —``); without one, the first after it in the
clause ("The United States Tuesday condemned"); for an expression that
opens the sentence as its own clause ("On Monday, the minister
resigned"), the rest of the sentence's; for one in a clause without any
cue ("..., with the last Americans flying out on Friday"), the clause it
hangs on. A possessive ("Sunday's vote will decide") names an event, whose
time the main verb does not tell: it looks only before itself. A date that
heads a chronology ("20 April: Rig explodes", "May 5 - A barge begins") or
a dateline ("LONDON, March 30 -") looks back, unless its entry says what
must or will happen ("10 April: Troops must withdraw").
"""

from __future__ import annotations

import enum
import re

from storyline.annotate.temporal.vocabulary import IRREGULAR_PAST, NOT_PAST_IN_ED


class Tense(enum.Enum):
    PAST = "past"
    FUTURE = "future"
    NONE = "none"
    #: Cues that point either way: a boundary ("until 6 May", "by October",
    #: a "deadline") in a clause that does not look forward, or a future seen
    #: from the past ("was expected on Friday", "planned for Saturday",
    #: "would", "decided to admit them in March"). The nearest is meant.
    EITHER = "either"


#: Where a clause starts and ends: the tense of one clause does not carry past these.
CLAUSE_BREAK = re.compile(r"[,;:!?()\[\]]|--|—|–|\s-\s")

#: A participle after these is passive ("are closed", "was held"): the
#: auxiliary, not the participle, says the tense; after a determiner it is
#: an adjective ("the redacted report", "an armed man"). Adverbs between
#: them do not count ("is due to be posthumously inducted").
_NOT_A_VERB_AFTER = frozenset(
    "is are am be being been 's 're was were get gets got the a an its his her their our "
    "this these those".split()
)
_ADVERB = re.compile(r"(?i)\w+ly|not|n't|also|already|just|still|never|now|then|soon")
#: An infinitive after these is a later event than the verb: verbs of
#: deciding, ordering and asking ("decided to admit", "ordered them to
#: leave"), or their object ("subpoenaed Elian to testify").
_FORWARD_VERBS = frozenset(
    """
    decided agreed ordered asked urged told invited summoned subpoenaed voted chose prepared
    authorized authorised approved allowed permitted instructed directed requested required
    him her them us me it
    """.split()
)
_FUTURE = r"""
      (?<!\bthe\s)(?<!\bfree\s)(?<!\bgood\s)(?<!\bpolitical\s)(?<!\bpopular\s)\bwill\b
    | '(?:ll)\b | \bshall\b | \bwon't\b | \bwo\s+n't\b
    | (?:\bis|\bare|\bam|'s|'re)\s+(?:(?:\w+ly|still|now|also|not|already)\s+)?
      (?:due|expected|scheduled|set|slated|poised|planned|likely)\b
    | \bdue\s+(?:on|by|in|at|out|back|for)\b | \bdue\s*$
    | \b(?P<intent>expects?|expected|expecting|plans?|planned|planning|intends?|intended|aims?
        |aimed|hopes?|hoped|promises?|promised|pledges?|pledged|vows?|vowed|threatens?
        |threatened)\s+to\b
    | \bgoing\s+to\b
    | \b(?:has|have)\s+(?:been\s+)?(?:set|scheduled|slated|fixed|planned)\b
    | \bto\s+be\s+(?:held|played|published|released|announced)\b
    | \bupcoming\b | \bthe\s+coming\b | \bahead\s+of\b
    | \bcould\b(?!'t|\s*n't|\s+not\b)(?!\s+have\b)(?!\s+be\b)
      (?!\s+(?:hear|see|feel)\b)
    | \b(?:might|must|should|(?-i:may))\b(?!\s+(?:not\s+)?have\b)
    | \bholds\s+(?:its\s+|an?\s+|the\s+|their\s+|his\s+|her\s+)?(?:[\w-]+\s+){0,2}?
      (?:elections?|vote|poll|referendum|talks|meeting|summit|hearings?|primar(?:y|ies)
        |congress|conference|ceremony|rally|session)\b
    | \b(?:opens|begins|convenes|reconvenes|resumes|reopens|expires
        |kicks?\s+off|takes?\s+(?:place|effect)|goes\s+to\s+the\s+polls|go\s+to\s+the\s+polls
        |votes\s+(?:in|on)|comes?\s+into\s+force|runs\s+out)\b
    # the present after "when", "if", "until"... speaks of the future:
    # "when the case is heard in May"
    | \b(?:when|if|once|unless|until|before|after|as\s+soon\s+as)\s+(?:[\w'-]+\s+){0,5}?
      (?:is|are|am)\b
"""
_PAST_IN_FUTURE = r"""
      \b(?:was|were|had\s+been)\s+(?:(?:\w+ly|still|not|also)\s+)?
      (?:due|expected|scheduled|set|slated|supposed|planned|poised|likely|going)\b
    | \b(?:set|scheduled|slated|fixed|planned)\s+(?:[\w'-]+\s+){{0,6}}?for\b
    | \b(?:planned|scheduled|slated|arranged|intended|proposed|expected)\b
    | \bwould\b | \bcould(?:\s+not|n't)?\s+be\b
"""
_INFINITIVE = r"\bto\s+[a-z]+\b(?<!s)(?<!ed)(?<!ing)"
_PAST = rf"""
      \b(?P<irregular>{"|".join(sorted(IRREGULAR_PAST, key=len, reverse=True))})\b
    | \b(?:ago|earlier|since|previously)\b
    | (?<!-)\b(?P<ed>[a-z]+ed)\b
"""
_CUE = re.compile(
    rf"(?ix) (?P<none>{_PAST_IN_FUTURE}) | (?P<future>{_FUTURE}) | (?P<past>{_PAST})"
    rf" | (?P<infinitive>{_INFINITIVE})"
)
_BOUNDARY_BEFORE = re.compile(r"(?i)\b(?:until|till|through|by|before|deadline\s+(?:of|is))\s+$")
_DEADLINE = re.compile(r"(?i)\bdeadlines?\b")
_OPENER = re.compile(r"(?i)\s*(?:[\"'“‘(]\s*)?(?:(?:on|also|earlier|later|late|early|as\s+of"
                     r"|until|by|since|from|in)\s+)*$")
#: A date that heads its line as an entry of a chronology ("May 5 - A barge ...").
_HEADING = re.compile(r"\s*(?::\s*[A-Z\"'“]|(?:-|–|—)\s)")
_HEADING_COLON = re.compile(r"\s*:\s*[A-Z]")
_MUST_OR_WILL = re.compile(r"(?i)\b(?:will|shall|must|should|is\s+to|are\s+to|due\s+to|to\s+be)\b|'ll\b")
#: What may come before a heading's date on its line: nothing, or a
#: dateline's place ("LONDON, March 30 –").
_LINE_START = re.compile(r"[\s\"'“]*(?:[A-Z][A-Za-z.'-]*(?:\s+[A-Z][A-Za-z.'-]*)*,\s*)?$")
_WORDS_BEFORE = re.compile(r"([\w']+)\W*$")


def _word_before(text: str, position: int) -> str:
    """The word before ``position``, skipping adverbs ("be posthumously inducted")."""
    while True:
        match = _WORDS_BEFORE.search(text, max(0, position - 30), position)
        if not match:
            return ""
        if not _ADVERB.fullmatch(match.group(1)):
            return match.group(1)
        position = match.start()


_DETERMINER_LIKE = re.compile(r"(?i)(?:a|an|the|its|his|her|their|our|my|your|this|that|these"
                              r"|those|no|new|\w+'s|\w+(?:al|ic|ive|ous|ful|ary|term))")
_SUBJECT_PRONOUNS = frozenset("i we you they".split())


def _noun_of_intent(match: re.Match[str]) -> bool:
    """Whether "plan to", "plans to", "hope to"... is a noun, not a verb.

    "plans to" after a determiner or an adjective is a noun ("its plans to");
    the bare "plan to" is a verb only after a plural subject ("they plan to",
    "officials plan to"), as "a bailout plan to prop up" shows.
    """
    word = match.group("intent").lower()
    if word.endswith(("ed", "ing")):
        return False
    before = _word_before(match.string, match.start())
    if _DETERMINER_LIKE.fullmatch(before):
        return True
    if word.endswith("s"):
        return False
    low = before.lower()
    return not (low in _SUBJECT_PRONOUNS or (low.endswith("s") and not low.endswith("ss")))


def _tense(match: re.Match[str], before: Tense | None = None) -> Tense | None:
    """The tense one cue says, or ``None`` when it is not a cue after all."""
    text = match.string
    if match.group("infinitive"):
        if before is not Tense.PAST:
            return None
        word = _word_before(text, match.start())
        later = word[:1].isupper() or word.lower() in _FORWARD_VERBS
        return Tense.EITHER if later else None  # "decided to admit them in early March"
    if match.group("none"):
        return Tense.EITHER
    if match.group("intent") and _noun_of_intent(match):
        return None  # "a bailout plan to prop up", "its plans to expand": a noun
    if match.group("future"):
        return Tense.FUTURE
    ed = match.group("ed")
    if ed and ed.lower() in NOT_PAST_IN_ED:
        return None
    if (ed or match.group("irregular")) and (
        _word_before(text, match.start()).lower() in _NOT_A_VERB_AFTER
    ):
        return None  # passive ("was held" says it by "was") or adjective ("the armed men")
    return Tense.PAST


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    clause_start = 0
    for match in CLAUSE_BREAK.finditer(text, 0, start):
        clause_start = match.end()
    following = CLAUSE_BREAK.search(text, end)
    return clause_start, following.start() if following else len(text)


def _last_cue(text: str, start: int, end: int) -> Tense | None:
    found = None
    for match in _CUE.finditer(text, start, end):
        found = _tense(match, found) or found
    return found


def _first_cue(text: str, start: int, end: int) -> Tense | None:
    for match in _CUE.finditer(text, start, end):
        tense = _tense(match)
        if tense is not None:
            return tense
    return None


def clause_tense(text: str, start: int, end: int, *, possessive: bool = False) -> Tense:
    """The tense of the clause around ``text[start:end]`` (see the module's docstring)."""
    clause_start, clause_end = _clause(text, start, end)
    if _HEADING_COLON.match(text, end) or (
            _HEADING.match(text, end) and _LINE_START.fullmatch(text, 0, start)):
        # "20 April: Rig explodes" heads a chronology, which looks back (its
        # entry is told in the present); unless the entry says what must or
        # will happen ("10 April: Troops must withdraw"): then the nearest.
        following = _HEADING_COLON.search(text, end + 1)
        entry = text[end:following.start() if following else len(text)]
        return Tense.EITHER if _MUST_OR_WILL.search(entry) else Tense.PAST
    tense = _last_cue(text, clause_start, start)
    if tense is None and not possessive:
        tense = _first_cue(text, end, clause_end)
        if tense is None and _OPENER.fullmatch(text, clause_start, start):
            tense = _first_cue(text, clause_end, len(text))  # "In January, ..., a bomb killed"
        if tense is None:
            # A clause without a verb of its own ("..., with the last Americans
            # flying out on Friday") takes the tense of the one it hangs on.
            tense = _last_cue(text, 0, clause_start) or _first_cue(text, clause_end, len(text))
    tense = tense or Tense.NONE
    if tense is not Tense.FUTURE and (
        _BOUNDARY_BEFORE.search(text, max(clause_start, start - 20), start)
        or _DEADLINE.search(text, clause_start, clause_end)
    ):
        return Tense.EITHER  # "ordered schools closed until 6 May": it may lie ahead
    return tense
