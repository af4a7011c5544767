"""The site half: analysed documents → pages, feeds, data and the search index in site/.

library (each document's analysis cached: summaries for lists, in full for its pages) → pages
(views: what each page spanning the site shows, its key derived) and render (Jinja2) → feeds
(Atom) → data (JSON) → compare (texts for the compare page) → search (Pagefind); ``output``
writes only the files whose bytes changed. Reads the analysis, never the scrape half.
"""
