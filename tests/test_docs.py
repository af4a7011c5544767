"""Docs kept honest: every command and option of the CLI appears in the README."""

import argparse
from pathlib import Path

from termline.cli import parser

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    for action in parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_and_option_is_in_the_readme():
    missing = []
    for name, sub in _subcommands().items():
        if f"termline {name}" not in README:
            missing.append(f"termline {name}")
        for action in sub._actions:
            missing += [
                f"{name} {o}"
                for o in action.option_strings
                if o.startswith("--") and o not in README and o != "--help"
            ]
    assert not missing, f"README does not mention: {missing}"


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```", 2)[1]
    assert "make demo" in first_block and "make test" in first_block
