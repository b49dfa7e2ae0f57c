"""docs/accounts.md and its Italian twin: the same sections, commands that parse, live links.

The guide is what an artisan follows, keys in hand: a command in it that Costanza refuses
("No such option") would stop her halfway. So every `costanza ...` line of both files (in
a fenced block or in `inline code`) is parsed with the real click command tree, exactly
as click parses it when she types it (no command is run). The two files have the same
sections in the same order, marked with the same anchors (``<a id="...">``), so that the
line every `account add` prints ("Step-by-step guide: docs/accounts.md#facebook", or the
Italian file in Italian) finds its section in either; and both READMEs link to the guide.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from config import i18n
from costanza.cli import guide
from costanza.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "docs" / "accounts.md"
ITALIAN = ROOT / "docs" / "accounts.it.md"


# The `account add` commands and the section of the guide each one points at.
ADD_COMMANDS = {"facebook": "facebook", "instagram": "instagram", "x": "x"}

_ANCHOR = re.compile(r'^<a id="([a-z0-9-]+)"></a>\n(#{2,6}) ', re.MULTILINE)
_LINK = re.compile(r"docs/(accounts(?:\.it)?\.md)#([a-z0-9-]+)")
_FENCE = re.compile(r"^ *```([a-z]*)\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
_INLINE = re.compile(r"`(costanza [^`]+)`")


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def anchors(path: Path) -> list[tuple[str, int]]:
    """Each section's anchor and its heading's level, in order."""
    return [(m.group(1), len(m.group(2))) for m in _ANCHOR.finditer(text(path))]


def command_lines(path: Path) -> Iterator[str]:
    """Every `costanza ...` line the reader is shown: the lines of the fenced blocks that
    are no TOML and the inline code, with a backslash at a line's end joined to the next
    line and the spaces tidied."""
    body = text(path)
    for tag, block in _FENCE.findall(body):
        if tag == "toml":
            continue
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            if line.strip().startswith("costanza "):
                yield " ".join(line.split())
    prose = _FENCE.sub("", body)
    for match in _INLINE.finditer(prose.replace("\n   ", " ").replace("\n", " ")):
        yield " ".join(match.group(1).split())


def parse(line: str) -> None:
    """Parse a command line with the real command tree, down to its last command (click's
    own parsing: unknown options, missing values and bad choices raise UsageError)."""
    words = shlex.split(line)
    assert words[0] == "costanza"
    command: click.Command = cli
    ctx = command.make_context("costanza", words[1:])
    while isinstance(command, click.Group):
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            break
        name, sub, args = command.resolve_command(ctx, rest)
        assert sub is not None and name is not None
        command, ctx = sub, sub.make_context(name, args, parent=ctx)


def parses(line: str) -> bool:
    try:
        parse(line)
    except click.UsageError:
        return False
    return True


def test_the_guide_and_its_twin_exist_and_link_to_each_other() -> None:
    english, italian = text(ENGLISH), text(ITALIAN)
    assert "[accounts.it.md](accounts.it.md)" in english[:english.index("\n## ")]
    assert "[accounts.md](accounts.md)" in italian[:italian.index("\n## ")]


def test_the_same_sections_in_the_same_order() -> None:
    english, italian = anchors(ENGLISH), anchors(ITALIAN)
    assert len(english) >= 8
    assert italian == english, "docs/accounts.it.md's sections are not docs/accounts.md's"
    assert len({anchor for anchor, _ in english}) == len(english), "an anchor is used twice"
    headings = [re.findall(r"^(#{2,6}) ", text(path), re.MULTILINE) for path in
                (ENGLISH, ITALIAN)]
    assert len(headings[0]) == len(headings[1]) == len(english), "a section has no anchor"


def test_every_link_inside_the_guide_has_its_section() -> None:
    for path in (ENGLISH, ITALIAN):
        known = {anchor for anchor, _ in anchors(path)}
        named = set(re.findall(r"\]\(#([a-z0-9-]+)\)", text(path)))
        assert named, path.name
        assert named <= known, f"{path.name} links to missing sections: {named - known}"


def test_the_italian_guide_is_a_translation() -> None:
    english, italian = text(ENGLISH), text(ITALIAN)
    assert "## Prima di cominciare" in italian
    for sentence in ("Before you start", "What it costs", "When a token expires"):
        assert sentence in english and sentence not in italian


@pytest.mark.parametrize("path", [ENGLISH, ITALIAN], ids=lambda p: p.name)
def test_every_command_line_parses(path: Path) -> None:
    lines = sorted(set(command_lines(path)))
    assert "costanza account add facebook" in lines
    failing = []
    for line in lines:
        try:
            parse(line)
        except click.UsageError as exc:
            failing.append(f"{line}\n    {exc.format_message()}")
    assert not failing, f"{path.name}: lines Costanza would refuse:\n" + "\n".join(failing)


@pytest.mark.parametrize("path", [ENGLISH, ITALIAN], ids=lambda p: p.name)
def test_the_settings_shown_are_toml_and_the_same_in_both(path: Path) -> None:
    shown = [tomllib.loads(block) for tag, block in _FENCE.findall(text(path)) if tag == "toml"]
    assert {"media_host", "x", "networks"} <= {key for table in shown for key in table}
    english = [tomllib.loads(b) for tag, b in _FENCE.findall(text(ENGLISH)) if tag == "toml"]
    assert shown == english


def test_the_checker_refuses_what_costanza_refuses() -> None:
    assert parses("costanza account add x --consumer-key K --consumer-secret S --pin 1234")
    assert not parses("costanza account add x --consumer-key K --no-such-option 1")
    assert not parses("costanza account add x --consumer-key K")  # the secret is required
    assert not parses("costanza acount list")
    assert not parses("costanza post now one")


def test_every_account_add_has_its_guide_line() -> None:
    assert set(ADD_COMMANDS) == set(add_commands())
    for network, section in ADD_COMMANDS.items():
        assert guide.line(section) == f"Step-by-step guide: docs/accounts.md#{section}"
        assert add_commands()[network].epilog == guide.GUIDES[section]


def add_commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    account = cli.get_command(ctx, "account")
    assert isinstance(account, click.Group)
    add = account.get_command(ctx, "add")
    assert isinstance(add, click.Group)
    return {name: command for name in add.list_commands(ctx)
            if (command := add.get_command(ctx, name)) is not None}


def printed_links(output: str) -> list[tuple[str, str]]:
    return _LINK.findall(output)


@pytest.mark.parametrize("lang", ["en", "it"])
@pytest.mark.parametrize("network", sorted(ADD_COMMANDS))
def test_the_help_links_to_an_existing_section(network: str, lang: str) -> None:
    result = CliRunner().invoke(cli, ["--lang", lang, "account", "add", network, "--help"],
                                prog_name="costanza")
    assert result.exit_code == 0, result.output
    links = printed_links(result.output)
    assert len(links) == 1, result.output
    assert_exists(*links[0])
    assert links[0][1] == ADD_COMMANDS[network]


def assert_exists(name: str, anchor: str) -> None:
    assert anchor in {a for a, _ in anchors(ROOT / "docs" / name)}, f"{name}#{anchor}"


def italian_line(section: str) -> str:
    """The Italian of a section's line, from the catalog."""
    message = guide.GUIDES[section]
    before = i18n.language()
    i18n.set_language("it")
    try:
        translated = i18n.gettext(message)
    finally:
        i18n.set_language(before)
    assert translated != message, f"no Italian for {message!r}"
    return translated


@pytest.mark.parametrize("section", sorted(guide.GUIDES))
def test_the_italian_line_links_to_the_italian_guide(section: str) -> None:
    line = italian_line(section)
    links = printed_links(line)
    assert links == [("accounts.it.md", section)], line
    assert_exists(*links[0])
    assert_exists("accounts.md", section)


@pytest.mark.parametrize(("readme", "guide_file"), [("README.md", "docs/accounts.md"),
                                                    ("README.it.md", "docs/accounts.it.md")])
def test_the_readmes_link_to_the_guide(readme: str, guide_file: str) -> None:
    assert f"]({guide_file})" in text(ROOT / readme)
