"""Normalise stage: make extracted Markdown stable, so that only real changes make a diff.

Takes Markdown; gives Markdown in Unicode NFC, with non-breaking and other odd spaces turned into
plain spaces, invisible characters dropped, one paragraph per line, ATX headings (``#``), ``-``
bullets and ``1.`` numbers, ``---`` rules, tracking and cache-busting query parameters
(``utm_*``, ``fbclid``, ``gclid``, ``_``, ``cb``, ``nonce``, ``timestamp``, a numeric ``v`` or
``ver``…) stripped from links, no trailing whitespace, one blank line between blocks and one newline
at the end. Fenced code is left as it is. ``normalise`` is idempotent.

Two filters then leave out text that changes on every fetch without the policy changing:
``drop_relative_times`` ("Updated: 22 days ago", "Last updated yesterday"), applied unless a
document keeps them, and ``drop_ignored``, a document's own ``ignore`` patterns.
"""

import re
import unicodedata
from collections.abc import Iterator

ODD_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff\x00-\x08\x0e-\x1f\x7f]")
LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
CLOSING_HASHES = re.compile(r" (#+)$")
SPACE_RUNS = re.compile(r"(?<=\S) {2,}")

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ ]+(.*?))?(?:[ ]+#+)?[ ]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ ]*$")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ ]*\1){2,}[ ]*$")
BULLET = re.compile(r"^( *)(?:[-*+]|(\d{1,9})[.)])(?: +(.*))?$")
QUOTE = re.compile(r"^ *>[ ]?(.*)$")
TABLE = re.compile(r"^ *(\|.*)$")

LINK_TARGET = re.compile(r"(\]\(<?|<)(https?://[^\s)>]+)")
TRACKING_PREFIXES = ("utm_", "__hs", "_hs", "hsa_", "pk_", "mtm_")
TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_ga",
        "_gl",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "vero_id",
        "wickedid",
        "ref_src",
        # Cache-busting and nonces: a new value on every response, the same page behind it.
        "_",
        "cb",
        "cachebust",
        "cachebuster",
        "cache_buster",
        "nocache",
        "nonce",
        "timestamp",
        "_t",
        "_ts",
        "rnd",
    }
)
# Keys that carry a version or a nonce only when their value looks like one (a YouTube link's
# ``v=dQw4w9WgXcQ`` names a video and is kept; ``v=3``, ``ver=6.4.2``, ``v=1718035200`` go).
VERSION_KEYS = frozenset({"v", "ver", "version", "ts"})
VERSION_VALUE = re.compile(r"[0-9][0-9.]*|[0-9a-f]{6,}")

# A relative time after an "updated" label, or alone on its line: it changes with the calendar.
TIME_LABEL = (
    r"(?:(?:last|page|was|this page was)\s+)?"
    r"(?:updated|modified|edited|revised|reviewed|posted|published|changed)(?:\s+on)?\s*:?\s*"
)
TIME_AGO = (
    r"(?:\d+|an?|one|a few|several)\s+"
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago"
)
LABELLED_TIME = re.compile(
    rf"\b{TIME_LABEL}(?:{TIME_AGO}|yesterday|today|just now)\b\.?", re.IGNORECASE
)
LONE_TIME = re.compile(rf"^[\W_]*{TIME_AGO}[\W_]*$", re.IGNORECASE)
WORD = re.compile(r"\w")


def normalise(markdown: str) -> str:
    """Return the stable, diff-friendly form of a Markdown document."""
    lines = clean_characters(markdown).split("\n")
    blocks = ["\n".join(block) for block in _blocks(lines)]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def clean_characters(text: str) -> str:
    """Return text with one kind of line break and space, no invisible characters, in NFC."""
    text = LINE_BREAKS.sub("\n", text)
    text = ODD_SPACES.sub(" ", INVISIBLE.sub("", text))
    return unicodedata.normalize("NFC", text)


def drop_relative_times(text: str) -> str:
    """Return normalised text without relative times ("Updated: 22 days ago") or their lines."""
    lines = []
    for line in text.split("\n"):
        kept = LABELLED_TIME.sub("", line)
        if (kept != line and not WORD.search(kept)) or LONE_TIME.match(kept):
            continue
        lines.append(SPACE_RUNS.sub(" ", kept).rstrip())
    return normalise("\n".join(lines))


def drop_ignored(text: str, patterns: tuple[str, ...]) -> str:
    """Return normalised text without what the patterns match (``^``/``$`` at each line)."""
    for pattern in patterns:
        text = re.sub(pattern, "", text, flags=re.MULTILINE)
    return normalise(text)


def strip_tracking(line: str) -> str:
    """Return line with tracking query parameters removed from every link target."""
    return LINK_TARGET.sub(lambda m: m.group(1) + _clean_url(m.group(2)), line)


def _clean_url(url: str) -> str:
    base, hash_sign, fragment = url.partition("#")
    path, question, query = base.partition("?")
    if not question:
        return url
    parts = query.split("&")
    kept = [part for part in parts if not _is_tracking(part)]
    if len(kept) == len(parts):
        return url
    kept = [part for part in kept if part]
    return path + ("?" + "&".join(kept) if kept else "") + hash_sign + fragment


def _is_tracking(parameter: str) -> bool:
    key, _, value = parameter.partition("=")
    key = key.lower()
    if key in VERSION_KEYS:
        return bool(VERSION_VALUE.fullmatch(value))
    return key in TRACKING_KEYS or key.startswith(TRACKING_PREFIXES)


class _Blocks:
    """Blocks of lines being gathered: paragraphs joined, headings and rules on their own."""

    def __init__(self) -> None:
        self.done: list[list[str]] = []
        self.current: list[str] = []
        self.kinds: list[str] = []

    def flush(self) -> None:
        if self.current:
            self.done.append(self.current)
        self.current, self.kinds = [], []

    def alone(self, line: str) -> None:
        self.flush()
        self.done.append([line])

    def add(self, kind: str, line: str) -> None:
        if kind == "paragraph" and self.kinds and self.kinds[-1] in ("paragraph", "item", "quote"):
            joined = f"{self.current[-1]} {line}"
            if _keeps_kind(joined, self.kinds[-1]):
                self.current[-1] = joined
                return
        if kind == "paragraph" and FENCE.match(line):  # came indented, so opened no fence: kept
            line = "    " + line  # indented, or normalising the result again would open one
        self.current.append(line)
        self.kinds.append(kind)


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    blocks = _Blocks()
    position = 0
    while position < len(lines):
        line = lines[position].rstrip()
        position += 1
        fence = FENCE.match(line)
        if fence:
            blocks.flush()
            code, position = _fenced(lines, position, fence.group(1))
            blocks.done.append([line, *code])
        else:
            _add_line(blocks, strip_tracking(SPACE_RUNS.sub(" ", line)))
    blocks.flush()
    yield from blocks.done


def _fenced(lines: list[str], position: int, marker: str) -> tuple[list[str], int]:
    code = []
    while position < len(lines):
        line = lines[position].rstrip()
        position += 1
        code.append(line)
        if line.lstrip().startswith(marker) and not line.strip().strip(marker[0]):
            return code, position
    while code and not code[-1]:
        code.pop()
    return code, position


def _add_line(blocks: _Blocks, line: str) -> None:
    if not line:
        blocks.flush()
        return
    kind, tidy = _classify(line)
    after_paragraph = bool(blocks.kinds) and blocks.kinds[-1] == "paragraph"
    if after_paragraph and (SETEXT.match(line) or SETEXT.match(tidy)):
        text = blocks.current.pop()
        blocks.kinds.pop()
        blocks.alone(_heading(f"{'#' if line.strip()[0] == '=' else '##'} {text}"))
    elif RULE.match(line) or RULE.match(tidy):
        blocks.alone("---")
    elif ATX.match(line) or ATX.match(tidy):
        blocks.alone(_heading(line if ATX.match(line) else tidy))
    else:
        blocks.add(kind, tidy)


def _keeps_kind(line: str, kind: str) -> bool:
    return not RULE.match(line) and not ATX.match(line) and _classify(line)[0] == kind


def _heading(line: str) -> str:
    match = ATX.match(line)
    assert match
    hashes, text = match.group(1), (match.group(2) or "").strip()
    text = CLOSING_HASHES.sub(r" \\\1", text)  # "0 #" would read as "0" and a closing sequence
    return f"{hashes} {text}" if text else hashes


def _classify(line: str) -> tuple[str, str]:
    bullet = BULLET.match(line)
    if bullet:
        indent, number, text = bullet.groups()
        marker = f"{number}." if number else "-"
        return "item", f"{indent}{marker} {text}" if text else f"{indent}{marker}"
    quote = QUOTE.match(line)
    if quote:
        return "quote", f"> {quote.group(1)}".rstrip()
    table = TABLE.match(line)
    if table:
        return "table", table.group(1)
    return "paragraph", line.strip()
