// Start the Pagefind UI on the search page and run the query from ?q= if there is one.
// The platforms are indexed in shares (pagefind/<NN>/, listed in pagefind/shares.json): the
// first is the UI's bundle and the others are merged into it, so one search spans them all.
// Result links are made relative to the site root, so search works from a sub-path too.
// Filters start open on wide screens and folded on phones, so that results come first there;
// their values are ordered case-insensitively ("npm" among the n's, not after "Z").
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
