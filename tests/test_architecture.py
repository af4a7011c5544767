"""The folders are the architecture: imports between them only go one way.

Shared modules at the top of ``termline`` (errors, slugs, archive, sources, cache, parallel)
import nothing of the halves; the scrape half and the analysis never see each other; the site
reads the analysis; the CI helpers build on the scrape half. Only the entry points (``cli``,
``build``, ``demo``, ``bench``, ``serve``) may import any folder.
"""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "termline"
ENTRY_POINTS = {"cli", "build", "demo", "bench", "serve", "__init__"}
ALLOWED = {
    "shared": {"shared"},
    "scrape": {"shared", "scrape"},
    "analysis": {"shared", "analysis"},
    "site": {"shared", "analysis", "site"},
    "ci": {"shared", "scrape", "ci"},
}


def layer(module: str) -> str:
    """Return the folder a dotted module name under termline belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ALLOWED else "shared"


def imports(path: Path) -> set[str]:
    """Return every termline module a source file imports (top level or inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("termline"):
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("termline")}
    return found


def module_name(path: Path) -> str:
    return ".".join(("termline", *path.relative_to(PACKAGE).with_suffix("").parts))


def is_entry_point(module: str) -> bool:
    """Tell whether a dotted module name is an entry point at the top of termline."""
    return module.removeprefix("termline.") in ENTRY_POINTS


def violations() -> list[str]:
    found: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        if is_entry_point(name):
            continue
        allowed = ALLOWED[layer(name)]
        for target in sorted(imports(path)):
            if target.split(".")[-1] == "__version__":
                continue
            if layer(target) not in allowed:
                found.append(f"{name} imports {target}")
    return found


def test_imports_go_one_way() -> None:
    assert violations() == []


def test_every_module_sits_in_a_known_folder() -> None:
    folders = {p.parent.name for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE}
    assert folders <= set(ALLOWED) - {"shared"}
    assert {"scrape", "analysis", "site", "ci"} <= folders


def test_the_check_catches_a_wrong_arrow(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text("from termline.site.render import Site\n", encoding="utf-8")
    target = next(iter(imports(source)))
    assert layer(target) == "site"
    assert layer(target) not in ALLOWED["analysis"]
    assert layer("termline.scrape.fetch") == "scrape"
    assert layer("termline.errors") == "shared"


def named(text: str) -> set[str]:
    """Return the names a text quotes as code (`name`)."""
    return set(re.findall(r"`([a-z_]+)`", text))


def test_every_module_is_in_the_readmes_layout_and_in_its_folders_row_of_the_architecture():
    root = PACKAGE.parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("Code layout:") :].split("\n\n")[0]
    rows = {
        found.group(1) or "shared": named(found.group(2))
        for found in re.finditer(
            r"^\| `termline/(\w*)/?` (?:\(shared\) )?\| ([^|]*) \|",
            (root / "docs" / "architecture.md").read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    }
    in_layout = named(layout)
    for path in PACKAGE.rglob("*.py"):
        module, name = module_name(path), path.stem
        if name == "__init__" or is_entry_point(module):
            continue
        folder = layer(module)
        assert name in in_layout, f"README's code layout does not name {folder}/{name}"
        assert name in rows[folder], f"docs/architecture.md's {folder} row does not name {name}"
