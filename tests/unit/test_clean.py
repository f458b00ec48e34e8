import pytest

from storyline.clean import (
    clean_article,
    clean_text,
    load_rules,
    matching_rule,
    sentence_fingerprints,
    word_jaccard,
)
from storyline.model import Article

#: Every rule in data/boilerplate.tsv, with lines it must catch.
EXAMPLES = {
    "share-prompt": ["Share this article", "Share on Facebook", "Tweet", "Email this story"],
    "share-buttons": ["Facebook Twitter WhatsApp Email", "Share | Tweet | Email | Print"],
    "social-follow": ["Follow us on Twitter for more news", "Like our page on Facebook",
                      "Follow us on Facebook for more news"],
    "messaging-channel": ["Join our Telegram channel for the latest updates",
                          "Join our WhatsApp channel", "Follow our Google News page"],
    "newsletter": ["Sign up for our daily newsletter", "Subscribe to our breaking news alerts"],
    "newsletter-cta": ["Get the latest headlines in your inbox."],
    "video-player": ["Video player is loading.", "Play Video", "This is a modal window.",
                     "Loaded: 0%", "Now Playing", "1:32 / 2:05", "Watch the video"],
    "media-requirement": [
        "In order to see this content you need to have both Javascript enabled and Flash installed.",
        "Visit BBC Webwise for full instructions.",
        "If you're reading via RSS, you'll need to visit the blog to access this content.",
        "Media playback is unsupported on your device",
    ],
    "photo-credit": ["PHOTO: AFP", "(Photo: Reuters/Jane Doe)", "Picture: Getty Images",
                     "Photograph: Dan Kitwood"],
    "credit-only": ["Credit: Reuters", "Source: AP"],
    "agency-credit": ["AFP", "(Reuters)", "Getty Images", "AP Photo/Evan Vucci"],
    "advertisement": ["Advertisement", "Story continues below advertisement", "Sponsored content",
                      "Click here to subscribe.", "Terms and conditions apply."],
    "copyright": ["© 2023 Bayfront Times. All rights reserved.", "Copyright 2024 Example Media"],
    "all-rights": ["All rights reserved."],
    "comments-prompt": ["12 comments", "View comments", "Leave a comment", "What do you think?",
                        "Let us know in the comments below!"],
    "byline": ["By Clara Ostrander, Port Callan Courier", "By Jane Doe", "By Ali Khan | Reuters",
               "By Noel Randel and Amira Tovar"],
    "read-time": ["4 min read"],
    "byline-updated": ["Updated: March 5, 2024 14:20 GMT", "Published 09:12 BST, 4 May 2009",
                       "Published: 22 February 2025", "Updated March 5, 2024"],
    "image-caption-count": ["Image 3 of 12"],
    "stay-tuned": ["Stay tuned for more updates on this developing story!", "Check back for updates."],
    "comment-stamp": ["12th August 2011 - 23:07"],
}
TAIL_EXAMPLES = {
    "related": ["Related news:", "Related stories", "More coverage", "Latest"],
    "read-more": ["Read more:", "Read more: Port authority posts record profit", "Most read",
                  "You may also like"],
}
STRIP_EXAMPLES = {
    "wire-timestamp": [("LONDON | Tue Apr 28, 2009 9:03 pm BST LONDON (Reuters) - Testing is slow.",
                        "Testing is slow.")],
    "wire-dateline": [("GENEVA (Reuters) - The WHO raised its alert level.",
                       "The WHO raised its alert level."),
                      ("Cairo, Egypt (CNN) -- Protesters returned to the square.",
                       "Protesters returned to the square."),
                      ("New Orleans (AP) – Oil reached the marshes.", "Oil reached the marshes."),
                      ("ALDER BEND (MPA) — The plant asked to restart.",  # any agency's initials
                       "The plant asked to restart.")],
    "inline-photo-credit": [("Cranes stand idle (Photo: Reuters/Dan Ortiz)", "Cranes stand idle")],
    "trailing-photo-credit": [("Smoke rises over the plant. Photo: AFP",
                               "Smoke rises over the plant.")],
    "trailing-agency-credit": [("Rescuers search the rubble (AFP)", "Rescuers search the rubble")],
    "amended-note": [(("The spill grew. This article was amended on 8 May 2010 to correct"
                       " the figure given for revenues in 2009 from $327bn to $239bn."),
                      "The spill grew."),
                     ("This article was amended on 14 and 21 May 2010. The spill grew.",
                      "The spill grew.")],
    "place-dateline": [("PELL'S FERRY — The town reopened its intake.",
                        "The town reopened its intake."),
                       ("AP NEW ORLEANS – Engineers removed a cap.", "Engineers removed a cap.")],
    "wire-slug": [("UPDATE 3-Dutch marines freed by Libya", "Dutch marines freed by Libya"),
                  ("WRAPUP 2-Obama visits Gulf coast", "Obama visits Gulf coast")],
}
#: Page timestamps between headline and body: the line is broken there.
BREAK_EXAMPLES = {
    "page-timestamp": [
        ("BP cap holds Pressure is stable Friday 16 July 2010 18.20 BST Images show no leak.",
         "BP cap holds Pressure is stable\nImages show no leak."),
        ("BP to cut tax bill Tuesday, July 27, 2010; 11:56 PM BP said it would cut its bill.",
         "BP to cut tax bill\nBP said it would cut its bill."),
        ("Maggie Shiels | 09:33 UK time, Wednesday, 9 June 2010 BP is getting blasted.",
         "BP is getting blasted."),
        ("Interview Aired February 11, 2011 - 11:53 ET THIS IS A RUSH TRANSCRIPT.",
         "Interview Aired\nTHIS IS A RUSH TRANSCRIPT."),
    ],
    "live-update-stamp": [
        ("(Update 1:12 a.m. Tuesday in Cairo, 6:12 p.m. ET Monday) Banks opened.", "Banks opened."),
        ("Crowds grew. (Update 6 p.m. in Cairo, 11 a.m. ET) - Banks opened.",
         "Crowds grew.\nBanks opened."),
        ("(Updated 3:09 p.m. ET) The curfew was extended.", "The curfew was extended."),
    ],
    # Story highlights, kickers and bylines run into the lead on one line in
    # wire copy: the dateline is where the body starts, and what came before
    # it on the line goes. A dated dateline's date (the day the wire filed the
    # story) stays as a line of its own, as evidence of the date.
    "last-updated": [("Ferry sinks 24 June 2010 Last updated at 14:59 GMT Help The ferry sank.",
                      "Ferry sinks\nThe ferry sank.")],
    "updated-stamp": [("updated: Mon Feb 07 2011 14:48:00 The curfew was lifted.",
                       "The curfew was lifted.")],
    "wire-dateline-inside": [
        ("Rebels hold the port Talks stall for a day Misrata, Libya (CNN) -- Rebels held on.",
         "Rebels held on."),
        ("* Oil prices climb (Adds quotes) CAIRO, April 15 (Reuters) - Prices rose.",
         "April 15\nPrices rose."),
        ("RAS LANUF, Libya (Reuters) - Rebels retreated.", "Rebels retreated."),
        ("WASHINGTON Nov 17 (Reuters) - - The results came in.", "Nov 17\nThe results came in."),
        ("Aug. 21 (Reuters) - Rebels entered the capital.",
         "Aug. 21\nRebels entered the capital."),
        ("DAUPHIN ISLAND, Ala. (AP) – It looks dirty.", "It looks dirty."),
        ("Families wait for news (CNN) – The ferry sank.", "The ferry sank."),
    ],
    "byline-inside": [
        ("By the CNN Wire Staff Ferry sinks off the coast", "Ferry sinks off the coast"),
        ("By Tim Lister and Emily Smith, CNN Protesters used social media.",
         "Protesters used social media."),
        ("January 27, 2011 | By Ann Ortiz, CNN Protesters marched.", "Protesters marched."),
        ("By the CNN Wire Staff", ""),
    ],
    "wire-edit-note": [
        ("(Adds minister's quotes) AMMAN (Reuters) - Jordan sent aircraft.",
         "Jordan sent aircraft."),
        ("Shops clear shelves (Updates with comments, prices) Shops cleared shelves.",
         "Shops clear shelves\nShops cleared shelves."),
    ],
    "inline-bullet": [
        ("* Rebels take oil port * Hope for news by morning",
         "Rebels take oil port\nHope for news by morning"),
    ],
    "update-marker": [
        ("Egypt is not stable NEW: Army deploys in Cairo",
         "Egypt is not stable\nArmy deploys in Cairo"),
    ],
    "video-duration": [
        ("Clinton warns of civil war (1:23) Mar 1 - Secretary of State Clinton warned of war.",
         "Clinton warns of civil war\nSecretary of State Clinton warned of war."),
    ],
    "inline-agency-photo": [
        ("(AP Photo/Gerald Herbert) Workers lay boom near the island.",
         "Workers lay boom near the island."),
        ("(AP Photo/Alex Brandon) (Alex Brandon - AP) Negotiators reached a deal.",
         "Negotiators reached a deal."),
    ],
}
#: Reader-comment headers: they and everything after them go.
REST_EXAMPLES = {
    "reader-comments": [
        "March 21, 2011 at 6:31 pm | Reply Obama should have more backbone.",
        "Posted by: AsperGirl | September 16, 2008 3:22 PM | Report abuse Veterans are outraged.",
        '(3) "Posted by: Kim | September 16, 2008 3:22 PM | Report abuse Not so.',
        "Sep 2, 2010 10:15 am | Report abuse",
        "At 12:55 pm on 10 Jun 2010, ruffled_feathers wrote: No, it has not.",
        "January 28, 2011 07:10 pm at 7:10 pm | The president has a delicate path.",
        "At 13:44 20th Jan 2012, harbourwatch wrote: The port should reopen.",
        "Added: Tuesday, 19 January, 2010, 16:55 GMT 16:55 UK The aid is late.",
    ],
    # A print-edition or syndication note closes the article; what follows is page furniture.
    "print-note": [
        ("This article appeared on p28 of the Main section of the Courier on 00.01 BST on"
         " Monday 27 April 2009."),
        "This article was published on courier.co.uk at 18.00 BST on Tuesday 28 April 2009.",
        ("A version appeared on p7 of the Main section of the Courier on 00.38 BST on Saturday"
         " 2 May 2009 Follow the latest news on Twitter"),
    ],
}
#: News prose that looks a little like boilerplate and must survive.
PROSE = [
    "Share prices fell 4 percent after the company said it would close the plant.",
    "Photos taken by residents showed black smoke over the river on Sunday.",
    "The union said members would follow the mediator's advice.",
    "Reuters reported that talks had resumed in Geneva on Tuesday.",
    "More than 3,000 dockworkers stayed off the job for a fourth day.",
    "Related charges were filed against two managers in February.",
    "Play resumed after a two-hour rain delay.",
    "Copyright lawyers for the band said they would appeal the ruling in March.",
    "The video showed police officers dragging protesters from the square.",
    "Comments by the minister drew criticism from opposition parties.",
    "By Monday, the water had receded from most streets.",
    "By the end of the day, the ferry had sunk.",
    "Published figures showed the economy shrank in 2009.",
    "What the state has found so far was released on Tuesday.",
    "The report (AP) - not a dateline here - was read aloud.",
    "The Foreign Office (which CNN quoted) - unusually - declined to comment.",
    "The ministry (MOD) - which runs the base - declined to comment.",
    "(Updated figures for 2010 are in the annex.)",
    "At 12:55 pm on 10 June 2010, the pressure dropped, engineers wrote in the log.",
    "The explosion happened on April 20, 2010 at 9:45 pm local time.",
    "The well blew on Tuesday, April 20, 2010 21:45 CDT, officials said.",
    "The polls closed at 8 p.m. on May 6, 2010, and counting began.",
    "Posted guards stood at the gate | a sign read closed.",
    "The agency said the figures (AP) were wrong.",
    "Voters were told (CNN) - and believed - that the count was over.",
    "The list was marked with an * beside each name.",
    "Prices were up 3 percent (2:1 against the dollar) on the week.",
    "NEWS: none. The new: the old.",
    "He said the (Adds up) sign was wrong.",
    "This article of the treaty was amended on Monday by both parliaments.",
    "A version appeared in the 1990s as a cheaper model for farmers.",
    "U.S. – China talks resumed on Monday.",
    "This article was originally published in Spanish on Monday by the ministry.",
]


def test_boilerplate_sentences_inside_a_line_are_dropped():
    cleaned, _ = clean_text("Beginning of dialog window. Escape will cancel and close the window. "
                            "The ferry sank on Sunday.")
    assert cleaned == "The ferry sank on Sunday."


def test_every_rule_has_examples():
    names = {rule.name for rule in load_rules()}
    assert names == (set(EXAMPLES) | set(TAIL_EXAMPLES) | set(STRIP_EXAMPLES)
                     | set(BREAK_EXAMPLES) | set(REST_EXAMPLES))


@pytest.mark.parametrize(("name", "line"), [(n, l) for n, ls in EXAMPLES.items() for l in ls])
def test_boilerplate_lines_are_recognised(name, line):
    assert matching_rule(line) is not None, line
    (rule,) = [rule for rule in load_rules() if rule.name == name]
    assert rule.pattern.fullmatch(line.strip()), f"{name} does not match {line!r} itself"


@pytest.mark.parametrize(("name", "line"), [(n, l) for n, ls in TAIL_EXAMPLES.items() for l in ls])
def test_link_list_headers_are_recognised(name, line):
    assert matching_rule(line, "tail") is not None


@pytest.mark.parametrize(("line", "expected"),
                         [pair for pairs in STRIP_EXAMPLES.values() for pair in pairs])
def test_credits_are_cut_from_captions(line, expected):
    text, _ = clean_text(line)
    assert text == expected


@pytest.mark.parametrize(("line", "expected"),
                         [pair for pairs in BREAK_EXAMPLES.values() for pair in pairs])
def test_page_timestamps_break_the_line(line, expected):
    assert clean_text(line)[0] == expected


@pytest.mark.parametrize("header", [h for hs in REST_EXAMPLES.values() for h in hs])
def test_reader_comments_end_the_article(header):
    text = f"Rebels took the port on Sunday.\n{header}\nI think the rebels will win."
    assert clean_text(text)[0] == "Rebels took the port on Sunday."
    same_line = f"Rebels took the port on Sunday. {header}\nMore comments."
    assert clean_text(same_line)[0] == "Rebels took the port on Sunday."


@pytest.mark.parametrize("line", PROSE)
def test_prose_is_not_boilerplate(line):
    assert matching_rule(line) is None and matching_rule(line, "tail") is None
    assert clean_text(line)[0] == line


def test_related_news_tail_is_dropped_until_prose_returns():
    text = ("The fire was out by Tuesday.\nRelated news:\nTown council meets over spill\n"
            "• River samples show chemicals\nThe company said it would pay for the cleanup, "
            "a spokeswoman said on Wednesday.")
    cleaned, report = clean_text(text)
    assert cleaned.splitlines() == [
        "The fire was out by Tuesday.",
        "The company said it would pay for the cleanup, a spokeswoman said on Wednesday.",
    ]
    assert report.boilerplate_lines == 3


def test_repeated_headline_and_repeated_sentences_are_dropped():
    title = "SHOCKING: Port Chaos As Workers Strike"
    text = (f"{title}\n{title}\n{title.upper()}\nDockworkers walked out on Thursday at the port. "
            "Dockworkers walked out on Thursday at the port.\n"
            "The union said the strike would continue for as long as it takes.\n"
            "The union said the strike will continue for as long as it takes.")
    cleaned, report = clean_text(text, title)
    assert cleaned.splitlines() == [
        "Dockworkers walked out on Thursday at the port.",
        "The union said the strike would continue for as long as it takes.",
    ]
    assert report.headline_repeats == 3 and report.duplicate_sentences == 2


def test_a_repeat_with_a_word_more_or_less_is_a_duplicate():
    # Near-duplicates are looked up among sentences of similar size only:
    # 10 and 11 words (Jaccard 10/11) and 10 and 9 (9/10) must still meet.
    base = "Rescue teams pulled two more survivors from the collapsed school building"
    text = (f"{base}.\n{base} today.\nRescue teams pulled two more survivors from the "
            "collapsed school.\nRescue teams pulled two more children from the flooded river.")
    cleaned, report = clean_text(text)
    assert cleaned.splitlines() == [f"{base}.", "Rescue teams pulled two more children from the "
                                    "flooded river."]
    assert report.duplicate_sentences == 2


def test_a_repeat_at_exactly_the_threshold_is_a_duplicate():
    # 8 of 10 words: Jaccard 0.8, the threshold, and the sizes' ratio is 0.8
    # too; neither the size filter nor the prefix filter may pass it over.
    base = "Rescue teams pulled two more survivors from the collapsed school"
    cleaned, report = clean_text(f"{base}.\nRescue teams pulled two more survivors from the.")
    assert cleaned == f"{base}." and report.duplicate_sentences == 1


def test_a_kind_no_rule_has_matches_nothing():
    assert matching_rule("Related news", "no-such-kind") is None


def test_short_repeated_sentences_need_an_exact_match():
    cleaned, _ = clean_text("He said no.\nShe said yes.")
    assert cleaned == "He said no.\nShe said yes."


def test_clean_article_keeps_everything_but_the_text():
    article = Article("a", None, "Wire", "Plant fire (Photo: AFP)", None,
                      "Share this article\nThe plant burned.", "x.txt")
    cleaned = clean_article(article)
    assert cleaned.text == "The plant burned."
    assert cleaned.title == "Plant fire"
    assert (cleaned.id, cleaned.source, cleaned.origin) == ("a", "Wire", "x.txt")


def test_fingerprints_match_copies_with_a_word_changed_but_not_other_sentences():
    original = ("Samples taken two miles below the plant showed styrene at up to 40 times "
                "the state's limit for surface water.")
    spun = original.replace("surface water", "surface river")
    other = ("The governor ordered an investigation into the fire and asked the company "
             "to hand over its maintenance records.")
    a, b, c, short = sentence_fingerprints([original, spun, other, "Too short."])
    assert set(a) & set(b)
    assert not set(a) & set(c)
    assert short == ()
    assert word_jaccard(original, spun) > 0.8 > word_jaccard(original, other)


def test_minhashes_are_datasketchs():
    """The fingerprints stored by earlier versions stay valid: every set's signature is
    datasketch's MinHash.bulk, for sets of one shingle to many, alone or together."""
    from datasketch import MinHash

    from storyline.clean import FINGERPRINT_PERMUTATIONS, _minhashes, _shingles

    words = ("the river rose overnight and the town council closed the old bridge "
             "while engineers checked the piers for damage after the storm").split()
    sets = [_shingles(words[:n]) for n in (1, 2, 3, 8, len(words))]
    sets.append([f"shingle {i}".encode() for i in range(500)])
    expected = [m.hashvalues.tolist()
                for m in MinHash.bulk(sets, num_perm=FINGERPRINT_PERMUTATIONS)]
    assert _minhashes(sets).tolist() == expected
    assert _minhashes(sets[2:3]).tolist() == expected[2:3]


def test_an_article_without_title_is_named_after_its_lead_which_stays_text():
    lead = "The coast guard called off the search for survivors on Tuesday."
    article = Article("a", None, None, "", None, f"{lead}\nDivers will resume work.", "x.jsonl:1")
    cleaned = clean_article(article)
    assert cleaned.title == lead
    assert cleaned.text.splitlines()[0] == lead
    long = Article("b", None, None, "", None, "word " * 80, "x.jsonl:2")
    assert clean_article(long).title.endswith("…") and len(clean_article(long).title) <= 160


def _example_lines() -> list[str]:
    lines: list[str] = [*PROSE]
    for table in (EXAMPLES, TAIL_EXAMPLES, STRIP_EXAMPLES, BREAK_EXAMPLES, REST_EXAMPLES):
        for items in table.values():
            lines += [item if isinstance(item, str) else item[0] for item in items]
    return lines


@pytest.mark.parametrize("rule", [r for r in load_rules() if r.needs is not None],
                         ids=lambda r: r.name)
def test_what_a_rule_needs_is_in_every_match(rule):
    """The prefilter column never hides a match: each example the rule finds contains it."""
    matched = [line for line in _example_lines() if rule.pattern.search(line)]
    assert matched, f"{rule.name} matches none of the examples"
    for line in matched:
        assert rule.needs.search(line), f"{rule.name}: {line!r} matches but lacks {rule.needs}"
