"""CI helpers of the scheduled scrape: shards to fetch in parallel, one job to collect them.

shards (split sources.toml into a matrix) → collect (commit what the shards fetched) → summary
(the run page's table) → failures (which documents deserve an issue). Built on the scrape half.
"""
