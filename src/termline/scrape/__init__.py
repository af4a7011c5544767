"""The scrape half: declared pages → Markdown → one commit per changed document in archive/.

fetch (httpx) → extract (selector or trafilatura → Markdown) → normalise → validate → record;
``run`` drives one scrape, ``results`` and ``reports`` carry what it did to CI. Imports nothing
of the analysis or the site.
"""
