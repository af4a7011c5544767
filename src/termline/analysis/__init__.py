"""The analysis half: the git history of archive/ → versions, provisions, changes, topics.

history (one ``git log``, one ``git cat-file``) → provisions (sections with stable ids) →
changes (what each version changed, word diffs, kinds) → topics; ``catalogue`` names and slugs
platforms and documents. Pure records, no presentation: never imports the site.
"""
