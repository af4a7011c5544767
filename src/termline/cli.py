"""The ``termline`` command: each subcommand parses its options and calls one plain function."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from termline import __version__
from termline.errors import TermlineError

Handler = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print a one-line usage error and exit with status 2."""
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build(args: argparse.Namespace) -> int:
    from termline.build import BuildOptions, build  # noqa: PLC0415 - keep `termline --help` fast

    result = build(
        BuildOptions(
            repo=args.repo,
            archive=args.archive,
            out=args.out,
            base_url=args.base_url,
            search=not args.no_search,
            templates=args.templates,
            sources=args.sources,
            topics=args.topics,
        )
    )
    print(
        f"built {result.documents} documents, {result.versions} versions into {args.out} "
        f"({result.files_changed} files written, {result.files_removed} removed)"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    from termline.serve import serve  # noqa: PLC0415

    serve(args.dir, args.host, args.port)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from termline.demo import run_demo  # noqa: PLC0415

    run_demo(args.dir, serve_port=None if args.no_serve else args.port, host=args.host)
    return 0


def _add_build(commands: argparse._SubParsersAction[Parser]) -> None:
    build = commands.add_parser("build", help="build the site from the archive's git history")
    build.add_argument("--repo", type=Path, default=Path(), help="git repository (default: .)")
    build.add_argument("--archive", default="archive", help="folder of the archive in the repo")
    build.add_argument("--out", type=Path, default=Path("site"), help="output folder")
    build.add_argument("--base-url", help="public URL of the site (for feeds and sitemaps)")
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    build.add_argument("--templates", type=Path, help="use these templates instead of the default")
    build.add_argument("--sources", type=Path, help="sources.toml (default: <repo>/sources.toml)")
    build.add_argument("--topics", type=Path, help="topics.toml (default: <repo>/topics.toml)")
    build.set_defaults(handler=_build)


def _add_serve(commands: argparse._SubParsersAction[Parser]) -> None:
    serve = commands.add_parser("serve", help="serve a built site on 127.0.0.1")
    serve.add_argument("--dir", type=Path, default=Path("site"), help="site folder")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.set_defaults(handler=_serve)


def _add_demo(commands: argparse._SubParsersAction[Parser]) -> None:
    demo = commands.add_parser("demo", help="create a fictional archive, build and serve its site")
    demo.add_argument("--dir", type=Path, default=Path(".demo"), help="where to create it")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on")
    demo.add_argument("--port", type=int, default=8000, help="port to listen on")
    demo.add_argument("--no-serve", action="store_true", help="build only, do not serve")
    demo.set_defaults(handler=_demo)


def parser() -> Parser:
    """Return the command-line parser."""
    top = Parser(prog="termline", description="Track how platforms change their policies.")
    top.add_argument("--version", action="version", version=f"termline {__version__}")
    commands = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    _add_build(commands)
    _add_serve(commands)
    _add_demo(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the termline command line and return its exit status."""
    logging.basicConfig(level=logging.WARNING, format="termline: %(message)s")
    args = parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except TermlineError as error:
        print(f"termline: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
