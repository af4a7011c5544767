// Compare any two versions of a document: fetch both texts, split them into provisions at their
// headings and pair the provisions by id (their heading's slug), then diff each pair line by line
// and word by word inside changed lines (Myers' O(ND) algorithm), and show the result with
// <ins>/<del>, as the policy reads: headings as headings, Markdown markup left out.
// Nodes are built with textContent, never innerHTML: the scraped text is untrusted.
"use strict";

const CONTEXT = 2;

// Return the edit script of a into b as a list of ["=", i, j], ["-", i] and ["+", j].
function myers(a, b) {
  const n = a.length, m = b.length, offset = n + m + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace = [];
  for (let d = 0; d <= n + m; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1])
        ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m);
    }
  }
  return [];
}

function backtrack(trace, n, m) {
  const ops = [];
  let x = n, y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const v = trace[d], at = (k) => v[k + d + 1], k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK), prevY = prevX - prevK;
    while (x > prevX && y > prevY) { x--; y--; ops.push(["=", x, y]); }
    if (d > 0) ops.push(x === prevX ? ["+", y - 1] : ["-", x - 1]);
    x = prevX; y = prevY;
  }
  return ops.reverse();
}

// Group an edit script of lines into runs: {equal: [lines]} or {old: [lines], new: [lines]}.
function runs(ops, oldLines, newLines) {
  const result = [];
  for (const [op, i, j] of ops) {
    const kind = op === "=" ? "equal" : "change";
    let last = result[result.length - 1];
    if (!last || last.kind !== kind) { last = { kind, equal: [], old: [], new: [] }; result.push(last); }
    if (op === "=") last.equal.push(newLines[j]);
    else if (op === "-") last.old.push(oldLines[i]);
    else last.new.push(newLines[i]);
  }
  return result;
}

function words(lines) { return lines.join(" ").split(/\s+/).filter(Boolean); }

// Append a word edit script to a paragraph: equal words as text, others in <del>/<ins>.
function appendWords(ops, oldWords, newWords, paragraph) {
  let current = null, tag = null;
  for (const [op, i, j] of ops) {
    const name = op === "=" ? "span" : op === "-" ? "del" : "ins";
    const word = op === "-" ? oldWords[i] : op === "+" ? newWords[i] : newWords[j];
    if (name !== tag) {
      if (current) paragraph.append(current, " ");
      current = document.createElement(name);
      tag = name;
    } else current.append(" ");
    current.append(word);
  }
  if (current) paragraph.append(current);
}

function paragraph(className, text) {
  const p = document.createElement("p");
  p.className = codeLines.has(text) ? `${className} code` : className;
  if (text !== undefined) p.textContent = text;
  return p;
}

function contextBlocks(lines, first, last) {
  const head = first ? [] : lines.slice(0, CONTEXT);
  const tail = last ? [] : lines.slice(head.length).slice(-CONTEXT);
  const skipped = lines.length - head.length - tail.length;
  if (skipped <= 1) return lines.map((line) => paragraph("context", line));
  const note = `… ${skipped} unchanged line${skipped === 1 ? "" : "s"} …`;
  return [...head.map((l) => paragraph("context", l)), paragraph("skip", note),
          ...tail.map((l) => paragraph("context", l))];
}

function changedBlock(run, totals) {
  const block = document.createElement("div");
  block.className = [...run.old, ...run.new].every((line) => codeLines.has(line)) ? "changed code" : "changed";
  const oldWords = words(run.old), newWords = words(run.new);
  const ops = myers(oldWords, newWords);
  for (const side of ["old", "new"]) {
    const p = paragraph(side);
    appendWords(ops, oldWords, newWords, p);
    block.append(p);
  }
  totals.added += ops.filter(([op]) => op === "+").length;
  totals.removed += ops.filter(([op]) => op === "-").length;
  return block;
}

// Return a line of Markdown as its reader sees it: links as their text, no emphasis markers,
// escapes or list and quote markers; "" for a line that only draws (rules, table separators, fences).
function plain(line) {
  if (/^\s*(?:([-*_=])(?:\s*\1){2,}|`{3,}.*|~{3,}.*|\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*)$/.test(line)) return "";
  return line
    .replace(/!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+"[^"]*")?\)/g, "$1")
    .replace(/<(https?:[^>\s]+|mailto:[^>\s]+)>/g, "$1")
    .replace(/<\/?[a-zA-Z][^>]*>/g, " ")
    .replace(/\*\*|__/g, "")
    .replace(/(^|[\s(])[*_](?=\S)|(?<=[^\s\\])[*_](?=[\s).,;:!?]|$)/g, "$1")
    .replace(/^(\s*>)+\s?/, "")
    .replace(/^(\s*)[*+-]\s+/, "$1• ")
    .replace(/(^|\|\s*)#{1,6}\s+/g, "$1")
    .replace(/\\([!-\/:-@\[-`{-~])/g, "$1")
    .replace(/\*\*/g, "")
    .trim();
}

// A heading's number, left out of its key as the analysis leaves it out of a provision's id, so
// that "11. Residents of Canada" and "### Residents of Canada" are the same provision.
const KEYWORDED = /^(?:section|article|clause|part|chapter|schedule|annex|appendix|exhibit)\s+(?:\d{1,3}(?:\.\d{1,3})*|[ivxlc]{1,6}|[a-z])\.?(?:\s*[-\u2013\u2014:.])?\s+(?=\S)/i;
const NUMBERED = /^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.|[A-Z]\.|\([a-z0-9]{1,4}\))\s+(?=\S)|^\d{1,3}(?:\.\d{1,3})*\.(?=[A-Za-z])/;

function unnumbered(heading) {
  return KEYWORDED.test(heading) ? heading.replace(KEYWORDED, "") : heading.replace(NUMBERED, "");
}

function slug(text) {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "");
}

// Return a text's provisions in order: {key, heading, level, lines}, the part before the first
// heading with key "" and no heading; keys of repeated headings get "-2", "-3"…
const codeLines = new Set();  // lines that are code (a whole line in backticks): shown as they are

function provisions(text) {
  const raw = text.split("\n"), found = [], seen = new Map();
  let current = { key: "", heading: null, level: 0, lines: [] };
  const open = (heading, level) => {
    found.push(current);
    const base = slug(unnumbered(heading)) || slug(heading) || "section";
    const count = (seen.get(base) || 0) + 1;
    seen.set(base, count);
    current = { key: count === 1 ? base : `${base}-${count}`, heading, level, lines: [] };
  };
  for (let i = 0; i < raw.length; i++) {
    const atx = raw[i].match(/^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/);
    const setext = raw[i].trim() && i + 1 < raw.length && /^\s{0,3}(=+|-+)\s*$/.test(raw[i + 1])
      && !/^\s*([*+-]|\d+[.)])\s/.test(raw[i]);  // a list item, unless its dot is escaped
    if (atx) open(plain(atx[2]), atx[1].length);
    else if (setext) { open(plain(raw[i]), raw[i + 1].trim()[0] === "=" ? 1 : 2); i++; }
    else if (/^\s*`[^`]+`\s*$/.test(raw[i])) {
      const code = raw[i].trim().slice(1, -1);
      codeLines.add(code);
      current.lines.push(code);
    } else { const line = plain(raw[i]); if (line) current.lines.push(line); }
  }
  found.push(current);
  return found.filter((p) => p.heading !== null || p.lines.length);
}

function heading(provision, tag) {
  const h = document.createElement(provision.level <= 2 ? "h3" : "h4");
  h.className = "heading";
  if (tag) { const mark = document.createElement(tag); mark.textContent = provision.heading; h.append(mark); }
  else h.textContent = provision.heading;
  return h;
}

// Append the diff of one provision's lines to the output: context, skips and changed blocks.
function appendLines(oldLines, newLines, output, totals) {
  const all = runs(myers(oldLines, newLines), oldLines, newLines);
  all.forEach((run, index) => {
    if (run.kind === "equal") output.append(...contextBlocks(run.equal, index === 0, index === all.length - 1));
    else appendChanged(run, output, totals);
  });
}

// Append a changed run, its code lines (ASCII art, commands) apart from its prose.
function appendChanged(run, output, totals) {
  const code = (line) => codeLines.has(line), prose = (line) => !codeLines.has(line);
  for (const keep of [prose, code]) {
    const part = { old: run.old.filter(keep), new: run.new.filter(keep) };
    if (part.old.length || part.new.length) output.append(changedBlock(part, totals));
  }
}

function render(oldText, newText, output) {
  const olds = provisions(oldText), news = provisions(newText);
  const byKey = new Map(olds.map((p, index) => [p.key, index]));
  const paired = new Set(news.map((p) => byKey.get(p.key)).filter((i) => i !== undefined));
  const totals = { added: 0, removed: 0, unchanged: 0 };
  let next = 0, quiet = 0;
  output.replaceChildren();
  const flush = () => {
    if (quiet) output.append(paragraph("skip", `… ${quiet} unchanged provision${quiet === 1 ? "" : "s"} …`));
    quiet = 0;
  };
  const removed = (until) => {
    for (; next < until; next++) {
      if (paired.has(next)) continue;
      flush();
      if (olds[next].heading !== null) output.append(heading(olds[next], "del"));
      appendChanged({ old: olds[next].lines, new: [] }, output, totals);
    }
  };
  for (const provision of news) {
    // A heading no old provision has takes the place of the old one at the same point that no
    // new provision claims: a title or a "Last updated: …" heading reworded, not all it holds.
    let index = byKey.get(provision.key);
    if (index === undefined && next < olds.length && !paired.has(next)) index = next;
    if (index === undefined) {
      flush();
      if (provision.heading !== null) output.append(heading(provision, "ins"));
      appendChanged({ old: [], new: provision.lines }, output, totals);
      continue;
    }
    removed(index);
    next = Math.max(next, index + 1);
    const old = olds[index];
    const same = old.heading === provision.heading;
    if (same && old.lines.join("\n") === provision.lines.join("\n")) { quiet++; totals.unchanged++; continue; }
    flush();
    if (!same && old.heading !== null) output.append(heading(old, "del"));
    if (provision.heading !== null) output.append(heading(provision, same ? null : "ins"));
    appendLines(old.lines, provision.lines, output, totals);
  }
  removed(olds.length);
  flush();
  return totals;
}

// The document's texts: one gzipped JSON file, {lines: [...], texts: {blob: [start, count, ...]}},
// each distinct line stored once; fetched on the first comparison only.
let texts = null;

async function fetchTexts(form) {
  const url = new URL(form.dataset.texts, window.location.href);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${response.status} for ${url.pathname}`);
  const json = await new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).text();
  return JSON.parse(json);
}

async function fetchText(form, select) {
  if (!texts) texts = fetchTexts(form).catch((error) => { texts = null; throw error; });
  const { lines, texts: runs } = await texts;
  const found = runs[select.selectedOptions[0].dataset.text];
  if (!found) throw new Error(`no text for ${select.value}`);
  const rebuilt = [];
  for (let i = 0; i < found.length; i += 2) {
    for (let j = found[i]; j < found[i] + found[i + 1]; j++) rebuilt.push(lines[j]);
  }
  return rebuilt.join("\n");
}

function label(select) { return select.selectedOptions[0].textContent.split(" · ")[0]; }

// Compare the two chosen versions; ``remember`` puts them in the page's address.
async function compare(form, status, output, remember = true) {
  const from = form.elements.from, to = form.elements.to;
  let note = "";
  if (from.selectedIndex < to.selectedIndex) {  // options run newest first: "from" is the newer one
    const newer = from.value;
    from.value = to.value;
    to.value = newer;
    note = `The older version you chose (${label(to)}) is newer than the other one (${label(from)}): they were swapped. `;
  }
  if (remember) {
    const url = new URL(window.location.href);
    url.searchParams.set("from", from.value);
    url.searchParams.set("to", to.value);
    window.history.replaceState(null, "", url);
  }
  if (from.value === to.value) {
    status.textContent = `Both sides are the version of ${label(from)}: choose two different versions to compare.`;
    output.hidden = true;
    return;
  }
  status.textContent = "Comparing…";
  try {
    const [oldText, newText] = await Promise.all([fetchText(form, from), fetchText(form, to)]);
    const totals = render(oldText, newText, output);
    output.hidden = false;
    const what = totals.added || totals.removed
      ? `${totals.added} word${totals.added === 1 ? "" : "s"} added, ${totals.removed} removed`
      : "No words changed (only markup, link targets or spacing)";
    status.textContent = `${note}${what} between ${label(from)} and ${label(to)}.`;
  } catch (error) {
    status.textContent = `Could not load the texts (${error.message}); comparing needs the site served over HTTP.`;
  }
}

window.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compare");
  const status = document.getElementById("compare-status");
  const output = document.getElementById("comparison");
  const params = new URLSearchParams(window.location.search);
  const from = form.elements.from, to = form.elements.to;
  for (const [select, value] of [[from, params.get("from")], [to, params.get("to")]]) {
    if (value && [...select.options].some((o) => o.value === value)) select.value = value;
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); compare(form, status, output); });
  // Without a choice in the address, show the latest change that is news (else the newest one).
  if (params.get("from") && params.get("to")) compare(form, status, output);
  else if (from.options.length > 1) {
    const news = [...to.options].findIndex((o, i) => o.dataset.news !== undefined && i + 1 < to.options.length);
    if (news > 0) { to.selectedIndex = news; from.selectedIndex = news + 1; }
    compare(form, status, output, false);
  }
});
