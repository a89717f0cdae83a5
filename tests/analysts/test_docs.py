"""Every analysts' command is in the README, its help ends with examples, and the README's walkthrough runs."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from satukanal_crawler.cli import build_parser
from satukanal_crawler.commands.analyst_cli import COMMANDS
from tests.cli import command, environment
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
WALKTHROUGH = "<!-- analysts' walkthrough"


def subcommand_help(name: str) -> str:
    parser = build_parser()
    [sub] = [action for action in parser._actions if action.dest == "command"]
    return sub.choices[name].format_help()


@pytest.mark.parametrize("name", COMMANDS)
def test_the_command_is_documented_in_the_readme(name: str) -> None:
    assert re.search(rf"^###.*`satukanal {name}`", README, flags=re.M), f"README has no section for `satukanal {name}`"
    assert re.search(rf"^\.venv/bin/satukanal {name} ", README, flags=re.M), f"no example of {name} in the README"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_ends_with_examples(name: str) -> None:
    text = subcommand_help(name).rstrip()
    examples = text.rsplit("examples:\n", 1)
    assert len(examples) == 2, f"`satukanal {name} --help` does not end with examples"
    lines = examples[1].splitlines()
    assert lines and all(line.strip().startswith(f"satukanal {name} ") for line in lines)


def walkthrough() -> list[str]:
    block = README[README.index(WALKTHROUGH) :].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_walkthrough_covers_every_command() -> None:
    lines = walkthrough()
    for name in (name for name in COMMANDS if name != "serve"):  # it runs until stopped: test_serve.py
        assert any(line.startswith(f".venv/bin/satukanal {name} ") for line in lines), name


@pytest.mark.parametrize("line", walkthrough())
def test_every_walkthrough_command_works_as_written(line: str, demo: Path, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(demo, tmp_path / "data" / "demo.db")
    words = shlex.split(line)
    program = words[0].removeprefix(".venv/bin/")
    argv = command(*words[1:]) if program == "satukanal" else [str(Path(command()[0]).parent / program), *words[1:]]
    result = subprocess.run(argv, cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    if "--out" in words:
        written = tmp_path / words[words.index("--out") + 1]
        assert written.stat().st_size > 100, f"{line}: wrote nothing"
    else:
        assert result.stdout.strip(), f"{line}: printed nothing"
