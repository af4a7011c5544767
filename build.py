"""Build the site: ``python build.py [--repo PATH] [--archive DIR] [--out DIR] ...``.

The same as ``termline build``; see README.md.
"""

import sys

from termline.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
