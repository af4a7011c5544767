"""termline: every version of the rules platforms impose, kept in git and published as a site."""

__version__ = "0.1.0"
