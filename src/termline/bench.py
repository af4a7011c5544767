"""Benchmark: build a synthetic archive the size of the largest public one, and time it.

``python -m termline.bench`` (``make bench``) generates a deterministic archive (~900 documents,
~40,000 versions, 5 to 80 KB each, most versions changing one or two sections, a third flipping back
to an earlier text, some cosmetic-only) with ``git fast-import``, caches it under ``.bench/``, then
times in one run: ``git log -p`` over it, a full build, a rebuild after one more commit (and checks
its output is identical to a full build of the same history), and Pagefind on its own. It prints
one table; ``--archive-repo`` runs the same on any other repository (e.g. a clone of an Open Terms
Archive bundle, with ``--archive .``).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WORDS = [
    "account",
    "content",
    "data",
    "personal",
    "information",
    "service",
    "terms",
    "privacy",
    "user",
    "rights",
    "licence",
    "third",
    "parties",
    "share",
    "retain",
    "delete",
    "process",
    "consent",
    "law",
    "court",
    "arbitration",
    "liability",
    "damages",
    "training",
    "model",
    "artificial",
    "intelligence",
    "location",
    "children",
    "security",
    "cookies",
    "advertising",
    "partners",
    "purpose",
    "legitimate",
    "interest",
    "transfer",
    "country",
    "request",
    "authority",
    "notice",
    "change",
    "subscription",
    "price",
    "renewal",
    "cancel",
    "refund",
    "termination",
    "suspend",
    "access",
    "device",
    "usage",
]
TOPIC_HEADINGS = (
    "Data retention",
    "Use of content for AI training",
    "Sharing with third parties",
    "Arbitration",
    "Termination",
    "Licence to your content",
    "Children",
    "Location data",
    "Law enforcement requests",
    "Governing law",
    "Limitation of liability",
    "Price changes",
)
START = 1_500_000_000  # 2017-07-14, seconds since the epoch
EPOCH_STEP = 3_600 * 5


@dataclass(frozen=True)
class Shape:
    """The size of the synthetic archive."""

    documents: int = 900
    versions: int = 40_000
    seed: int = 20261129


def paragraph(rng: random.Random, words: int) -> str:
    """Return a deterministic pseudo-legal paragraph."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def initial_sections(rng: random.Random) -> list[tuple[str, str]]:
    """Return the sections of a new document of 5 to 80 KB."""
    target = rng.randint(5_000, 80_000)
    sections: list[tuple[str, str]] = []
    size = 0
    while size < target:
        base = rng.choice(TOPIC_HEADINGS) if rng.random() < 0.3 else paragraph(rng, 4)[:-1]
        heading = f"{len(sections) + 1}. {base}"
        body = "\n\n".join(paragraph(rng, rng.randint(30, 120)) for _ in range(rng.randint(1, 4)))
        sections.append((heading, body))
        size += len(heading) + len(body)
    return sections


def render(sections: list[tuple[str, str]]) -> bytes:
    """Return a document's Markdown."""
    return ("\n\n".join(f"## {h}\n\n{b}" for h, b in sections) + "\n").encode()


def mutate(rng: random.Random, sections: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the sections with one or two of them edited, one added, or one removed."""
    sections = list(sections)
    roll = rng.random()
    if roll < 0.08 and len(sections) > 3:
        del sections[rng.randrange(len(sections))]
    elif roll < 0.16:
        heading = f"{len(sections) + 1}. {rng.choice(TOPIC_HEADINGS)}"
        sections.insert(rng.randrange(len(sections) + 1), (heading, paragraph(rng, 60)))
    else:
        for _ in range(rng.randint(1, 2)):
            index = rng.randrange(len(sections))
            heading, body = sections[index]
            words = body.split(" ")
            start = rng.randrange(len(words))
            words[start : start + rng.randint(1, 6)] = paragraph(rng, rng.randint(1, 12))[
                :-1
            ].split()
            sections[index] = (heading, " ".join(words))
    return sections


def fast_import_stream(shape: Shape) -> Iterator[bytes]:
    """Yield a ``git fast-import`` stream of the synthetic history."""
    rng = random.Random(shape.seed)
    texts: dict[int, list[bytes]] = {}
    states: dict[int, list[tuple[str, str]]] = {}
    for step in range(shape.versions):
        document = step if step < shape.documents else rng.randrange(shape.documents)
        content, kind = _next_content(rng, document, texts, states)
        path = f"archive/platform-{document % 150:03d}/document-{document:04d}.md"
        moment = START + step * EPOCH_STEP // max(1, shape.versions // 40_000)
        message = f"{kind} platform-{document % 150:03d} document-{document:04d}\n".encode()
        yield b"commit refs/heads/main\n"
        yield f"committer bench <bench@termline.invalid> {moment} +0000\n".encode()
        yield b"data %d\n%s\n" % (len(message), message)
        yield b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(content), content)


def _next_content(
    rng: random.Random,
    document: int,
    texts: dict[int, list[bytes]],
    states: dict[int, list[tuple[str, str]]],
) -> tuple[bytes, str]:
    history = texts.setdefault(document, [])
    roll = rng.random()
    if not history:
        states[document] = initial_sections(rng)
        kind, content = "Start tracking", render(states[document])
    elif roll < 0.33 and len(history) >= 2:
        kind, content = "Update", history[-2]  # a page served in two variants flips back
    elif roll < 0.40:
        kind, content = "Update", history[-1].replace(b". ", b".  ", 3)  # cosmetic only
    else:
        states[document] = mutate(rng, states[document])
        kind, content = "Update", render(states[document])
    history.append(content)
    del history[:-3]
    return content, kind


def make_archive(folder: Path, shape: Shape) -> Path:
    """Create the synthetic repository once; reuse it when it already exists."""
    marker = folder / f".complete-{shape.documents}-{shape.versions}-{shape.seed}"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=folder, stdin=subprocess.PIPE
    )
    assert importer.stdin is not None
    for chunk in fast_import_stream(shape):
        importer.stdin.write(chunk)
    importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=folder, check=True)
    marker.touch()
    return folder


def add_one_commit(repo: Path, archive: str) -> None:
    """Change one section of one document; commit it an hour after the newest, as a scrape would."""
    documents = sorted(p for p in (repo / archive).rglob("*.md") if ".git" not in p.parts)
    target = documents[len(documents) // 2]
    text = target.read_text()
    target.write_text(text.replace(".", ". Amended in the benchmark.", 1))
    dates = subprocess.run(
        ["git", "log", "--format=%at"], cwd=repo, capture_output=True, text=True, check=True
    )
    env_date = f"@{max(map(int, dates.stdout.split())) + 3600} +0000"
    subprocess.run(["git", "add", "--", str(target.relative_to(repo))], cwd=repo, check=True)
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@termline.invalid",
            "commit",
            "-q",
            "-m",
            "Update one document",
            "--date",
            env_date,
        ],
        cwd=repo,
        check=True,
        env={"GIT_COMMITTER_DATE": env_date, "PATH": "/usr/bin:/bin"},
    )


def timed(command: list[str], cwd: Path | None = None) -> float:
    """Run a command, discarding its output, and return its wall-clock seconds."""
    return measured(command, cwd).seconds


@dataclass(frozen=True)
class Run:
    """What running a command took: wall-clock seconds and peak memory."""

    seconds: float
    peak_kib: int  # the largest single process's RSS, sampled
    tree_rss_kib: int  # the process tree's largest sum of RSS, sampled (shared pages counted twice)
    tree_pss_kib: int  # the process tree's largest sum of PSS, sampled (shared pages split)


def measured(command: list[str], cwd: Path | None = None) -> Run:
    """Run a command, discarding its output; return its time and peak memory, its tree's too."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    peak = (0, 0, 0)
    while process.poll() is None:
        peak = tuple(map(max, peak, tree_memory(process.pid)))  # type: ignore[assignment]
        time.sleep(SAMPLE_SECONDS)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return Run(time.perf_counter() - start, *peak)


SAMPLE_SECONDS = 1.0  # reading a big process's smaps_rollup costs milliseconds


def tree_memory(root: int) -> tuple[int, int, int]:
    """Return the largest RSS, the summed RSS and the summed PSS (KiB) of a process tree."""
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            children.setdefault(parent, []).append(int(name))
    pids, largest, rss, pss = [root], 0, 0, 0
    while pids:
        pid = pids.pop()
        pids += children.get(pid, [])
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        own = {k: int(v.split()[0]) for k, _, v in (x.partition(":") for x in lines[1:])}
        largest = max(largest, own.get("Rss", 0))
        rss, pss = rss + own.get("Rss", 0), pss + own.get("Pss", 0)
    return largest, rss, pss


def build_command(
    repo: Path, archive: str, out: Path, cache: Path | None, *, search: bool = False
) -> list[str]:
    """Return the build command the benchmark times (no search unless asked), cached or not."""
    caching = ["--cache", str(cache)] if cache else ["--no-cache"]
    return [
        sys.executable,
        "-m",
        "termline.cli",
        "build",
        "--repo",
        str(repo),
        "--archive",
        archive,
        "--out",
        str(out),
        *([] if search else ["--no-search"]),
        *caching,
    ]


def same_tree(left: Path, right: Path) -> bool:
    """Tell whether two folders hold the same files with the same bytes."""
    comparison = filecmp.dircmp(left, right)
    if comparison.left_only or comparison.right_only or comparison.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(left, right, comparison.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_tree(left / d, right / d) for d in comparison.common_dirs)


# The whole search index of a site, timed apart from the build.
INDEX = "import sys, pathlib; from termline.site import search; search.index_site(pathlib.Path(sys.argv[1]))"  # noqa: E501


def run(repo: Path, archive: str, work: Path) -> dict[str, str]:
    """Time git log -p, a full build, a one-commit rebuild, the search index; return the row."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    git_seconds = timed(["git", "log", "-p", "--no-color", "--", archive], cwd=repo)
    site = work / "site"
    cache = work / "cache"
    copy = work / "copy"  # built and then given one commit, as the scheduled workflow's checkout
    subprocess.run(["git", "clone", "-q", str(repo), str(copy)], check=True)
    first = measured(build_command(copy, archive, site, cache))
    full = first.seconds
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = sum(1 for p in files if p.suffix == ".html")
    site_bytes = sum(p.stat().st_size for p in files)
    cached = [p for p in cache.rglob("*") if p.is_file()]
    cache_bytes = sum(p.stat().st_size for p in cached)
    add_one_commit(copy, archive)
    os.sync()  # the full build's gigabyte is still being written out: not the rebuild's time
    rebuild = timed(build_command(copy, archive, site, cache))
    fresh = work / "fresh"
    timed(build_command(copy, archive, fresh, None))
    identical = same_tree(site, fresh)
    pagefind = timed([sys.executable, "-c", INDEX, str(site)])
    add_one_commit(copy, archive)
    os.sync()
    searched = timed(build_command(copy, archive, site, cache, search=True))
    published = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())  # with the index
    versions = subprocess.run(
        ["git", "rev-list", "--count", "HEAD", "--", archive],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return {
        "versions": versions,
        "pages": str(pages),
        "files": str(len(files)),
        "site MB": f"{site_bytes / 1e6:.0f}",
        "full s": f"{full:.1f}",
        "rebuild s": f"{rebuild:.2f}",
        "git log -p s": f"{git_seconds:.1f}",
        "ratio": f"{full / git_seconds:.1f}",
        "rebuild %": f"{100 * rebuild / full:.1f}",
        "identical": str(identical),
        "peak RSS MB": f"{first.peak_kib / 1024:.0f}",
        "tree RSS MB": f"{first.tree_rss_kib / 1024:.0f}",
        "tree PSS MB": f"{first.tree_pss_kib / 1024:.0f}",
        "cache MB": f"{cache_bytes / 1e6:.0f}",
        "cache files": str(len(cached)),
        "pagefind s": f"{pagefind:.1f}",
        "rebuild+search s": f"{searched:.2f}",
        "site+search MB": f"{published / 1e6:.0f}",
    }


def table(rows: dict[str, dict[str, str]]) -> str:
    """Return the results as a Markdown table."""
    columns = ["archive", *next(iter(rows.values()))]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join([name, *row.values()]) + " |" for name, row in rows.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(prog="python -m termline.bench")
    parser.add_argument("--documents", type=int, default=Shape.documents)
    parser.add_argument("--versions", type=int, default=Shape.versions)
    parser.add_argument("--work", type=Path, default=Path(".bench"))
    parser.add_argument(
        "--archive-repo",
        type=Path,
        action="append",
        default=[],
        help="also benchmark this repository (its documents at the root)",
    )
    parser.add_argument("--archive", default=".", help="archive folder in --archive-repo")
    parser.add_argument("--no-synthetic", action="store_true", help="only the --archive-repo rows")
    args = parser.parse_args(argv)
    args.work = args.work.resolve()
    shape = Shape(args.documents, args.versions)
    rows = {}
    if not args.no_synthetic:
        synthetic = make_archive(args.work / f"synthetic-{shape.documents}-{shape.versions}", shape)
        name = f"synthetic {shape.documents}x{shape.versions}"
        rows[name] = run(synthetic, "archive", args.work / "run")
    for other in args.archive_repo:
        if rows:
            print(table(rows), file=sys.stderr, flush=True)  # so far, should a later run fail
        rows[other.name] = run(other.resolve(), args.archive, args.work / f"run-{other.name}")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
