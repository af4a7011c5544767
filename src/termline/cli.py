"""The ``termline`` command: each subcommand parses its options and calls one plain function."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from termline import __version__
from termline.errors import TermlineError
from termline.slugs import is_slug

if TYPE_CHECKING:
    import git

    from termline.analysis.notes import Archive

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
            cache=None if args.no_cache else args.cache,
            jobs=args.jobs,
            notes=args.notes,
        )
    )
    print(
        f"built {result.documents} documents, {result.versions} versions into {args.out} "
        f"({result.pages_rendered} pages rendered, {result.files_changed} files written, "
        f"{result.files_removed} removed)"
    )
    print(result.report())
    return 0


def _serve(args: argparse.Namespace) -> int:
    from termline.serve import serve  # noqa: PLC0415

    serve(args.dir, args.host, args.port)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from termline.demo import run_demo  # noqa: PLC0415

    run_demo(args.dir, serve_port=None if args.no_serve else args.port, host=args.host)
    return 0


def _plan_shards(args: argparse.Namespace) -> int:
    import json  # noqa: PLC0415

    from termline.ci.shards import matrix, plan_shards  # noqa: PLC0415
    from termline.sources import load_config  # noqa: PLC0415

    if not args.sources.is_file():
        raise TermlineError(f"{args.sources}: no such file")
    sources = load_config(args.sources).sources
    print(json.dumps(matrix(plan_shards(sources, args.max_documents, args.only))))
    return 0


def _record_results(args: argparse.Namespace) -> int:
    from termline.ci.collect import record_results  # noqa: PLC0415
    from termline.scrape.reports import write_report  # noqa: PLC0415

    entries = record_results(args.repo, args.archive, args.folders, _author(args.sources))
    if args.report:
        write_report(args.report, entries)
    committed = sum(entry.commit is not None for entry in entries)
    print(f"recorded {committed} commits from {len(entries)} results")
    return 0


def _author(sources: Path) -> git.Actor | None:
    """Return the commit author configured in sources.toml, if any."""
    import git  # noqa: PLC0415

    from termline.sources import load_config  # noqa: PLC0415

    author = load_config(sources).author if sources.is_file() else None
    return git.Actor(*author) if author else None


def _summarise(args: argparse.Namespace) -> int:
    from termline.ci.summary import summary_markdown  # noqa: PLC0415
    from termline.scrape.reports import read_reports  # noqa: PLC0415

    print(summary_markdown(read_reports(args.reports), args.commit_url), end="")
    return 0


def _track_failures(args: argparse.Namespace) -> int:
    from termline.ci.failures import actions_json, load_state, save_state, track  # noqa: PLC0415
    from termline.scrape.reports import read_reports  # noqa: PLC0415

    state, actions = track(
        load_state(args.state), read_reports(args.reports), args.threshold, args.run_url
    )
    save_state(args.state, state)
    print(actions_json(actions))
    return 0


def _scrape(args: argparse.Namespace) -> int:
    from termline.scrape.fetch import FetchOptions  # noqa: PLC0415
    from termline.scrape.run import ScrapeOptions, scrape  # noqa: PLC0415

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


def _archive(args: argparse.Namespace) -> tuple[Archive, Path]:
    from termline.analysis.notes import Archive  # noqa: PLC0415
    from termline.archive import check_archive  # noqa: PLC0415
    from termline.sources import load_config  # noqa: PLC0415

    config = load_config(args.sources or args.repo / "sources.toml")
    archive = Archive(args.repo, check_archive(args.archive), config)
    return archive, args.notes or args.repo / "notes"


def _notes_new(args: argparse.Namespace) -> int:
    from termline.analysis.notes import new_note  # noqa: PLC0415

    print(new_note(*_archive(args), args.target))
    return 0


def _notes_check(args: argparse.Namespace) -> int:
    from termline.analysis.notes import check_notes  # noqa: PLC0415

    judged = check_notes(*_archive(args))
    problems = [item.problem for item in judged if item.problem]
    for line in problems:
        print(line)
    print(f"{len(judged)} notes, {len(problems) or 'none'} stale or naming no provision")
    return 1 if problems else 0


def _import(args: argparse.Namespace) -> int:
    import json  # noqa: PLC0415

    from termline.scrape.importer import ImportOptions, import_versions  # noqa: PLC0415
    from termline.scrape.record import write_atomically  # noqa: PLC0415

    result = import_versions(
        ImportOptions(
            upstream=args.upstream_repo,
            sources=args.sources,
            repo=args.repo,
            archive=args.archive,
            only=tuple(args.only),
            dry_run=args.dry_run,
            name=args.upstream,
        )
    )
    if args.report:
        write_atomically(args.report, json.dumps(result.as_json(), indent=2) + "\n")
    print(result.table())
    return 0


def _convert_declarations(args: argparse.Namespace) -> int:
    from termline.scrape.declarations import convert, read_declaration, to_toml  # noqa: PLC0415

    platforms = {}
    for pair in args.platform:
        service, sep, slug = pair.rpartition("=")
        if not sep or not service or not is_slug(slug):
            raise TermlineError(f"--platform {pair}: expected SERVICE=platform-slug")
        platforms[service] = slug
    converted = convert([read_declaration(path) for path in args.files], platforms)
    print(to_toml(converted), end="")
    notes = sum(len(doc.not_converted) for doc in converted)
    print(f"converted {len(converted)} documents; {notes} things not converted", file=sys.stderr)
    return 0


def _number(
    kind: Callable[[str], float], minimum: float, maximum: float | None = None
) -> Callable[[str], float]:
    """Return an argument type that accepts numbers of a kind from minimum to maximum."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a valid number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"'{text}' is less than {minimum:g}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"'{text}' is more than {maximum:g}")
        return value

    return parse


PORT = _number(int, 0, 65535)
JOBS = _number(int, 0, 256)


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


def _add_import(commands: argparse._SubParsersAction[Parser]) -> None:
    imp = commands.add_parser(
        "import", help="replay an Open Terms Archive versions repository into the archive"
    )
    imp.add_argument(
        "--from", dest="upstream_repo", type=Path, required=True, metavar="REPO",
        help="a clone of the upstream versions repository",
    )  # fmt: skip
    imp.add_argument("--sources", type=Path, default=Path("sources.toml"), help="declarations")
    imp.add_argument("--repo", type=Path, default=Path(), help="git repository (default: .)")
    imp.add_argument("--archive", default="archive", help="folder of the archive in the repo")
    imp.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="PLATFORM[/DOCUMENT]",
        help="import only these (repeatable)",
    )
    imp.add_argument("--upstream", help="name of the upstream in Imported-From (default: origin)")
    imp.add_argument("--report", type=Path, help="write what was imported as JSON to this file")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported")
    imp.set_defaults(handler=_import)
    conv = commands.add_parser(
        "convert-declarations", help="print sources.toml tables for Open Terms Archive declarations"
    )
    conv.add_argument("files", type=Path, nargs="+", metavar="FILE", help="<Service>.json files")
    conv.add_argument(
        "--platform",
        action="append",
        default=[],
        metavar="SERVICE=SLUG",
        help="put a service under this platform slug (repeatable; default: its name's slug)",
    )
    conv.set_defaults(handler=_convert_declarations)


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
    build.add_argument(
        "--cache", type=Path, default=Path(".termline-cache"), help="build cache folder"
    )
    build.add_argument("--no-cache", action="store_true", help="build everything from scratch")
    build.add_argument("--notes", type=Path, help="notes folder (default: <repo>/notes)")
    build.add_argument(
        "--jobs", type=JOBS, default=0, help="processes to build with (default: one per core)"
    )
    build.set_defaults(handler=_build)


def _add_serve(commands: argparse._SubParsersAction[Parser]) -> None:
    serve = commands.add_parser("serve", help="serve a built site on 127.0.0.1")
    serve.add_argument("--dir", type=Path, default=Path("site"), help="site folder")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=PORT, default=8000, help="port to listen on")
    serve.set_defaults(handler=_serve)


def _add_demo(commands: argparse._SubParsersAction[Parser]) -> None:
    demo = commands.add_parser("demo", help="create a fictional archive, build and serve its site")
    demo.add_argument("--dir", type=Path, default=Path(".demo"), help="where to create it")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on")
    demo.add_argument("--port", type=PORT, default=8000, help="port to listen on")
    demo.add_argument("--no-serve", action="store_true", help="build only, do not serve")
    demo.set_defaults(handler=_demo)


def _add_ci(commands: argparse._SubParsersAction[Parser]) -> None:
    plan = commands.add_parser("plan-shards", help="print the GitHub matrix of scrape shards")
    plan.add_argument("--sources", type=Path, default=Path("sources.toml"), help="sources.toml")
    plan.add_argument("--max-documents", type=int, default=20, help="most documents a shard")
    plan.add_argument("--only", action="append", default=[], help="PLATFORM[/DOCUMENT] only")
    plan.set_defaults(handler=_plan_shards)
    rec = commands.add_parser("record-results", help="commit the results of scrape shards")
    rec.add_argument("folders", type=Path, nargs="+", metavar="DIR", help="results folders")
    rec.add_argument("--repo", type=Path, default=Path(), help="git repository (default: .)")
    rec.add_argument("--archive", default="archive", help="folder of the archive in the repo")
    rec.add_argument("--report", type=Path, help="write what was committed as report JSON")
    rec.add_argument(
        "--sources", type=Path, default=Path("sources.toml"), help="for [site] author, if set"
    )
    rec.set_defaults(handler=_record_results)
    summ = commands.add_parser("summarise", help="print a Markdown summary of scrape reports")
    summ.add_argument("reports", type=Path, nargs="+", metavar="REPORT", help="files or folders")
    summ.add_argument("--commit-url", help="link commits as <URL><sha>")
    summ.set_defaults(handler=_summarise)
    track = commands.add_parser("track-failures", help="decide which failure issues to change")
    track.add_argument("reports", type=Path, nargs="+", metavar="REPORT", help="files or folders")
    track.add_argument("--state", type=Path, required=True, help="failure streaks, kept per run")
    track.add_argument(
        "--threshold", type=_number(int, 1), default=3, help="failed runs in a row for an issue"
    )
    track.add_argument("--run-url", help="link to this run in issue comments")
    track.set_defaults(handler=_track_failures)


def _add_notes(commands: argparse._SubParsersAction[Parser]) -> None:
    notes = commands.add_parser("notes", help="people's notes on provisions: write and check them")
    actions = notes.add_subparsers(dest="action", required=True, parser_class=Parser)
    new = actions.add_parser("new", help="write a note skeleton against the current text")
    new.add_argument("target", metavar="PLATFORM/DOCUMENT/PROVISION", help="what the note is on")
    new.set_defaults(handler=_notes_new)
    check = actions.add_parser("check", help="list notes that are stale or name no provision")
    check.set_defaults(handler=_notes_check)
    for action in (new, check):
        action.add_argument("--repo", type=Path, default=Path(), help="git repository (default: .)")
        action.add_argument("--archive", default="archive", help="archive folder in the repo")
        action.add_argument("--notes", type=Path, help="notes folder (default: <repo>/notes)")
        action.add_argument("--sources", type=Path, help="sources.toml (default: in the repo)")


def parser() -> Parser:
    """Return the command-line parser."""
    top = Parser(prog="termline", description="Track how platforms change their policies.")
    top.add_argument("--version", action="version", version=f"termline {__version__}")
    commands = top.add_subparsers(dest="command", required=True, parser_class=Parser)
    _add_scrape(commands)
    _add_import(commands)
    _add_build(commands)
    _add_serve(commands)
    _add_demo(commands)
    _add_ci(commands)
    _add_notes(commands)
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
