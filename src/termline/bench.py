"""Benchmark: build a synthetic archive the size of the largest public one, and time it.

``python -m termline.bench`` (``make bench``) generates a deterministic archive (900 documents,
40,000 versions, 5 to 80 KB each) with ``git fast-import``, caches it under ``.bench/``, then
times in one run: ``git log -p`` over it, a full build, a rebuild after one more commit (and checks
its output is identical to a full build of the same history), and Pagefind on its own. It prints
one table; ``--archive-repo`` runs the same on any other repository (e.g. a clone of an Open Terms
Archive bundle, with ``--archive .``).

The archive has the shapes of Open Terms Archive's contrib-versions (877 documents, 42,632
commits) that make a real archive heavy: versions per document skewed (at full size two documents
of 2,000+ versions, the median 11); a third of the changes go back to an earlier text, mostly the
one before (a page served in two variants), some several versions back; two documents in three
now and then are served as a whole other text (a cookie wall, or another rendering with every
line changed) and then the exact text again; tables of dozens to hundreds of rows, some cells
holding ``<br><br>``, edited now and then; headings of hundreds of characters (a menu bar run into
one) and of thousands of zero-width characters (a watermark); one commit in a hundred dated before
its parent. Most other versions change one or two sections; some are cosmetic only.
"""

from __future__ import annotations

import argparse
import filecmp
import itertools
import os
import random
import re
import shutil
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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
GENERATOR = 3  # in the cache marker: an archive an older generator made is not reused
HISTORY = 32  # how many of a document's last texts a revert may go back to
BACKDATED = 0.01  # commits dated before their parent (contrib-versions: 389 of 42,632)
MENU = (
    "Home",
    "Products",
    "Solutions",
    "Pricing",
    "Developers",
    "Docs",
    "Blog",
    "Careers",
    "Press",
    "Help Center",
    "Community",
    "Contact us",
    "Sign in",
    "Get started",
    "English (US)",
)
ZERO_WIDTH = "\u200b" * 5 + "\u200c\u200d\ufeff"  # a Stack Exchange watermark, mostly U+200B
TABLE_HEADER = "| Category of personal data | Purpose | Retention |\n| --- | --- | --- |"
WRAP = re.compile(r"(.{1,78})(?: |$)")
NUMBERED = re.compile(r"^(\d+)\. ")  # "3. Fees" as a setext heading would read as a list item


@dataclass(frozen=True)
class Shape:
    """The size of the synthetic archive."""

    documents: int = 900
    versions: int = 40_000
    seed: int = 20261204


@dataclass
class Doc:
    """One document while its history is generated (working state, changed at each version)."""

    sections: list[tuple[str, str]]
    variant: str  # "wall", "reformat" or "": the other whole text the page is sometimes served as
    wall: bytes = b""  # the cookie wall's text, for a "wall" document
    marks: list[int] = field(default_factory=list)  # its last texts' blob marks, oldest first
    texts: dict[int, bytes] = field(default_factory=dict)  # bytes of the last two and of home
    digests: dict[int, int] = field(default_factory=dict)  # checksums of the texts of its marks
    home: int = 0  # while the variant is served, the mark of the text it comes back to


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


def table_row(rng: random.Random) -> str:
    """Return one row of a data table; some cells hold paragraphs and a list, as ``<br><br>``."""
    purpose = paragraph(rng, rng.randint(3, 20))
    if rng.random() < 0.3:
        items = "<br>".join(f"*   {paragraph(rng, rng.randint(2, 6))}" for _ in range(3))
        purpose = f"{purpose}<br><br>{items}"
    return f"| {paragraph(rng, 2)[:-1]} | {purpose} | {rng.randint(1, 36)} months |"


def markdown_table(rng: random.Random, rows: int) -> str:
    """Return a Markdown table of three columns and so many rows."""
    return "\n".join([TABLE_HEADER, *(table_row(rng) for _ in range(rows))])


def menu_heading(rng: random.Random) -> str:
    """Return a heading with a scraped menu bar run into it: hundreds of characters."""
    return " ".join(rng.choice(MENU) for _ in range(rng.randint(40, 120))) + " Terms of Service"


def watermarked_heading(rng: random.Random) -> str:
    """Return a heading carrying thousands of zero-width characters, a watermark."""
    mark = "".join(rng.choice(ZERO_WIDTH) for _ in range(rng.randint(2_000, 5_000)))
    return f"Guidelines for the use of our trademarks{mark}"


def cookie_wall(rng: random.Random) -> bytes:
    """Return the short page a cookie wall serves instead of the policy."""
    lines = ["## We value your privacy", paragraph(rng, 40), paragraph(rng, 25), "Accept all"]
    return ("\n\n".join(lines) + "\n").encode()


def new_document(rng: random.Random, document: int) -> Doc:
    """Return a new document; its number decides its shapes, so that small archives have each."""
    sections = initial_sections(rng)
    if document % 10 == 3:  # contrib-versions: 87 of 877 documents have a table of 10+ rows
        rows = rng.randint(100, 250) if document % 40 == 3 else rng.randint(10, 28)
        heading = f"{len(sections) + 1}. Categories of personal data"
        sections.insert(rng.randrange(1, len(sections) + 1), (heading, markdown_table(rng, rows)))
    if document % 25 == 5:
        sections[0] = (menu_heading(rng), sections[0][1])
    if document % 50 == 7:
        sections[0] = (watermarked_heading(rng), sections[0][1])
    variant = ("", "wall", "reformat", "", "reformat", "wall")[document % 6]
    return Doc(sections, variant, cookie_wall(rng) if variant == "wall" else b"")


def render(sections: list[tuple[str, str]]) -> bytes:
    """Return a document's Markdown."""
    return ("\n\n".join(f"## {h}\n\n{b}" for h, b in sections) + "\n").encode()


def render_reformatted(sections: list[tuple[str, str]]) -> bytes:
    """Return the document as another rendering serves it: setext headings, every line wrapped."""
    parts = []
    for heading, body in sections:
        title = NUMBERED.sub(r"\1\\. ", heading)  # "3\. Fees": the same heading, not a list
        parts.append(f"{title}\n{'-' * min(len(title), 80)}")
        if body.startswith("| "):
            parts.append(body)
        else:
            parts += [WRAP.sub(r"\1\n", text).rstrip("\n") for text in body.split("\n\n")]
    return ("\n\n".join(parts) + "\n").encode()


def mutate(rng: random.Random, sections: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the sections with one or two of them edited, one added, or one removed."""
    sections = list(sections)
    roll = rng.random()
    index = rng.randrange(1, len(sections)) if len(sections) > 1 else 0
    if roll < 0.08 and len(sections) > 3 and not sections[index][1].startswith("| "):
        del sections[index]  # neither the first (a long heading) nor a table
    elif roll < 0.16:
        heading = f"{len(sections) + 1}. {rng.choice(TOPIC_HEADINGS)}"
        sections.insert(rng.randrange(len(sections) + 1), (heading, paragraph(rng, 60)))
    else:
        for _ in range(rng.randint(1, 2)):
            index = rng.randrange(len(sections))
            heading, body = sections[index]
            edit = edit_table if body.startswith("| ") else edit_words
            sections[index] = (heading, edit(rng, body))
    return sections


def edit_words(rng: random.Random, body: str) -> str:
    """Return the text with a few words replaced."""
    words = body.split(" ")
    start = rng.randrange(len(words))
    words[start : start + rng.randint(1, 6)] = paragraph(rng, rng.randint(1, 12))[:-1].split()
    return " ".join(words)


def edit_table(rng: random.Random, body: str) -> str:
    """Return the table with one row rewritten, added or removed."""
    rows = body.split("\n")
    index = rng.randrange(2, len(rows) + 1)
    roll = rng.random()
    if roll < 0.2 and len(rows) > 12 and index < len(rows):
        del rows[index]
    elif roll < 0.4 or index == len(rows):
        rows.insert(index, table_row(rng))
    else:
        rows[index] = table_row(rng)
    return "\n".join(rows)


def document_picker(rng: random.Random, shape: Shape) -> Callable[[], int]:
    """Return a chooser of documents: a few far more often than most, as in contrib-versions.

    Zipf-like weights, (rank + 4) ** -1.2 over a shuffled ranking: at 900 x 40,000 about two
    documents get 2,000+ versions, 14 get 500+, the median document 11 (contrib-versions: 2, 19,
    and 10).
    """
    ranking = list(range(shape.documents))
    rng.shuffle(ranking)
    weights = [0.0] * shape.documents
    for rank, document in enumerate(ranking):
        weights[document] = (rank + 4) ** -1.2
    cumulative = list(itertools.accumulate(weights))
    population = range(shape.documents)
    return lambda: rng.choices(population, cum_weights=cumulative)[0]


def fast_import_stream(shape: Shape) -> Iterator[bytes]:
    """Yield a ``git fast-import`` stream of the synthetic history.

    Each new text is a blob with a mark (its step + 1); a revert names the mark of the earlier
    text, so a document's old texts are not kept in memory.
    """
    rng = random.Random(shape.seed)
    pick = document_picker(rng, shape)
    docs: dict[int, Doc] = {}
    for step in range(shape.versions):
        document = step if step < shape.documents else pick()
        if document in docs:
            verb, content = "Update", _changed_content(rng, docs[document])
        else:
            docs[document] = new_document(rng, document)
            verb, content = "Start tracking", render(docs[document].sections)
        if isinstance(content, bytes):
            yield b"blob\nmark :%d\ndata %d\n%s\n" % (step + 1, len(content), content)
            mark = _remember(docs[document], step + 1, content)
        else:
            mark = _remember(docs[document], content, docs[document].texts.get(content))
        yield _commit(rng, shape, step, document, verb=verb, mark=mark)


def _changed_content(rng: random.Random, doc: Doc) -> bytes | int:
    """Return the next content, never the text the document holds: an empty commit is no version."""
    content = _next_content(rng, doc)
    while _digest(doc, content) == doc.digests[doc.marks[-1]]:
        doc.sections, doc.home = mutate(rng, doc.sections), 0
        content = render(doc.sections)
    return content


def _digest(doc: Doc, content: bytes | int) -> int:
    """Return a checksum of a new text, or of the earlier text a mark names."""
    return zlib.crc32(content) if isinstance(content, bytes) else doc.digests[content]


def _next_content(rng: random.Random, doc: Doc) -> bytes | int:
    """Return the document's next text, or the mark of the earlier text it goes back to.

    Besides edits: a flip back to the text before (a page served in two variants), a revert to
    a text several versions back, and, for some documents, a whole other text for a while (a
    cookie wall, another rendering with every line changed) and then the exact text again.
    """
    home, doc.home = doc.home, 0
    if home and rng.random() < 0.6:
        return home
    roll = rng.random()
    if doc.variant and not home and roll < 0.15:
        doc.home = doc.marks[-1]
        return doc.wall if doc.variant == "wall" else render_reformatted(doc.sections)
    if roll < 0.31 and len(doc.marks) >= 2:
        return doc.marks[-2]
    if roll < 0.37 and len(doc.marks) >= 3:  # 2 versions back or more
        back = 1 + int(rng.paretovariate(0.6))  # 2: 34 %, 3: 14 %, 10+: 27 % (real 31, 17, 25)
        return doc.marks[-min(back + 1, len(doc.marks))]
    latest = doc.texts.get(doc.marks[-1])
    if roll < 0.43 and latest is not None:
        return latest.replace(b". ", b".  ", 3)  # cosmetic only
    doc.sections = mutate(rng, doc.sections)
    return render(doc.sections)


def _remember(doc: Doc, mark: int, text: bytes | None) -> int:
    """Note the document's new text; keep the bytes of only the last two and of its home."""
    if mark not in doc.digests:  # a new text: an earlier one's mark has its checksum
        doc.digests[mark] = zlib.crc32(text or b"")
    doc.marks.append(mark)
    del doc.marks[:-HISTORY]
    if text is not None:
        doc.texts[mark] = text
    keep = {*doc.marks[-2:], doc.home}
    for old in [m for m in doc.texts if m not in keep]:
        del doc.texts[old]
    if len(doc.digests) > 2 * HISTORY:
        kept = {*doc.marks, doc.home}
        doc.digests = {m: d for m, d in doc.digests.items() if m in kept}
    return mark


def _commit(
    rng: random.Random, shape: Shape, step: int, document: int, *, verb: str, mark: int
) -> bytes:
    """Return the commit of one step: the document now holds the blob ``mark``.

    One in a hundred is dated before its parent, by minutes to a year, as an upstream archive's
    backdated technical upgrades are.
    """
    moment = START + step * EPOCH_STEP // max(1, shape.versions // 40_000)
    if step >= shape.documents and rng.random() < BACKDATED:
        moment -= EPOCH_STEP + int(10 ** rng.uniform(2, 7.5))
        verb = "Apply technical or declaration upgrade on"
    name = f"platform-{document % 150:03d}/document-{document:04d}"
    message = f"{verb} {name.replace('/', ' ')}\n".encode()
    return b"".join(
        [
            b"commit refs/heads/main\n",
            f"committer bench <bench@termline.invalid> {moment} +0000\n".encode(),
            b"data %d\n%s\n" % (len(message), message),
            f"M 100644 :{mark} archive/{name}.md\n\n".encode(),
        ]
    )


def make_archive(folder: Path, shape: Shape) -> Path:
    """Create the synthetic repository once; reuse it when it already exists."""
    marker = folder / f".complete-{GENERATOR}-{shape.documents}-{shape.versions}-{shape.seed}"
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
    peak = tree_memory(process.pid)
    while _running(process, SAMPLE_SECONDS):
        peak = tuple(map(max, peak, tree_memory(process.pid)))  # type: ignore[assignment]
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return Run(seconds, *peak)


SAMPLE_SECONDS = 1.0  # reading a big process's smaps_rollup costs milliseconds


def _running(process: subprocess.Popen[bytes], seconds: float) -> bool:
    """Wait up to ``seconds`` for a process; tell whether it is still running.

    The wait ends when the process does (``Popen.wait`` polls, so up to 0.05 s after it), so
    that its time is not rounded up to the next sample.
    """
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return True
    return False


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
