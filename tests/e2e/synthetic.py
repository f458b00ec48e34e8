"""A large store of synthetic but realistic articles, made without spaCy.

The web page must stay quick with thousands of articles, and annotating
thousands of real ones takes minutes. These articles are built already
annotated (sentences, entities, time mentions with offsets), so a store of
5,000 is written in seconds through ``Store.put``, the same call ingest
ends with. The story: a long port strike, reported by a dozen outlets over
a year, every article retelling recent events and a few older ones.

Run as a script to time the HTTP API on such a store::

    .venv/bin/python -m tests.e2e.synthetic --articles 5000 --db /tmp/big.db
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from storyline.model import (
    AnnotatedArticle,
    Article,
    Entity,
    Granularity,
    Sentence,
    TimeMention,
)
from storyline.store import Store, content_hash

OUTLETS = ("Bayfront Times", "Coastline Wire", "Harbour Daily", "The Selden Courier",
           "Northern Ledger", "Port Journal", "Marrow Bay Herald", "Tidewater News",
           "Freight Weekly", "Capital Report", "Eastbank Gazette", "Morning Signal")
PEOPLE = ("Ines Falk", "Alma Reyes", "Tomas Kerr", "Ruth Okafor", "Daniel Brandt",
          "Mira Castell", "Jonas Petrov", "Leila Haddad", "Owen Mercer", "Sara Lindholm")
ORGS = ("the Harbour Workers' Union", "the Marrow Bay Port Authority",
        "the Coastal Shippers' Association", "the Labour Ministry", "Selden Terminals",
        "the Chamber of Commerce", "Atlas Cranes", "the Dockers' Pension Fund")
PLACES = ("Marrow Bay", "Selden", "Eastbank", "the North Quay", "Port Ellis", "Carden")
ACTIONS = (
    "{org} said talks with {org2} would resume after a pause of several days",
    "{person} told reporters that {org} would not accept job cuts from automated cranes",
    "{org} offered a pay rise of {n} percent over two years, which {org2} rejected",
    "about {n} hundred dockworkers marched through {place} to the offices of {org}",
    "{person} of {org} said the strike had cost exporters {n} million so far",
    "shipments of fresh produce were diverted to {place} as queues of ships grew",
    "{org} asked a court in {place} to order the workers back to the quay",
    "{person}, the mediator, met {org} and {org2} for {n} hours behind closed doors",
    "container traffic at {place} fell by {n} percent, according to {org}",
    "{org} and {org2} signed a draft agreement that members must still approve",
    "police cleared a picket line at {place} after {n} trucks were blocked",
    "{person} warned that supermarket shelves in {place} could empty within days",
)
LEADS = (
    "More than {n} hundred dockworkers in {place} stayed off the job for another day.",
    "The dispute at {place} showed no sign of ending as both sides traded accusations.",
    "Ships waiting outside {place} now stretch beyond the horizon, pilots say.",
)
BACKGROUND = (
    "The union's previous contract expired, and members have worked without one since.",
    "{place} is the country's second-busiest harbour and handles most fruit imports.",
    "Automation has been the sticking point since {org} ordered new cranes.",
    "Analysts said the dispute was the longest at the port in two decades.",
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _phrase(day: date, published: date) -> str:
    """How a reporter would name ``day`` in a story published on ``published``."""
    gap = (published - day).days
    if gap == 0:
        return "today"
    if 0 < gap < 7:
        return "on " + day.strftime("%A")
    return f"on {_MONTHS[day.month - 1]} {day.day}"


class _Writer:
    """Builds one article's text while recording sentences, entities and mentions."""

    def __init__(self, article_id: str) -> None:
        self.article_id = article_id
        self.text = ""
        self.sentences: list[Sentence] = []
        self.entities: list[Entity] = []
        self.mentions: list[TimeMention] = []

    def add(self, sentence: str, names: list[tuple[str, str]],
            dates: list[tuple[str, date, Granularity]]) -> None:
        start = len(self.text) + (1 if self.text else 0)
        self.text += ("\n" if self.text else "") + sentence
        index = len(self.sentences)
        self.sentences.append(Sentence(self.article_id, index, start, start + len(sentence),
                                       sentence))
        for name, label in names:
            if (at := sentence.find(name)) >= 0:
                self.entities.append(Entity(self.article_id, index, start + at,
                                            start + at + len(name), name, label))
        for phrase, value, granularity in dates:
            if (at := sentence.find(phrase)) >= 0:
                self.mentions.append(TimeMention(self.article_id, index, start + at,
                                                 start + at + len(phrase), phrase, granularity,
                                                 value))


#: The word that marks the side story (see ``synthetic_articles``).
SIDE_STORY = "ferry"


def synthetic_articles(count: int, *, seed: int = 5, first: date = date(2023, 1, 2),
                       days: int = 365, start: int = 0, side_story: int = 0
                       ) -> Iterator[AnnotatedArticle]:
    """``count`` annotated articles about one strike, published over ``days`` days.

    Numbering (and ids) begin at ``start``, so a store can be grown in
    steps. Articles numbered below ``side_story`` also report ferry crews
    joining the walkout: a story of exactly that many articles, found by
    the query "ferry" in a store of any size.
    """
    rng = random.Random(seed + start)
    events = sorted(rng.sample(range(days), k=min(days, 90)))
    for number in range(start, start + count):
        published = first + timedelta(days=rng.randrange(days))
        recent = [first + timedelta(days=d) for d in events
                  if 0 <= (published - first).days - d < 10] or [published]
        older = [first + timedelta(days=d) for d in events if (published - first).days - d >= 10]
        article_id = f"syn{number:05d}"
        writer = _Writer(article_id)
        slots = {
            "place": rng.choice(PLACES), "n": rng.randrange(2, 40),
            "person": rng.choice(PEOPLE), "org": rng.choice(ORGS), "org2": rng.choice(ORGS),
        }
        names = ([(slots["place"], "GPE"), (slots["person"], "PERSON"), (slots["org"], "ORG"),
                  (slots["org2"], "ORG")])
        writer.add(rng.choice(LEADS).format(**slots), names, [])
        for _ in range(rng.randrange(8, 18)):
            slots.update(person=rng.choice(PEOPLE), org=rng.choice(ORGS), org2=rng.choice(ORGS),
                         place=rng.choice(PLACES), n=rng.randrange(2, 40))
            names = [(slots["place"], "GPE"), (slots["person"], "PERSON"),
                     (slots["org"], "ORG"), (slots["org2"], "ORG")]
            roll = rng.random()
            if roll < 0.45:
                day = rng.choice(recent)
            elif roll < 0.6 and older:
                day = rng.choice(older)
            else:
                writer.add(rng.choice(BACKGROUND).format(**slots), names, [])
                continue
            phrase = _phrase(day, published)
            action = rng.choice(ACTIONS).format(**slots)
            phrase = phrase[0].upper() + phrase[1:]
            writer.add(f"{phrase}, {action}.", names, [(phrase, day, Granularity.DAY)])
        if number < side_story:
            day = rng.choice(recent)
            phrase = _phrase(day, published)
            writer.add(f"{phrase[0].upper()}{phrase[1:]}, {SIDE_STORY} crews in {slots['place']}"
                       f" joined the walkout.", [(slots["place"], "GPE")],
                       [(phrase, day, Granularity.DAY)])
        if rng.random() < 0.2:
            month = first.replace(month=rng.randrange(1, 13))
            phrase = f"in {_MONTHS[month.month - 1]}"
            writer.add(f"The union first threatened a walkout {phrase}, members recall.", [],
                       [(phrase, month, Granularity.MONTH)])
        outlet = rng.choice(OUTLETS)
        title = f"{slots['place']} strike: {rng.choice(ACTIONS).format(**slots)}"
        article = Article(article_id, f"https://news.example/{outlet.split()[-1].lower()}/"
                          f"{published:%Y/%m/%d}/{article_id}", outlet,
                          title[0].upper() + title[1:], published, writer.text,
                          f"synthetic:{number}")
        yield AnnotatedArticle(article, tuple(writer.sentences), tuple(writer.entities),
                               tuple(writer.mentions))


def build_store(path: str | Path, count: int, *, seed: int = 5, start: int = 0,
                side_story: int = 0, per_transaction: int = 5000) -> None:
    """Write ``count`` synthetic articles into a (new or existing) store.

    ``per_transaction`` articles are committed at a time, so that a store
    of hundreds of thousands never waits on one giant transaction.
    """
    articles = synthetic_articles(count, seed=seed, start=start, side_story=side_story)
    with Store(path) as store:
        while True:
            with store.atomic():
                written = 0
                for annotated in articles:
                    store.put(annotated, content_hash(annotated.article))
                    written += 1
                    if written == per_transaction:
                        break
            if written < per_transaction:
                return


def _time_api(db: str, repeat: int) -> None:
    """Time the routes the page calls, in-process through a real HTTP server."""
    import urllib.request

    from tests.live import live_server

    routes = ("/api/timeline", "/api/timeline?dates=10", "/api/timeline?query=cranes",
              "/api/timeline?entity=Ines%20Falk", "/api/timeline?start=2023-06-01&end=2023-06-30",
              "/api/articles", "/api/articles?query=picket&page=3", "/api/articles/syn00042",
              "/api/entities?limit=50")
    with live_server(db) as url:
        for route in routes:
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                with urllib.request.urlopen(f"{url}{route}") as response:
                    size = len(response.read())
                times.append(time.perf_counter() - started)
            print(f"{route:55s} best {min(times):6.3f} s  worst {max(times):6.3f} s"
                  f"  {size:>8,} bytes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    if Path(options.db).exists():
        raise SystemExit(f"{options.db} exists; give a new file")
    started = time.perf_counter()
    build_store(options.db, options.articles)
    print(f"built {options.articles} articles in {time.perf_counter() - started:.1f} s")
    _time_api(options.db, options.repeat)
