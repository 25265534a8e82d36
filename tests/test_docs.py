"""Keep the user documentation honest: its examples are run, not trusted.

Conventions in docs/language.md and docs/cli.md (see docs/README.md):

- every fenced block tagged ```lexkb must parse;
- a ```lexkb block whose first line is ``# runnable`` is a complete rules
  program: it must load and run (no case) through the Python API, and each
  ``# holds: ATOM`` / ``# does not hold: ATOM`` line in it (several atoms
  separated by ``;``) must be true of the result;
- a ```lexkb block whose first line is ``# file: PATH``, or any block right
  after an HTML comment ``<!-- file: PATH -->``, is written to PATH in a
  scratch folder, one folder per document, in document order;
- a ```console block is a terminal session in that folder: each ``$ lexkb …``
  line is run, and the lines up to the next ``$`` must be exactly what it
  prints (standard output and error, as a terminal shows them); ``$ echo $?``
  prints the exit code of the command before it.
"""

from __future__ import annotations

import glob
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import lexkb
from lexkb.language.parser import parse

if TYPE_CHECKING:
    from conftest import Lexkb

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("docs/language.md", "docs/cli.md")

FENCE = re.compile(r"^```(?P<tag>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
FILE_COMMENT = re.compile(r"<!--\s*file:\s*(?P<path>\S+)\s*-->\s*$")
ANNOTATION = re.compile(r"^#\s*(?P<kind>holds|does not hold):\s*(?P<atoms>.+)$", re.M)


@dataclass(frozen=True)
class Block:
    doc: str
    line: int
    tag: str
    body: str
    file: str | None  # where the block is saved in the scratch folder, if anywhere

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def first_line(self) -> str:
        return self.body.split("\n", 1)[0].strip()


def blocks(doc: str) -> list[Block]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    out = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        body = match.group("body")
        tag = match.group("tag")
        file = None
        comment = FILE_COMMENT.search(before)
        if comment:
            file = comment.group("path")
        elif tag == "lexkb" and body.startswith("# file:"):
            file = body.split("\n", 1)[0].removeprefix("# file:").strip()
        out.append(Block(doc, text.count("\n", 0, match.start()) + 1, tag, body, file))
    return out


ALL = [b for doc in DOCS if (ROOT / doc).exists() for b in blocks(doc)]
LEXKB = [b for b in ALL if b.tag == "lexkb"]
RUNNABLE = [b for b in LEXKB if b.first_line == "# runnable"]


def test_the_documents_have_examples() -> None:
    # A renamed tag or a broken fence pattern would silently check nothing.
    for doc in DOCS:
        found = [b for b in ALL if b.doc == doc]
        assert any(b.tag == "lexkb" for b in found), f"{doc} has no ```lexkb block"
        assert any(b.tag == "console" for b in found), f"{doc} has no ```console block"
    assert len(RUNNABLE) >= 10


@pytest.mark.parametrize("block", LEXKB, ids=lambda b: b.id)
def test_every_lexkb_block_parses(block: Block) -> None:
    try:
        parse(block.body, block.id)
    except lexkb.LexkbError as error:
        pytest.fail(f"{block.id}: the example does not parse: {error}")


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.id)
def test_runnable_blocks_run(block: Block) -> None:
    try:
        result = lexkb.loads(block.body, block.id).run()
    except lexkb.LexkbError as error:
        pytest.fail(f"{block.id}: the runnable example fails: {error}")
    for match in ANNOTATION.finditer(block.body):
        expected = match.group("kind") == "holds"
        for atom in match.group("atoms").split(";"):
            assert result.holds(atom.strip()) == expected, f"{block.id}: '{match.group(0)}' is not true"


def test_annotations_only_in_runnable_blocks() -> None:
    # An annotation outside a runnable block would look checked but is not.
    for block in LEXKB:
        if block.first_line != "# runnable":
            assert not ANNOTATION.search(block.body), f"{block.id}: '# holds:' outside a '# runnable' block"


def arguments(command: str, cwd: Path) -> list[str]:
    """The words of one `lexkb …` command line after the command name, with globs expanded as a shell would."""
    args = []
    for word in shlex.split(command)[1:]:
        args.extend(sorted(glob.glob(word, root_dir=cwd)) if "*" in word else [word])
    return args


def session(body: str) -> list[tuple[str, list[str]]]:
    """A console block as (command, expected output lines) pairs."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.rstrip("\n").split("\n"):
        if line.startswith("$ "):
            steps.append((line[2:].strip(), []))
        elif steps:
            steps[-1][1].append(line.rstrip())
        else:
            raise AssertionError(f"a console block must start with a '$ ' command line, not {line!r}")
    return steps


def trimmed(lines: list[str]) -> list[str]:
    while lines and not lines[-1]:
        lines = lines[:-1]
    return lines


@pytest.mark.parametrize("doc", DOCS)
def test_console_sessions_print_what_the_docs_show(doc: str, tmp_path: Path, lexkb: Lexkb) -> None:
    if not (ROOT / doc).exists():
        pytest.skip(f"{doc} is not written yet")
    problems = []
    last_code = 0
    ran = 0
    for block in blocks(doc):
        if block.file:
            target = tmp_path / block.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.body, encoding="utf-8")
        if block.tag != "console":
            continue
        for command, expected in session(block.body):
            if command == "echo $?":
                actual = [str(last_code)]
            elif command.startswith("lexkb ") or command == "lexkb":
                last_code, printed, _ = lexkb(*arguments(command, tmp_path), cwd=tmp_path, terminal=True)
                actual = [line.rstrip() for line in printed.rstrip("\n").split("\n")] if printed else []
                ran += 1
            else:
                problems.append(f"{block.id}: cannot run '{command}' (only lexkb commands and echo $?)")
                continue
            if trimmed(actual) != trimmed(expected):
                problems.append(f"{block.id}: $ {command}\n--- the doc shows:\n" + "\n".join(expected)
                                + "\n--- lexkb prints:\n" + "\n".join(actual))
    assert ran, f"{doc}: no command was run"
    assert not problems, "\n\n".join(problems)


LINK = re.compile(r"\]\((?P<target>[^)#\s]+)(?:#[^)]*)?\)")
# Written by teammates; the index may name them before they land.
PLANNED = {"explanations.md", "research-tools.md", "batch.md", "knowledge-base.md"}


@pytest.mark.parametrize("doc", [*DOCS, "docs/README.md"])
def test_relative_links_point_at_files(doc: str) -> None:
    path = ROOT / doc
    for match in LINK.finditer(path.read_text(encoding="utf-8")):
        target = match.group("target")
        if "://" in target or target.startswith("mailto:"):
            continue
        if Path(target).name in PLANNED:
            continue
        assert (path.parent / target).exists(), f"{doc}: the link to {target} leads nowhere"


ARCHITECTURE = ROOT / "ARCHITECTURE.md"
CODE_PATH = re.compile(r"`(?P<path>[\w./-]+\.(?:py|toml|sh|lark|md))`|\b(?P<bare>(?:engine|cli|tests|scripts)/[\w./-]*\w)")


def test_architecture_names_only_files_that_exist() -> None:
    """ARCHITECTURE.md names modules by path; a module moved or renamed must not leave it pointing nowhere.
    A path may be written from the root or from inside its layer (``compile/schedule.py``, ``ast.py``)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = {m.group("path") or m.group("bare") for m in CODE_PATH.finditer(text)}
    assert len(named) > 30, "the pattern no longer finds the paths ARCHITECTURE.md names"
    tree = [path.relative_to(ROOT).as_posix() for top in ("engine", "cli", "tests", "scripts", "docs", "grammar")
            for path in (ROOT / top).rglob("*") if "__pycache__" not in path.parts]
    tree += [path.name for path in ROOT.iterdir()]
    missing = sorted(name for name in named
                     if not any(path == name.rstrip("/") or path.endswith("/" + name.rstrip("/")) for path in tree))
    assert missing == []


def test_architecture_links_point_at_files() -> None:
    for match in LINK.finditer(ARCHITECTURE.read_text(encoding="utf-8")):
        assert (ROOT / match.group("target")).exists(), f"ARCHITECTURE.md: the link to {match.group('target')} leads nowhere"
