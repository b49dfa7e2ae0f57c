"""Every example in `--help` works when pasted, exactly as it is printed.

Click re-wraps help paragraphs, which once broke the `init` example in two
("fri" on one line, "12:00" on the next); each Example block is therefore kept
verbatim with click's \\b marker. Here the real CLI renders each command's help
(narrow, so a re-wrap would show), the example lines are taken from it as
printed, continuation lines joined, split as a shell would (shlex), and run in
a fresh COSTANZA_HOME set up beforehand, against a real sandbox server, with
the files the examples name made first. What is checked is that they parse: no
usage error (exit code 2), no "is not a slot"-style complaint about a time, a
date, a slot or a name, and no crash. An example may still end with exit code 1
for a reason of the moment (there is no delivery 12 to retry, the sandbox does
not know the token EAAB...).
"""

from __future__ import annotations

import itertools
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from config.clock import FakeClock
from costanza.cli.main import cli
from tests.costanza.cli.test_help import _all_commands
from tests.factories.media import make_heic, make_jpeg, make_mp4, make_png

# Commands checked with click's parser only (`make_context`), never run: they do not
# return (the daemon, the sandbox server, the web page, `log --follow`), or start a whole run of
# their own that tests/costanza/demo/test_demo.py covers (the demo, about a minute).
PARSE_ONLY = {("daemon",), ("sandbox",), ("demo",), ("web",)}
FOLLOW = {"--follow", "-f"}

# What Costanza says (exit code 1) when it cannot read a time, a date, a slot or a name.
PARSE_COMPLAINTS = ("is not a slot", "does not start with a weekday", "is not a time",
                    "No slots were given", "is not a date", "is not a network",
                    "is not a time zone", "Costanza understands for")

# Before every date in the examples, so that none of them has passed.
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
STORIES = 7  # the examples name posts 3 and 7


@pytest.fixture(autouse=True)
def _every_backend() -> str:
    """Parsing does not depend on the database: SQLite only (the commands' own tests
    run on PostgreSQL too)."""
    return "sqlite"


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    from costanza.demo.sandbox.server import SandboxServer

    with SandboxServer() as server:
        yield server.base_url


def example_lines(help_text: str) -> list[str]:
    """The commands of the Example: block as a shell reads them when pasted: a line
    ending in `\\` goes on with the next, and so does a line inside an open quote
    (with its line break, which is how a re-wrapped slot list became "fri")."""
    commands: list[str] = []
    pending = ""
    for line in help_text.split("Example:", 1)[1].splitlines():
        if line and not line[0].isspace():
            break  # "Options:" or "Commands:": the block is over
        text = line.strip()
        if not text and not pending:
            continue
        if text.endswith("\\"):
            pending += text[:-1]
            continue
        pending += text
        try:
            shlex.split(pending)
        except ValueError:  # an open quote: the shell reads on
            pending += "\n"
            continue
        commands.append(pending)
        pending = ""
    return [command for command in commands if command.startswith("costanza ")]


def _render_help(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=60,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _make_inputs(args: list[str], folder: Path) -> None:
    """The photos, videos and text files an example names, made on the spot."""
    makers = {".heic": make_heic, ".jpg": make_jpeg, ".jpeg": make_jpeg, ".png": make_png}
    for option, value in itertools.pairwise(args):
        path = folder / value
        if option not in ("--photo", "--video", "--text-file") or path.exists():
            continue
        suffix = path.suffix.lower()
        if option == "--video":
            make_mp4(path)
        elif option == "--text-file":
            path.write_text("La lana arriva dalla Val di Fiemme.\n", encoding="utf-8")
        else:
            makers[suffix](path, size=(1080, 1080))


def _parse_only(args: list[str]) -> None:
    """Parse with click's own parser, through the groups, without invoking anything."""
    command: click.Command = cli
    ctx: click.Context | None = None
    name, rest = "costanza", [token for token in args if token != "&"]  # `&`: the shell's
    while isinstance(command, click.Group):
        names = set(command.list_commands(ctx or click.Context(command)))
        at = next((i for i, token in enumerate(rest) if token in names), None)
        if at is None:  # the group itself runs (`costanza sandbox --port 8787`)
            break
        ctx = command.make_context(name, rest[:at + 1], parent=ctx)
        name, rest = rest[at], rest[at + 1:]
        sub = command.get_command(ctx, name)
        assert sub is not None, name
        command = sub
    command.make_context(name, rest, parent=ctx)


def _run(args: list[str], folder: Path) -> Result:
    """Run as the shell would: `> FILE` sends the output to FILE."""
    out = None
    if ">" in args:
        at = args.index(">")
        args, out = args[:at], folder / args[at + 1]
    result = CliRunner().invoke(cli, args, input="2718281\n1\n", catch_exceptions=False)
    if out is not None:
        out.write_text(result.stdout, encoding="utf-8")
    return result


def _set_up(folder: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--timezone", "Europe/Rome"]).exit_code == 0
    for n in range(1, STORIES + 1):
        result = runner.invoke(cli, ["post", "add", f"Storia {n}", "--to", "x"])
        assert result.exit_code == 0, result.output


def _below(name: str, command: click.Command) -> Iterator[tuple[str, click.Command]]:
    yield name, command
    for sub_name, sub in getattr(command, "commands", {}).items():
        yield from _below(f"{name} {sub_name}", sub)


def _every_command() -> list[tuple[str, click.Command]]:
    """`costanza` itself, and every command and subcommand however deep (`account add
    facebook` is two groups down)."""
    tops = [(name, command) for name, command in _all_commands() if " " not in name]
    return [("costanza", cli), *(pair for top in tops for pair in _below(*top))]


COMMANDS = _every_command()


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=lambda v: str(v))
def test_help_examples_paste_and_parse(name: str, command: click.Command, home: Path,
                                       tmp_path: Path, sandbox_url: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tuple(name.split()[1:] if name == "costanza" else name.split())
    printed = _render_help(path)
    examples = example_lines(printed)
    assert examples, f"`costanza {name} --help` prints no example:\n{printed}"
    source_lines = {line.strip() for line in (command.help or "").splitlines()}
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("COSTANZA_PLATFORM_URL", sandbox_url)
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):  # nothing lands outside
        monkeypatch.setenv(var, str(folder))
    monkeypatch.setattr("costanza.app.SystemClock", lambda: FakeClock(NOW))
    if not any(line.startswith("costanza init") for line in examples):
        _set_up(folder)
    block = printed.split("Example:", 1)[1].split("\n\n", 2)[1]
    for printed_line in block.splitlines():
        assert printed_line.strip() in source_lines, f"re-wrapped in --help: {printed_line!r}"
    for line in examples:
        args = shlex.split(line)[1:]
        if tuple(args[:1]) in PARSE_ONLY or FOLLOW & set(args):
            _parse_only(args)
            continue
        _make_inputs(args, folder)
        result = _run(args, folder)
        said = result.output
        assert result.exit_code != 2, f"{line!r} is a usage error:\n{said}"
        assert not any(words in said for words in PARSE_COMPLAINTS), f"{line!r}:\n{said}"
        assert "unexpected problem" not in said, f"{line!r}:\n{said}"


def test_a_wrapped_example_is_caught(home: Path) -> None:
    """What the check would have said about the `init` example before it was kept
    verbatim: click broke the slot list in two, and the shell reads the break."""
    printed = ('Usage: costanza init\n\n  Example:\n\n      costanza init --slots "mon 09:30, '
               'fri\n      12:00"\n      costanza post add "a" \\\n          --to x\n\n'
               "Options:\n  --help\n")
    examples = example_lines(printed)
    assert examples == ['costanza init --slots "mon 09:30, fri\n12:00"',
                        'costanza post add "a" --to x']
    result = _run([*shlex.split(examples[0])[1:], "--timezone", "Europe/Rome"], home)
    assert result.exit_code == 1
    assert "'fri' is not a slot" in result.output
