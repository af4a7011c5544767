"""The demo: a git archive of fictional platforms with the kinds of change real archives have.

Every text here is invented for termline's demo; no real platform's policy is quoted. The
history spans 20 months and includes a clause added, a clause removed, a heading renamed with
the same text, a whitespace-only change, a revert to an earlier text, and an AI-training clause
at every platform, so that the cross-platform comparison has something to compare.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import git

from termline.errors import TermlineError
from termline.scrape.record import Record, record

AUTHOR = git.Actor("termline demo", "demo@termline.invalid")
NOTICE = "This is a fictional policy, written for the termline demo. {name} does not exist."

PLATFORMS = {
    "chirpy": ("Chirpy", "social network"),
    "stridely": ("Stridely", "fitness tracker"),
    "nimbus-cloud": ("Nimbus Cloud", "cloud storage"),
    "parley-ai": ("Parley AI", "AI assistant"),
}

DOCUMENTS = {
    "terms-of-service": ("Terms of Service", "Terms of Service"),
    "privacy-policy": ("Privacy Policy", "Privacy Policy"),
    "ai-policy": ("AI Policy", "Generative AI Policy"),
}

BASE: dict[str, list[tuple[str, str]]] = {
    "terms-of-service": [
        (
            "Your account",
            "You must be at least 16 years old to use {name}. Keep your password "
            "secret; you are responsible for what happens under your account.",
        ),
        (
            "Content you post",
            "You keep ownership of what you post. You grant {name} a worldwide, "
            "non-exclusive, royalty-free licence to host, copy, display and distribute it in order "
            "to run the service.",
        ),
        (
            "Acceptable use",
            "Do not break the law, harass people, send spam or try to break into our systems.",
        ),
        (
            "Termination",
            "We may suspend or close your account if you break these terms. You may "
            "close your account at any time from the settings page.",
        ),
        ("Disputes", "Any dispute will be settled by the courts of the place where you live."),
        (
            "Limitation of liability",
            "{name} is provided as is. Our total liability to you is "
            "limited to the amount you paid us in the last twelve months.",
        ),
        ("Changes to these terms", "We will tell you 30 days before any change takes effect."),
    ],
    "privacy-policy": [
        (
            "Information we collect",
            "We collect the information you give us, such as your name "
            "and email address, and information about how you use {name}.",
        ),
        (
            "How we use information",
            "We use your information to provide and improve the "
            "service, to keep it secure and to communicate with you.",
        ),
        (
            "Sharing with partners",
            "We share personal data with service providers who process "
            "it on our behalf. We do not sell your personal data.",
        ),
        (
            "Data retention",
            "We keep your personal data for 90 days after you close your account, then delete it.",
        ),
        (
            "Location data",
            "With your permission we collect your precise location to show "
            "nearby content. You can turn this off at any time.",
        ),
        (
            "Children",
            "{name} is not meant for children under 13 and we do not knowingly collect their data.",
        ),
        (
            "Requests from law enforcement",
            "We disclose data to public authorities only when "
            "a valid legal order requires it, and we tell you unless the law forbids it.",
        ),
    ],
    "ai-policy": [
        ("Model training", "We do not use your content to train our AI models."),
        (
            "Human review",
            "People at {name} may review a small sample of conversations to "
            "check the quality and safety of our AI features.",
        ),
        (
            "Prohibited uses",
            "Do not use our AI features to create malware, deceive people or "
            "generate content that sexualises minors.",
        ),
    ],
}

Sections = list[tuple[str, str]]
Edit = Callable[[Sections], Sections]


def add(heading: str, text: str, after: str | None = None) -> Edit:
    """Return an edit that adds a section, after another one or at the end."""

    def edit(sections: Sections) -> Sections:
        index = len(sections)
        if after is not None:
            index = next(i for i, (h, _) in enumerate(sections) if h == after) + 1
        return [*sections[:index], (heading, text), *sections[index:]]

    return edit


def remove(heading: str) -> Edit:
    """Return an edit that removes a section."""
    return lambda sections: [(h, t) for h, t in sections if h != heading]


def rename(old: str, new: str) -> Edit:
    """Return an edit that renames a heading and keeps its text."""
    return lambda sections: [(new if h == old else h, t) for h, t in sections]


def replace(heading: str, old: str, new: str) -> Edit:
    """Return an edit that replaces words inside one section."""
    return lambda sections: [(h, t.replace(old, new) if h == heading else t) for h, t in sections]


def respace(heading: str) -> Edit:
    """Return an edit that only changes whitespace (non-breaking spaces) in a section."""
    return lambda sections: [
        (h, t.replace(" ", "\u00a0", 3) if h == heading else t) for h, t in sections
    ]


TRAINING_OPT_OUT = (
    "We use the content you share with {name}, including posts and conversations, to train "
    "and improve our AI models. You can opt out in your privacy settings; opting out does not "
    "affect content already used."
)

# (date, platform, document, edits). The first entry of a document starts tracking it.
STEPS: list[tuple[str, str, str, list[Edit]]] = [
    ("2024-01-15", "chirpy", "terms-of-service", []),
    ("2024-01-15", "chirpy", "privacy-policy", []),
    ("2024-01-16", "stridely", "privacy-policy", []),
    ("2024-01-16", "stridely", "terms-of-service", []),
    ("2024-01-17", "nimbus-cloud", "terms-of-service", []),
    ("2024-01-17", "nimbus-cloud", "privacy-policy", []),
    ("2024-01-18", "parley-ai", "terms-of-service", []),
    ("2024-01-18", "parley-ai", "ai-policy", []),
    (
        "2024-03-04",
        "chirpy",
        "privacy-policy",
        [add("Training of AI models", TRAINING_OPT_OUT, after="How we use information")],
    ),
    (
        "2024-04-22",
        "parley-ai",
        "ai-policy",
        [
            replace(
                "Model training",
                "We do not use your content to train our AI models.",
                "We may use your conversations to train our AI models "
                "unless you opt out in settings.",
            )
        ],
    ),
    (
        "2024-05-30",
        "chirpy",
        "privacy-policy",
        [rename("Sharing with partners", "Sharing with third parties")],
    ),
    ("2024-07-08", "chirpy", "privacy-policy", [respace("Data retention")]),
    (
        "2024-08-19",
        "stridely",
        "privacy-policy",
        [
            add(
                "Health data and AI",
                "We use your workouts, heart rate and sleep data to train the AI coach "
                "of {name}. You can withdraw your consent at any time.",
                after="How we use information",
            )
        ],
    ),
    ("2024-09-02", "chirpy", "privacy-policy", [replace("Data retention", "90 days", "180 days")]),
    (
        "2024-10-14",
        "chirpy",
        "terms-of-service",
        [
            replace(
                "Disputes",
                "Any dispute will be settled by the courts of the place where you live.",
                "Any dispute will be settled by binding individual arbitration. "
                "You waive any right to take part in a class action.",
            )
        ],
    ),
    (
        "2024-11-25",
        "chirpy",
        "privacy-policy",
        [replace("Data retention", "180 days", "three years")],
    ),
    (
        "2024-12-09",
        "chirpy",
        "privacy-policy",
        [replace("Data retention", "three years", "180 days")],
    ),
    (
        "2025-01-20",
        "nimbus-cloud",
        "privacy-policy",
        [
            add(
                "AI features",
                "Files you store in "
                "{name} are never used to train AI models. Summaries you request are processed and "
                "discarded.",
                after="How we use information",
            )
        ],
    ),
    ("2025-02-17", "chirpy", "privacy-policy", [remove("Location data")]),
    (
        "2025-03-31",
        "stridely",
        "terms-of-service",
        [replace("Changes to these terms", "30 days", "7 days")],
    ),
    (
        "2025-05-12",
        "parley-ai",
        "terms-of-service",
        [
            add(
                "Subscriptions and renewal",
                "Paid "
                "plans renew automatically each month at the then-current price until you cancel.",
                after="Acceptable use",
            )
        ],
    ),
    (
        "2025-06-23",
        "chirpy",
        "privacy-policy",
        [
            replace(
                "Training of AI models",
                "You can opt out in your privacy settings;",
                "You can opt out by writing to us;",
            )
        ],
    ),
    (
        "2025-08-04",
        "parley-ai",
        "ai-policy",
        [
            add(
                "Conversation retention",
                "We keep conversations for 30 days, "
                "or for up to two years when they are used for training.",
            )
        ],
    ),
    (
        "2025-09-15",
        "stridely",
        "privacy-policy",
        [replace("Data retention", "90 days", "one year")],
    ),
]


@dataclass(frozen=True)
class DemoDocument:
    """A demo document's current sections and its display names."""

    platform: str
    document: str
    sections: Sections


def render_text(platform: str, document: str, sections: Sections) -> str:
    """Return the Markdown of a demo document."""
    name = PLATFORMS[platform][0]
    title = DOCUMENTS[document][0]
    parts = [f"# {name} {title}", NOTICE.format(name=name)]
    parts += [f"## {heading}\n\n{text.format(name=name)}" for heading, text in sections]
    return "\n\n".join(parts) + "\n"


def sources_toml() -> str:
    """Return the sources.toml that names the demo's platforms and documents."""
    lines = ['[site]\ntitle = "termline demo"\n']
    used = {(p, d) for _, p, d, _ in STEPS}
    for platform, (name, _) in PLATFORMS.items():
        lines.append(f'[platforms.{platform}]\nname = "{name}"\n')
        for document, (title, kind) in DOCUMENTS.items():
            if (platform, document) in used:
                lines.append(
                    f"[platforms.{platform}.documents.{document}]\n"
                    f'name = "{title}"\ntype = "{kind}"\n'
                    f'url = "https://{platform}.example/{document}"\n'
                )
    return "\n".join(lines)


def create_demo_archive(root: Path) -> git.Repo:
    """Create (afresh) the demo git repository at root and return it."""
    if (root / ".git").exists():
        return git.Repo(root)
    if root.exists() and not root.is_dir():
        raise TermlineError(f"{root}: not a folder (the demo archive is created in a folder)")
    root.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(root, initial_branch="main")
    (root / "sources.toml").write_text(sources_toml(), encoding="utf-8")
    repo.index.add(["sources.toml"])
    _commit(repo, "Declare the demo's fictional sources", datetime(2024, 1, 14, 9, tzinfo=UTC))
    state: dict[tuple[str, str], Sections] = {}
    for day, platform, document, edits in STEPS:
        key = (platform, document)
        sections = state.get(key, BASE[document])
        for edit in edits:
            sections = edit(sections)
        state[key] = sections
        _record(repo, key, sections, day)
    return repo


def _record(repo: git.Repo, key: tuple[str, str], sections: Sections, day: str) -> None:
    platform, document = key
    item = Record(
        platform=platform,
        document=document,
        platform_name=PLATFORMS[platform][0],
        document_name=DOCUMENTS[document][0],
        text=render_text(platform, document, sections),
        url=f"https://{platform}.example/{document}",
        fetched_at=datetime.fromisoformat(day).replace(hour=6, tzinfo=UTC),
    )
    record(repo, "archive", item, author=AUTHOR)


def _commit(repo: git.Repo, message: str, moment: datetime) -> None:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S+0000")
    repo.index.commit(
        message, author=AUTHOR, committer=AUTHOR, author_date=stamp, commit_date=stamp
    )


def run_demo(root: Path, serve_port: int | None = 8000, host: str = "127.0.0.1") -> Path:
    """Create the demo archive, build its site into root/site, and serve it if a port is given."""
    from termline.build import BuildOptions, build  # noqa: PLC0415 - build imports the world
    from termline.serve import serve  # noqa: PLC0415

    create_demo_archive(root)
    site = root / "site"
    result = build(BuildOptions(repo=root, out=site))
    print(f"demo archive in {root}: {result.documents} documents, {result.versions} versions")
    if serve_port is not None:
        serve(site, host, serve_port)
    return site
