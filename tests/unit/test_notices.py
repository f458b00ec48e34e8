import pytest

from storyline.ingest.notices import load_notices, matching_notice, notice_only

# One notice for each pattern in data/notices.tsv.
NOTICES = {
    "published-elsewhere": "This article was originally published on The Harbour Review.",
    "first-appeared": "This story first appeared in the Northshore Courier.",
    "republished": "This story is republished from The Conversation under a Creative Commons"
                   " license.",
    "reprinted-with-permission": "Reprinted with permission from the Northshore Courier.",
    "read-original": "Read the original article.",
    "originally-appeared": "Originally appeared in Coastline Digest. Republished with"
                           " permission.",
    "subscribe-to-read": "Subscribe to continue reading.",
    "to-continue": "To continue reading, please log in or become a subscriber.",
    "subscribers-only": "This article is only available to subscribers.",
    "subscriber-only-content": "Subscriber-only content",
    "already-subscriber": "Already a subscriber? Log in.",
    "free-limit": "You have reached your limit of free articles this month.",
    "unlimited-access": "Subscribe now for unlimited digital access to every story.",
}

# Prose from ordinary articles that speaks of publishing, reprints and
# subscriptions and must never be taken for a notice.
PROSE = [
    "The article was first published in a 1998 pamphlet, which the museum reprinted with"
    " permission from the author's family last year.",
    "This report was published on Tuesday by the harbour authority and found that dredging"
    " had cut the channel's depth by a third over the past decade, officials said, adding"
    " that the work would resume in spring after the nesting season.",
    "Residents who subscribe to the ferry pass will pay less from March.",
    "This story first appeared to be a rumour until the police confirmed it on Friday.",
    "She said she had already registered for the vote.",
    "Read the full report on the council's website, the spokesman said, before criticising it.",
]


def test_every_pattern_has_an_example():
    assert {n.name for n in load_notices()} == set(NOTICES)


@pytest.mark.parametrize(("name", "line"), sorted(NOTICES.items()))
def test_notices_are_recognised(name, line):
    notice = matching_notice(line)
    assert notice is not None and notice.name == name


@pytest.mark.parametrize("line", PROSE)
def test_prose_is_not_a_notice(line):
    assert matching_notice(line) is None


def test_a_page_is_notice_only_when_nothing_else_is_left():
    title = "Why harbour towns are rethinking their sea walls"
    page = f"{title}\nThis article was originally published on The Harbour Review. Read the" \
           " original article."
    assert notice_only(page, 8, title).kind == "reprint"
    article = page + "\n" + PROSE[1]
    assert notice_only(article, 8, title) is None
    assert notice_only(PROSE[0], 8) is None
