"""Writing the site: each file only when its bytes changed, and never outside the output folder."""

from pathlib import Path

from termline.errors import TermlineError


class Output:
    """The output folder: writes files whose bytes changed and removes those no longer built."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.written: set[Path] = set()
        self.changed = 0

    def write(self, relative: str, data: bytes | str) -> None:
        """Write a file under the output folder unless it already holds these bytes."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise TermlineError(f"{relative}: would be written outside {self.root}")
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self.written.add(path)
        if path.is_file() and path.stat().st_size == len(payload) and path.read_bytes() == payload:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(payload)
        temporary.replace(path)
        self.changed += 1

    def keep(self, relative: str) -> bool:
        """Keep a file of content-addressed name if it exists; tell whether it did."""
        path = (self.root / relative).resolve()
        if path.is_relative_to(self.root) and path.is_file():
            self.written.add(path)
            return True
        return False

    def prune(self, keep: tuple[str, ...] = ()) -> int:
        """Remove the files this build did not write, except under ``keep``; return how many."""
        kept = [self.root / k for k in keep]
        removed = 0
        for path in sorted(self.root.rglob("*"), reverse=True):
            if path.is_dir():
                if not any(path.iterdir()):
                    path.rmdir()
                continue
            if path in self.written or any(path.is_relative_to(k) for k in kept):
                continue
            path.unlink()
            removed += 1
        return removed
