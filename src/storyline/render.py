"""Timeline output: JSON (the contract), Markdown, a standalone HTML page, TimelineJS.

Article text and titles are data from strangers: every format that has
markup escapes them.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from urllib.parse import quote

from storyline.errors import ConfigError
from storyline.model import (
    Granularity,
    SourceRef,
    StoryMember,
    StorySummary,
    Timeline,
    TimelineEntry,
)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def heading(entry: TimelineEntry) -> str:
    """``Sunday 3 March 2024``, ``February 2024`` or ``2024``."""
    value = entry.date
    if entry.granularity is Granularity.DAY:
        return f"{value:%A} {value.day} {_MONTHS[value.month - 1]} {value.year}"
    if entry.granularity is Granularity.MONTH:
        return f"{_MONTHS[value.month - 1]} {value.year}"
    return str(value.year)


def to_json(timeline: Timeline) -> str:
    return json.dumps(timeline.to_dict(), ensure_ascii=False, indent=2)


#: Characters with a meaning inside a line of CommonMark or GitHub's Markdown:
#: emphasis, code, links, raw HTML, entity references, strikethrough. Those that
#: only mean something at the start of a line (#, +, -) or after one of these
#: (the ``(`` of a link, the ``!`` of an image) cannot act in the middle of an
#: item and are left alone, so the Markdown stays readable as text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&~])")
#: Any run of white space, line breaks of every kind included.
_WHITESPACE = re.compile(r"\s+")
#: What may stay as it is in a link's destination; everything else is %-encoded.
_URL_SAFE = "/:@-._~!$&'*+,;=?#%[]"


def _markdown_text(text: str) -> str:
    """Article text as one line of Markdown that means only itself.

    A line break in a title or sentence would end the list item and let
    the rest start a heading or raw HTML, which Markdown renders live: all
    white space becomes one space, control characters go, and every
    character with an inline meaning is backslash-escaped.
    """
    text = _WHITESPACE.sub(" ", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cc")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text.strip())


def _markdown_url(url: str) -> str:
    """A link destination that cannot end early: spaces, brackets and breaks %-encoded."""
    return quote(url.strip(), safe=_URL_SAFE).replace("(", "%28").replace(")", "%29")


def _citation(source: SourceRef) -> str:
    outlet = f"{_markdown_text(source.source)}: " if source.source else ""
    title = _markdown_text(source.title or "untitled")
    when = f", {source.published.isoformat()}" if source.published else ", undated"
    if source.url and source.url.startswith(("http://", "https://")):
        return f"[{outlet}{title}]({_markdown_url(source.url)}){when}"
    return f"{outlet}*{title}*{when}"


#: Said of a sentence whose date was read against a reprint's own day (``date_uncertain``).
UNCERTAIN_NOTE = "date uncertain: a reprint whose original is not in this store"


def to_markdown(timeline: Timeline) -> str:
    title = f"Timeline: {timeline.query}" if timeline.query else "Timeline"
    lines = [f"# {_markdown_text(title)}", ""]
    if not timeline.entries:
        lines.append("_No dated events were found in these articles._")
    for entry in timeline.entries:
        lines += [f"## {entry.label} · {heading(entry)}", ""]
        for sentence in entry.sentences:
            lines.append(f"- {_markdown_text(sentence.text)} — {_citation(sentence.source)}"
                         + (f" ({UNCERTAIN_NOTE})" if sentence.date_uncertain else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_html(timeline: Timeline) -> str:
    """A self-contained page with no script, safe to open or mail."""
    esc = html.escape
    title = f"Timeline: {timeline.query}" if timeline.query else "Timeline"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        f"<title>{esc(title)}</title>",
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;"
        "padding:0 1rem;color:#1d2228}h2{font-size:1.05rem;margin:1.6rem 0 .4rem;"
        "border-left:4px solid #2b6cb0;padding-left:.6rem}li{margin:.35rem 0}"
        ".src{color:#55606e;font-size:.85rem}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    if not timeline.entries:
        parts.append("<p>No dated events were found in these articles.</p>")
    for entry in timeline.entries:
        parts.append(f'<section><h2><time datetime="{entry.label}">{esc(heading(entry))}'
                     f"</time></h2><ul>")
        for sentence in entry.sentences:
            source = sentence.source
            label = esc(f"{source.source}: " if source.source else "") + esc(source.title or "untitled")
            if source.published:
                label += esc(f", {source.published.isoformat()}")
            cite = (f'<a href="{esc(source.url)}" rel="noopener noreferrer">{label}</a>'
                    if source.url and source.url.startswith(("http://", "https://")) else label)
            note = f" ({esc(UNCERTAIN_NOTE)})" if sentence.date_uncertain else ""
            parts.append(f'<li>{esc(sentence.text)} <span class="src">— {cite}{note}</span></li>')
        parts.append("</ul></section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def to_timelinejs(timeline: Timeline) -> str:
    """The JSON that TimelineJS (Knight Lab) reads; text fields are escaped HTML."""
    esc = html.escape
    events = []
    for entry in timeline.entries:
        start = {"year": entry.date.year}
        if entry.granularity in (Granularity.DAY, Granularity.MONTH):
            start["month"] = entry.date.month
        if entry.granularity is Granularity.DAY:
            start["day"] = entry.date.day
        body = "".join(
            f"<p>{esc(s.text)}"
            + (f" <em>({esc(s.source.source)})</em>" if s.source.source else "")
            + "</p>"
            for s in entry.sentences
        )
        events.append({
            "start_date": start,
            "display_date": heading(entry),
            "text": {"headline": esc(heading(entry)), "text": body},
        })
    title = timeline.query or "Timeline"
    document = {"title": {"text": {"headline": esc(title), "text": ""}}, "events": events}
    return json.dumps(document, ensure_ascii=False, indent=2)


RENDERERS: dict[str, Callable[[Timeline], str]] = {
    "json": to_json,
    "md": to_markdown,
    "html": to_html,
    "timelinejs": to_timelinejs,
}


def render(timeline: Timeline, fmt: str) -> str:
    try:
        return RENDERERS[fmt](timeline)
    except KeyError:
        raise ConfigError(f"unknown format {fmt!r}; choose one of: {', '.join(RENDERERS)}") from None


#: Who ran whose text within a story (``storyline.stories.story_copies``):
#: originals, each with (copier id, sentences shared).
Copies = Sequence[tuple[str, Sequence[tuple[str, int]]]]


def provenance_to_dicts(copies: Copies, members: dict[str, dict[str, object]]
                        ) -> list[dict[str, object]]:
    """A story's ``provenance`` (the API's and ``storyline stories --articles``'): each
    original as ``members`` describes it, with the members that ran its text."""
    return [{"original": members[original],
             "also_ran_in": [{**members[copier], "sentences": shared}
                             for copier, shared in copied]}
            for original, copied in copies]


def stories_to_markdown(stories: Sequence[StorySummary],
                        provenance: dict[str, Copies] | None = None) -> str:
    """The story list as Markdown: a heading per story, its span, sources and articles.

    With ``provenance`` (by story id), a story's articles are followed by
    who ran its text first and where it also ran.
    """
    lines = ["# Stories", ""]
    if not stories:
        lines.append("_No stories: ingest articles into this store first._")
    for story in stories:
        span = " to ".join(dict.fromkeys(d.isoformat() for d in (story.start, story.end) if d))
        lines += [f"## {story.id}. {_markdown_text(story.title or 'untitled')}", "",
                  f"{story.articles} article{'s' if story.articles != 1 else ''}"
                  f"{', ' + span if span else ''}; updated {story.updated}"]
        if story.sources:
            lines.append(f"Sources: {_markdown_text(', '.join(story.sources))}")
        lines.append("")
        for member in story.members or ():
            lines.append(f"- `{member.id}` {_markdown_text(member.origin)}")
        if story.members:
            lines.append("")
        copies = (provenance or {}).get(story.id)
        if copies and story.members:
            members = {m.id: m for m in story.members}
            lines += ["Who ran it first:", ""]
            for original, copied in copies:
                also = "; ".join(_member_brief(members[c], f"{n} sentence{'s' * (n != 1)}")
                                 for c, n in copied)
                lines.append(f"- {_member_brief(members[original])} ran it first;"
                             f" also ran in: {also}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _member_brief(member: StoryMember, *extra: str) -> str:
    """"`id` (Outlet, 2024-03-04)": an article as a provenance line names it."""
    said = [_markdown_text(member.source) if member.source else "unknown outlet",
            member.published.isoformat() if member.published else "undated", *extra]
    return f"`{member.id}` ({', '.join(said)})"
