// Compare any two versions of a document: fetch both texts, diff them line by line, then word
// by word inside changed lines (Myers' O(ND) algorithm), and show the result with <ins>/<del>.
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
  p.className = className;
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
  block.className = "changed";
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

function render(oldText, newText, output) {
  const oldLines = oldText.split("\n"), newLines = newText.split("\n");
  const all = runs(myers(oldLines, newLines), oldLines, newLines);
  const totals = { added: 0, removed: 0 };
  output.replaceChildren();
  all.forEach((run, index) => {
    if (run.kind === "equal") output.append(...contextBlocks(run.equal, index === 0, index === all.length - 1));
    else output.append(changedBlock(run, totals));
  });
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

async function compare(form, status, output) {
  const from = form.elements.from, to = form.elements.to;
  const url = new URL(window.location.href);
  url.searchParams.set("from", from.value);
  url.searchParams.set("to", to.value);
  window.history.replaceState(null, "", url);
  if (from.value === to.value) { status.textContent = "These are the same version."; output.hidden = true; return; }
  status.textContent = "Comparing…";
  try {
    const [oldText, newText] = await Promise.all([fetchText(form, from), fetchText(form, to)]);
    const totals = render(oldText, newText, output);
    output.hidden = false;
    status.textContent = `${totals.added} words added, ${totals.removed} removed between ${from.value} and ${to.value}.`;
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
  if (params.get("from") && params.get("to")) compare(form, status, output);
});
