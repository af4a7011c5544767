// Start the Pagefind UI on the search page and run the query from ?q= if there is one.
// The platforms are indexed in shares (pagefind/<NN>/, listed in pagefind/shares.json): the
// first is the UI's bundle and the others are merged into it, so one search spans them all.
// Result links are made relative to the site root, so search works from a sub-path too.
// Filters start open on wide screens and folded on phones, so that results come first there;
// their values are ordered case-insensitively ("npm" among the n's, not after "Z").
// A result is titled "Platform — Document: heading" (the provision page's title meta), and its
// excerpt is cut from the text after the heading (`excerpt`): the heading is indexed, so that a
// search finds a clause by it, but the title shows it already.
"use strict";

const EXCERPT_WORDS = 30; // Pagefind's own excerpt length

// The UI shows an excerpt as HTML, and Pagefind's `content` is the page's raw text: scraped,
// untrusted, so every word is escaped before it goes in one.
const escapeHtml = (word) => word.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const bare = (word) => word.toLocaleLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
const wordsOf = (text) => text.split(/\s+/).filter(Boolean);

// How many words from `at` say `heading` again, punctuation aside (Pagefind indexed the heading
// "Model training" as "Model training."); 0 if they do not.
function repeats(words, at, heading) {
  if (!heading.length || at + heading.length > words.length) return 0;
  return heading.every((word, i) => bare(word) === bare(words[at + i])) ? heading.length : 0;
}

// How many words open the text with its heading: the heading itself, then the clause's first
// words if they say it again ("2.3.3 **Model Training.** Perplexity shall not …"), whole or its
// own part ("Your rights" of "Privacy › Your rights"). An untitled clause is headed by its first
// words and "…", so its first words stay: they begin its first sentence.
function headingWords(words, heading) {
  const whole = wordsOf(heading);
  const own = wordsOf(heading.split(" \u203a ").pop());
  const first = repeats(words, 0, whole);
  return first && first + (repeats(words, first, whole) || repeats(words, first, own));
}

// The start of the window of `length` words that holds the most weight of matches; of equally
// good windows in a row, the middle one, as Pagefind chooses (a lone match sits mid-excerpt),
// unless the text's first word can start it: a clause read from its beginning reads best.
function densest(scores, total, length) {
  const sums = [0];
  for (let i = 0; i < total; i++) sums.push(sums[i] + (scores.get(i) ?? 0));
  let best = -1;
  let run = [0];
  for (let start = 0; start === 0 || start + length <= total; start++) {
    const sum = sums[Math.min(start + length, total)] - sums[start];
    if (sum > best) [best, run] = [sum, [start]];
    else if (sum === best && run[run.length - 1] === start - 1) run.push(start);
  }
  return run[0] === 0 ? 0 : run[Math.floor(run.length / 2)];
}

// Cut a result's excerpt from the words after its heading, its matches marked. The heading meta
// is dropped, or the UI would list it under the result as "Heading: …". A text split by
// zero-width spaces (Pagefind's for languages written without spaces) keeps Pagefind's excerpt.
function excerpt(result) {
  const { heading, ...meta } = result.meta;
  if (heading === undefined) return result;
  const words = result.content.split(/[\r\n\s]+/g); // as Pagefind counts a match's location
  const skip = result.content.includes("\u200b") ? 0 : headingWords(words, heading);
  if (!skip) return { ...result, meta };
  const scores = new Map();
  for (const { location, balanced_score: score } of result.weighted_locations ?? []) {
    if (location >= skip) scores.set(location - skip, (scores.get(location - skip) ?? 0) + score);
  }
  const text = words.slice(skip);
  const start = densest(scores, text.length, EXCERPT_WORDS);
  const shown = text.slice(start, start + EXCERPT_WORDS).map((word, i) => {
    const safe = escapeHtml(word);
    return scores.has(start + i) ? `<mark>${safe}</mark>` : safe;
  });
  return { ...result, meta, excerpt: shown.join(" ") };
}

window.addEventListener("DOMContentLoaded", async () => {
  const element = document.getElementById("search");
  const root = new URL(element.dataset.root || "./", window.location.href).pathname;
  const bundle = new URL(element.dataset.bundle, window.location.href).pathname;
  const wide = window.matchMedia("(min-width: 48rem)").matches;
  const response = await fetch(bundle + "shares.json");
  const bundles = response.ok ? (await response.json()).bundles : [];
  if (!bundles.length) return;
  const [first, ...rest] = bundles.map((name) => bundle + name);
  const ui = new PagefindUI({
    element: "#search",
    bundlePath: first,
    mergeIndex: rest.map((path) => ({ bundlePath: path, baseUrl: root })),
    baseUrl: root,
    showSubResults: true,
    openFilters: wide ? ["platform", "type", "topic"] : [],
    showImages: false,
    processResult: excerpt,
    resetStyles: false,
  });
  const order = () => {
    for (const group of element.querySelectorAll(".pagefind-ui__filter-group")) {
      const values = [...group.querySelectorAll(".pagefind-ui__filter-value")];
      const label = (value) => (value.querySelector("label") || value).textContent.trim();
      values
        .map((value) => [label(value).toLocaleLowerCase(), value])
        .sort(([a], [b]) => a.localeCompare(b))
        .forEach(([, value], index) => { value.style.order = String(index); });
    }
  };
  new MutationObserver(order).observe(element, { childList: true, subtree: true });
  const query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
