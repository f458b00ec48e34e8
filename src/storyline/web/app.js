// The timeline page: reads the HTTP API and draws the timeline.
//
// Article text and titles are written by strangers, so they only ever
// become DOM text nodes (textContent, append(string)); nothing here parses
// markup, and the server's Content-Security-Policy would refuse to run an
// inline script even if something did.
"use strict";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const FIELDS = ["query", "entity", "start", "end", "dates", "story"];
//: Where the page remembers, per story, what the reader last saw of it.
const VISITS_KEY = "storyline.visits";
const SVG = "http://www.w3.org/2000/svg";

const byId = (id) => document.getElementById(id);
const form = byId("controls");
const list = byId("timeline");
const statusLine = byId("status");
const reader = byId("reader");

let pending = null;    // the AbortController of the timeline request in flight
let opened = 0;        // which article the reader is showing, so a late answer is dropped
let stories = [];      // the story list as the API gave it

/** An element with a class and children; strings become text nodes. */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** "Monday 27 April 2009", "April 2009" or "2009", as render.heading() writes them. */
function heading(entry) {
  const [year, month, day] = entry.date.split("-").map(Number);
  if (entry.granularity === "day") {
    const weekday = WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()];
    return `${weekday} ${day} ${MONTHS[month - 1]} ${year}`;
  }
  if (entry.granularity === "month") return `${MONTHS[month - 1]} ${year}`;
  return String(year);
}

function shortDate(iso) {
  if (!iso) return "undated";
  const [year, month, day] = iso.split("-").map(Number);
  return day ? `${day} ${MONTHS[month - 1].slice(0, 3)} ${year}` : `${MONTHS[month - 1]} ${year}`;
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** Only http(s) links are followed: a javascript: URL in an article is data too. */
function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function formParams() {
  const params = new URLSearchParams();
  const data = new FormData(form);
  for (const name of FIELDS) {
    const value = String(data.get(name) || "").trim();
    if (value) params.set(name, value);
  }
  return params;
}

async function errorText(response) {
  try {
    const body = await response.json();
    return typeof body.detail === "string" ? body.detail : response.statusText;
  } catch {
    return response.statusText || `HTTP ${response.status}`;
  }
}

// -- the timeline ---------------------------------------------------------------

async function loadTimeline() {
  const params = formParams();
  history.replaceState(null, "", params.size ? `?${params}` : location.pathname);
  for (const [id, format] of [["export-json", "json"], ["export-md", "md"],
    ["export-timelinejs", "timelinejs"]]) {
    const exported = new URLSearchParams(params);
    exported.set("format", format);
    byId(id).href = `/api/timeline?${exported}`;
  }
  loadProvenance(form.elements.story.value);   // its own request: drawn whatever the timeline does
  if (pending) pending.abort();
  pending = new AbortController();
  statusLine.textContent = "Building the timeline…";
  statusLine.classList.remove("error");
  list.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`/api/timeline?${params}`, { signal: pending.signal });
    if (!response.ok) throw new Error(await errorText(response));
    drawTimeline(await response.json());
  } catch (error) {
    if (error.name === "AbortError") return;
    list.replaceChildren();
    statusLine.textContent = `Could not build the timeline: ${error.message}`;
    statusLine.classList.add("error");
  } finally {
    list.removeAttribute("aria-busy");
  }
}

function drawTimeline(timeline) {
  const entries = timeline.entries;
  const key = form.elements.story.value || "all";
  const seen = visits()[key];
  list.replaceChildren(...entries.map((entry) => drawEntry(entry, seen)));
  const newest = entries.reduce((latest, e) => (e.added && e.added > latest ? e.added : latest),
    seen ? seen.added : "");
  const story = stories.find((s) => s.id === form.elements.story.value);
  remember(key, { added: newest, updated: story ? story.updated : "" });
  drawStories();
  const filters = [];
  if (story) filters.push(`in the story “${story.title}”`);
  if (timeline.query) filters.push(`matching “${timeline.query}”`);
  const entity = form.elements.entity.value;
  if (entity) filters.push(`mentioning ${entity}`);
  statusLine.textContent = entries.length
    ? `${plural(entries.length, "date")}${filters.length ? ", from articles " + filters.join(" and ") : ""}`
    : "No dated events were found for these filters.";
}

function drawEntry(entry, seen) {
  const [weekday, ...rest] = heading(entry).split(" ");
  const time = entry.granularity === "day"
    ? el("time", "date-label", el("span", "weekday", weekday), ` ${rest.join(" ")}`)
    : el("time", "date-label", heading(entry));
  time.dateTime = entry.date;
  const support = entry.articles === undefined ? null
    : el("span", "support", plural(entry.articles, "article"));
  const when = el("div", `when granularity-${entry.granularity}`, time, support);
  const sentences = el("ul", "sentences", ...entry.sentences.map(drawSentence));
  // New since the last visit: quotes an article stored after the newest one seen then.
  const fresh = Boolean(seen && entry.added && entry.added > seen.added);
  if (fresh) when.append(el("span", "new-mark", "New since your last visit"));
  return el("li", fresh ? "entry new" : "entry", when, sentences);
}

function drawSentence(sentence) {
  const chip = el("button", "chip",
    el("span", "chip-outlet", sentence.source || "Unknown outlet"),
    el("span", "chip-title", sentence.title || "Untitled"),
    el("span", "chip-date", shortDate(sentence.published)));
  chip.type = "button";
  chip.title = `Open: ${sentence.title || "untitled"}`;
  chip.addEventListener("click", () => openArticle(sentence));
  const uncertain = sentence.date_uncertain ? el("span", "uncertain-mark", "date uncertain") : null;
  if (uncertain) {
    uncertain.title = "A reprint whose original is not in this store: its relative dates were read"
      + " from the day this copy ran, which may be later than the original.";
  }
  return el("li", "sentence", el("p", "sentence-text", sentence.text), chip, uncertain);
}

// -- stories -----------------------------------------------------------------------

/** What the reader last saw, per story ("all" for the whole store): {added, updated}. */
function visits() {
  try {
    return JSON.parse(localStorage.getItem(VISITS_KEY) || "{}") || {};
  } catch {
    return {};   // storage refused or damaged: nothing is marked new
  }
}

function remember(key, seen) {
  try {
    localStorage.setItem(VISITS_KEY, JSON.stringify({ ...visits(), [key]: seen }));
  } catch {
    // private mode: the marks just do not persist
  }
}

/** Articles per day as small bars over the story's span (an inline SVG, no markup parsed). */
function sparkline(volume) {
  const width = 96, height = 22, bins = 24;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("role", "img");
  const total = volume.reduce((sum, day) => sum + day.articles, 0);
  svg.setAttribute("aria-label", `${plural(total, "article")} over time`);
  if (!volume.length) return svg;
  const day = (iso) => Date.parse(`${iso}T00:00:00Z`) / 86400000;
  const first = day(volume[0].date), last = day(volume[volume.length - 1].date);
  const counts = new Array(bins).fill(0);
  for (const point of volume) {
    const at = last > first ? Math.min(bins - 1, Math.floor((day(point.date) - first) / (last - first + 1) * bins)) : 0;
    counts[at] += point.articles;
  }
  const top = Math.max(...counts);
  counts.forEach((count, index) => {
    if (!count) return;
    const bar = document.createElementNS(SVG, "rect");
    const tall = Math.max(2, Math.round(count / top * height));
    bar.setAttribute("x", index * (width / bins));
    bar.setAttribute("y", height - tall);
    bar.setAttribute("width", width / bins - 1);
    bar.setAttribute("height", tall);
    svg.append(bar);
  });
  return svg;
}

function drawStory(story, seen, current) {
  const sources = story.sources.length > 3
    ? `${story.sources.slice(0, 3).join(", ")} +${story.sources.length - 3}`
    : story.sources.join(", ") || "Unknown outlets";
  const updated = el("span", "story-updated", `updated ${shortDate(story.updated.slice(0, 10))}`);
  const fresh = Boolean(seen && story.updated > seen.updated);
  const open = el("button", "story-open",
    el("span", "story-title", story.title || "Untitled story"),
    sparkline(story.volume),
    el("span", "story-meta", `${plural(story.articles, "article")} · ${sources} · `, updated),
    fresh ? el("span", "new-mark", "New") : null);
  open.type = "button";
  open.addEventListener("click", () => {
    form.elements.story.value = story.id;
    loadTimeline();
  });
  const item = el("li", fresh ? "story new" : "story", open);
  item.dataset.story = story.id;
  if (current) item.setAttribute("aria-current", "true");
  return item;
}

function drawStories() {
  const seen = visits();
  const current = form.elements.story.value;
  byId("story-list").replaceChildren(
    ...stories.map((story) => drawStory(story, seen[story.id], story.id === current)));
  byId("stories").hidden = !stories.length;
}

async function loadStories() {
  try {
    const response = await fetch("/api/stories");
    if (!response.ok) return;
    stories = (await response.json()).stories;
    drawStories();
  } catch {
    // no story list; the timeline of all articles still works
  }
}

// -- provenance: who ran a story's text first, and who copied it ---------------------

//: Originals shown before "and N more".
const PROVENANCE_SHOWN = 5;
let provenanceFor = null;   // the story whose provenance is drawn or on its way

async function loadProvenance(storyId) {
  const section = byId("provenance");
  if (storyId === provenanceFor) return;
  provenanceFor = storyId;
  section.hidden = true;
  byId("provenance-list").replaceChildren();
  if (!storyId) return;
  try {
    const response = await fetch(`/api/stories/${encodeURIComponent(storyId)}`);
    if (!response.ok) throw new Error(await errorText(response));
    const story = await response.json();
    if (provenanceFor === storyId) drawProvenance(story.provenance || []);
  } catch {
    if (provenanceFor === storyId) provenanceFor = null;   // try again on the next draw
  }
}

/** An article of the provenance list as a button that opens it in the reader. */
function provenanceArticle(member, extra) {
  const button = el("button", "provenance-article",
    el("span", "provenance-outlet", member.source || "Unknown outlet"),
    el("span", "provenance-date", shortDate(member.published)),
    extra ? el("span", "provenance-shared", extra) : null);
  button.type = "button";
  button.title = "Open this article";
  button.addEventListener("click", () => openArticle({ article_id: member.id, title: member.source }));
  return button;
}

function drawProvenance(provenance) {
  const items = provenance.slice(0, PROVENANCE_SHOWN).map((ran) => el("li", "provenance-item",
    provenanceArticle(ran.original),
    el("span", "provenance-verb", ` ran it first; also ran in `),
    ...ran.also_ran_in.map((copy) => provenanceArticle(copy, plural(copy.sentences, "sentence")))));
  if (provenance.length > PROVENANCE_SHOWN) {
    items.push(el("li", "provenance-more",
      `and ${plural(provenance.length - PROVENANCE_SHOWN, "more original")}`));
  }
  byId("provenance-list").replaceChildren(...items);
  byId("provenance").hidden = !items.length;
}

// -- the article reader ------------------------------------------------------------

/** Where the timeline's sentence is in the article: its offsets, or a text search. */
function findSentence(article, text) {
  const body = article.article.text;
  const exact = article.sentences.find((s) => s.text === text)
    || article.sentences.find((s) => s.text.trim() === text.trim());
  if (exact && body.slice(exact.start, exact.end) === exact.text) return [exact.start, exact.end];
  const at = body.indexOf(text);
  return at >= 0 ? [at, at + text.length] : null;
}

async function openArticle(sentence) {
  const ticket = ++opened;
  byId("reader-title").textContent = sentence.title || "Untitled";
  byId("reader-meta").textContent = "Loading the article…";
  byId("reader-body").replaceChildren();
  byId("reader-note").hidden = true;
  byId("reader-original").hidden = true;
  if (!reader.open) reader.showModal();
  try {
    const response = await fetch(`/api/articles/${encodeURIComponent(sentence.article_id)}`);
    if (!response.ok) throw new Error(await errorText(response));
    const article = await response.json();
    if (ticket === opened) showArticle(article, sentence.text);
  } catch (error) {
    if (ticket !== opened) return;
    byId("reader-meta").textContent = "";
    byId("reader-note").textContent = `Could not load the article: ${error.message}`;
    byId("reader-note").hidden = false;
  }
}

function showArticle(annotated, text) {
  const article = annotated.article;
  byId("reader-title").textContent = article.title || "Untitled";
  byId("reader-meta").textContent = [article.source || "Unknown outlet",
    article.published ? shortDate(article.published) : "undated"].join(" · ");
  const link = byId("reader-original");
  const url = safeUrl(article.url);
  link.hidden = !url;
  if (url) link.href = url;
  const body = byId("reader-body");
  if (!text) {   // opened as a whole (from the provenance list), not for a quote
    body.replaceChildren(article.text);
    body.scrollTop = 0;
    return;
  }
  const range = findSentence(annotated, text);
  if (!range) {
    body.replaceChildren(article.text);
    byId("reader-note").textContent = "The quoted sentence was not found in this version of the article.";
    byId("reader-note").hidden = false;
    return;
  }
  const [start, end] = range;
  const mark = el("mark", "quoted", article.text.slice(start, end));
  body.replaceChildren(article.text.slice(0, start), mark, article.text.slice(end));
  // Just below the sticky header, with a line or two of what came before.
  const header = reader.querySelector(".reader-head");
  mark.style.scrollMarginTop = `${header.offsetHeight + 48}px`;
  requestAnimationFrame(() => mark.scrollIntoView({ block: "start" }));
}

// -- filters -----------------------------------------------------------------------

async function loadEntities(selected) {
  const select = form.elements.entity;
  try {
    const response = await fetch("/api/entities?limit=100");
    if (!response.ok) return;
    const { entities } = await response.json();
    const seen = new Set();
    for (const entity of entities) {
      if (seen.has(entity.text)) continue;   // one text, several labels: one option
      seen.add(entity.text);
      select.append(new Option(`${entity.text} (${entity.articles})`, entity.text));
    }
    if (selected && !seen.has(selected)) select.append(new Option(selected, selected));
    select.value = selected || "";
  } catch {
    // the filter stays at "all"; the timeline still works
  }
}

async function loadSummary() {
  try {
    const response = await fetch("/api/articles");
    if (!response.ok) return;
    const { total } = await response.json();
    byId("summary").textContent = `${total.toLocaleString("en")} articles in this store`;
  } catch {
    // cosmetic only
  }
}

function start() {
  const initial = new URLSearchParams(location.search);
  for (const name of FIELDS) {
    if (initial.has(name)) form.elements[name].value = initial.get(name);
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    loadTimeline();
  });
  form.addEventListener("reset", () => setTimeout(loadTimeline));
  byId("all-articles").addEventListener("click", () => {
    form.elements.story.value = "";
    loadTimeline();
  });
  for (const name of ["entity", "start", "end", "dates"]) {
    form.elements[name].addEventListener("change", loadTimeline);
  }
  form.elements.query.addEventListener("search", loadTimeline);   // the clear (×) button
  byId("reader-close").addEventListener("click", () => reader.close());
  reader.addEventListener("click", (event) => {
    if (event.target === reader) reader.close();   // a click on the backdrop
  });
  loadEntities(initial.get("entity"));
  loadSummary();
  // The story list first: the timeline's marks and title need it.
  loadStories().then(loadTimeline);
}

start();
