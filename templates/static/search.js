// Start the Pagefind UI on the search page and run the query from ?q= if there is one.
// Result links are made relative to the site root, so search works from a sub-path too.
window.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("search");
  const root = new URL(element.dataset.root || "./", window.location.href).pathname;
  const ui = new PagefindUI({
    element: "#search",
    bundlePath: element.dataset.bundle,
    baseUrl: root,
    showSubResults: true,
    openFilters: ["platform", "type", "topic"],
    showImages: false,
    resetStyles: false,
  });
  const query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
