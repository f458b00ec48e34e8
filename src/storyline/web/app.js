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
const FIELDS = ["query", "entity", "start", "end", "dates"];

const byId = (id) => document.getElementById(id);
const form = byId("controls");
const list = byId("timeline");
const statusLine = byId("status");
const reader = byId("reader");

let pending = null;    // the AbortController of the timeline request in flight
let opened = 0;        // which article the reader is showing, so a late answer is dropped

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
  list.replaceChildren(...entries.map(drawEntry));
  const filters = [];
  if (timeline.query) filters.push(`matching “${timeline.query}”`);
  const entity = form.elements.entity.value;
  if (entity) filters.push(`mentioning ${entity}`);
  statusLine.textContent = entries.length
    ? `${plural(entries.length, "date")}${filters.length ? ", from articles " + filters.join(" and ") : ""}`
    : "No dated events were found for these filters.";
}

function drawEntry(entry) {
  const [weekday, ...rest] = heading(entry).split(" ");
  const time = entry.granularity === "day"
    ? el("time", "date-label", el("span", "weekday", weekday), ` ${rest.join(" ")}`)
    : el("time", "date-label", heading(entry));
  time.dateTime = entry.date;
  const support = entry.articles === undefined ? null
    : el("span", "support", plural(entry.articles, "article"));
  const when = el("div", `when granularity-${entry.granularity}`, time, support);
  const sentences = el("ul", "sentences", ...entry.sentences.map(drawSentence));
  return el("li", "entry", when, sentences);
}

function drawSentence(sentence) {
  const chip = el("button", "chip",
    el("span", "chip-outlet", sentence.source || "Unknown outlet"),
    el("span", "chip-title", sentence.title || "Untitled"),
    el("span", "chip-date", shortDate(sentence.published)));
  chip.type = "button";
  chip.title = `Open: ${sentence.title || "untitled"}`;
  chip.addEventListener("click", () => openArticle(sentence));
  return el("li", "sentence", el("p", "sentence-text", sentence.text), chip);
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
  loadTimeline();
}

start();
