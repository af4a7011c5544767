// Start the Pagefind UI on the search page and run the query from ?q= if there is one.
window.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("search");
  const ui = new PagefindUI({ element: "#search", bundlePath: element.dataset.bundle, showSubResults: true });
  const query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
