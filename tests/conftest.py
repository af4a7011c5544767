"""Shared fixtures: real temporary git repositories, the demo archive, the real data bundles."""

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from termline.build import BuildOptions, build
from termline.demo import create_demo_archive

pytest_plugins = ["policy_server"]  # the local HTTP server of the scraper's tests

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TERMLINE_DATA", ROOT.parent / "shared" / "data"))


class GitRepo:
    """A real git repository in a temporary folder, with helpers to commit files at given dates."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str = "2024-01-01T00:00:00Z") -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.invalid",
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_DATE": date,
        }
        result = subprocess.run(
            ["git", *args], cwd=self.path, env=env, check=True, capture_output=True
        )
        return result.stdout.decode()

    def write(self, relative: str, content: str | bytes) -> None:
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)

    def commit(self, files: dict[str, str | bytes], message: str, date: str) -> str:
        for relative, content in files.items():
            self.write(relative, content)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], GitRepo]:
    def make(name: str = "repo") -> GitRepo:
        folder = tmp_path / name
        folder.mkdir()
        return GitRepo(folder)

    return make


@pytest.fixture(scope="session")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    create_demo_archive(root)
    return root


@pytest.fixture(scope="session")
def demo_site(demo_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-site")
    build(BuildOptions(repo=demo_repo, out=out))
    return out


def clone_bundle(name: str, into: Path) -> Path:
    """Clone a bundle from ../shared/data, or skip loudly when it is missing."""
    bundle = DATA / name
    if not bundle.is_file():
        pytest.skip(
            f"MISSING DATA: {bundle} not found; set TERMLINE_DATA to the shared data folder"
        )
    target = into / name.removesuffix(".bundle")
    if not target.exists():
        subprocess.run(
            ["git", "clone", "-q", "-b", "main", str(bundle), str(target)],
            check=True,
            capture_output=True,
        )
    return target


CHROMIUM = Path(os.environ.get("TERMLINE_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from Debian, driven by Playwright (no browser download).

    Module-scoped: Playwright's sync API keeps an event loop running in this thread until it
    stops, and later modules (the scraper's) run their own with asyncio.run.
    """
    if os.environ.get("TERMLINE_SKIP_BROWSER") == "1":
        pytest.skip("TERMLINE_SKIP_BROWSER=1: browser tests skipped")
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: install it with `apt-get install chromium` "
            "(or set TERMLINE_SKIP_BROWSER=1 to skip the browser tests)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only when Chromium is there

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()
