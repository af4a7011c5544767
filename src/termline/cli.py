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


def _scrape(args: argparse.Namespace) -> int:
    from termline.fetch import FetchOptions  # noqa: PLC0415
    from termline.scrape import ScrapeOptions, scrape  # noqa: PLC0415

    report = scrape(
        ScrapeOptions(
            sources=args.sources,
            repo=args.repo,
            archive=args.archive,
            only=tuple(args.only),
            fetch=FetchOptions(
                timeout=args.timeout,
                retries=args.retries,
                concurrency=args.concurrency,
                max_bytes=args.max_bytes,
            ),
            report=args.report,
            dry_run=args.dry_run,
            force=args.force,
            results=args.results,
        )
    )
    print(report.table())
    return report.exit_status


def _number(kind: Callable[[str], float], minimum: float) -> Callable[[str], float]:
    """Return an argument type that accepts numbers of a kind no smaller than minimum."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a valid number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"'{text}' is less than {minimum:g}")
        return value

    return parse


def _add_scrape(commands: argparse._SubParsersAction[Parser]) -> None:
    scrape = commands.add_parser("scrape", help="fetch the declared policies and record changes")
    scrape.add_argument("--sources", type=Path, default=Path("sources.toml"), help="declarations")
    scrape.add_argument("--repo", type=Path, default=Path(), help="git repository (default: .)")
    scrape.add_argument("--archive", default="archive", help="folder of the archive in the repo")
    scrape.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PLATFORM[/DOCUMENT]",
        help="scrape only these (repeatable)",
    )
    scrape.add_argument("--timeout", type=_number(float, 0.001), default=30.0, help="s per try")
    scrape.add_argument("--retries", type=_number(int, 0), default=2, help="tries after the first")
    scrape.add_argument("--concurrency", type=_number(int, 1), default=8, help="requests at once")
    scrape.add_argument(
        "--max-bytes", type=_number(int, 1), default=10_000_000, help="largest page accepted"
    )
    scrape.add_argument("--report", type=Path, help="write the report as JSON to this file")
    scrape.add_argument("--dry-run", action="store_true", help="fetch and check, write nothing")
    scrape.add_argument("--force", action="store_true", help="accept texts that shrank by half")
    scrape.add_argument("--results", type=Path, help="write results here instead of committing")
    scrape.set_defaults(handler=_scrape)


def _add_build(commands: argparse._SubParsersAction[Parser]) -> None:
    build = commands.add_parser("build", help="build the site from the archive's git history")
    build.add_argument("--repo", type=Path, default=Path(), help="git repository (default: .)")
    build.add_argument("--archive", default="archive", help="folder of the archive in the repo")
    build.add_argument("--out", type=Path, default=Path("site"), help="output folder")
    build.add_argument("--base-url", help="public URL of the site (for feeds and sitemaps)")
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind index")
    build.add_argument("--templates", type=Path, help="use these templates instead of the default")
    build.add_argument("--sources", type=Path, help="sources.toml (default: <repo>/sources.toml)")
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
    _add_scrape(commands)
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
