"""The rule "a command that fails changes nothing", over every command that changes things.

The command tree is walked from `costanza` itself: a new command that changes things must
get a failing case here, or be named read-only, or this test fails. Each failing case runs
against a home with a queued post, a photo in the media store and an account's keys in
secrets.toml, and checks that the command exits 1 or 2 with no traceback and that every
file (database, settings, secrets, media store, and anything else in the test's folder) is
byte-identical afterwards; on PostgreSQL the rows of every table are compared too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest

from config.secrets import SecretStore

HUGE = "99999999999999999999999"

# Commands that only read: they have no failing case to check, and are checked instead to
# change nothing even when they succeed.
READ_ONLY = {
    ("post", "list"): ("post", "list", "--all"),
    ("post", "show"): ("post", "show", "1"),
    ("queue",): ("queue",),
    ("cadence", "show"): ("cadence", "show"),
    ("status",): ("status",),
    ("log",): ("log", "--since", "30d"),
    ("account", "list"): ("account", "list"),
    ("costs",): ("costs", "--month", "2026-11"),
    ("comments",): ("comments", "--all"),
}


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    before: str = ""  # what to spoil first: "secrets" (unreadable secrets.toml), "settings"


def _cases() -> dict[tuple[str, ...], list[Case]]:
    photo, text = "{photo}", "{text}"
    return {
        ("init",): [Case(("init", "--timezone", "Europe/Nowhere")),
                    Case(("init", "--slots", "mon 25:00")),
                    Case(("init", "--timezone", "Europe/Rome"), before="settings")],
        ("init", "--force"): [Case(("init", "--force", "--timezone", "Europe/Nowhere")),
                              Case(("init", "--force", "--slots", "someday 10:00")),
                              Case(("init", "--force", "--slots", "mon 25:00"),
                                   before="settings")],
        ("post", "add"): [Case(("post", "add", "x", "--at", "2026-02-30 10:00")),
                          Case(("post", "add", "x", "--to", "myspace")),
                          Case(("post", "add", "x", "--photo", photo, "--photo", "nowhere.jpg")),
                          Case(("post", "add", "x", "--photo", photo, "--photo", text)),
                          Case(("post", "add", "x", "--photo", photo, "--alt", "a", "--alt", "b")),
                          Case(("post", "add", "--text-file", "nowhere.txt")),
                          Case(("post", "add", "--text-file", "{photo}")),
                          Case(("post", "add", "x", "--photo", photo), before="settings")],
        ("post", "edit"): [Case(("post", "edit", HUGE, "--text", "x")),
                           Case(("post", "edit", "1", "--to", "myspace")),
                           Case(("post", "edit", "1", "--at", "yesterday-ish")),
                           Case(("post", "edit", "1", "--text", "new", "--to", "x,myspace")),
                           Case(("post", "edit", "1", "--text", "lana " * 80))],
        ("post", "remove"): [Case(("post", "remove", "999")), Case(("post", "remove", "one"))],
        ("post", "move"): [Case(("post", "move", "999", "--to", "1")),
                           Case(("post", "move", "1", "--to", "zero")),
                           Case(("post", "move", "1", "--to", "0"))],
        ("post", "now"): [Case(("post", "now", "999")), Case(("post", "now", "1"),
                                                         before="settings")],
        ("retry",): [Case(("retry", "999")), Case(("retry", HUGE, "--force"))],
        ("comments", "read"): [Case(("comments", "read", "999")),
                               Case(("comments", "read", "1", HUGE))],
        ("comments", "hide"): [Case(("comments", "hide", "999"))],
        ("comments", "fetch"): [Case(("comments", "fetch"), before="settings"),
                                Case(("comments", "fetch", "--post", "1"))],
        ("reply",): [Case(("reply", "999", "Grazie!")), Case(("reply", HUGE, "")),
                     Case(("reply", "1", "-"))],
        ("cadence", "set"): [Case(("cadence", "set", "mon 25:00")),
                             Case(("cadence", "set", "mon 10:00", "--timezone", "Mars/Olympus"))],
        ("pause",): [Case(("pause", "--until", "9999-12-31")),
                     Case(("pause", "--from", "2027-08-24", "--until", "2027-08-08")),
                     Case(("pause", "--from", "the 8th"))],
        ("resume",): [Case(("resume", "--everything")), Case(("resume",), before="settings")],
        ("daemon",): [Case(("daemon", "--concurrency", "0")),
                      Case(("daemon", "--once"), before="settings")],
        ("report",): [Case(("report", "--out", "{tmp}/steady.txt")),
                      Case(("report", "--weeks", "0", "--out", "{tmp}/steady.png"))],
        ("account", "add", "x"): [
            Case(("account", "add", "x", "--consumer-key", "{x_key}", "--consumer-secret",
                  "{x_secret}", "--access-token", "{x_token}", "--access-token-secret",
                  "{x_token_secret}", "--name", "bottega-x"), before="secrets"),
            Case(("account", "add", "x", "--consumer-key", "{x_key}", "--consumer-secret",
                  "{x_secret}", "--no-prompt"), before="secrets"),
            Case(("account", "add", "x", "--consumer-key", "{x_key}", "--consumer-secret",
                  "{x_secret}", "--pin", "1234567")),
            Case(("account", "add", "x", "--consumer-key", "{x_key}", "--consumer-secret",
                  "wrong", "--access-token", "{x_token}", "--access-token-secret",
                  "{x_token_secret}", "--name", "bottega-x"))],
        ("account", "add", "facebook"): [
            Case(("account", "add", "facebook",)),
            Case(("account", "add", "facebook", "--page-token", "{fb_token}"),
                 before="secrets"),
            Case(("account", "add", "facebook", "--page-token", "EAAB" + "0" * 40))],
        ("account", "add", "instagram"): [
            Case(("account", "add", "instagram",)),
            Case(("account", "add", "instagram", "--ig-user-id", "{ig_id}", "--token",
                  "{ig_token}"), before="secrets"),
            Case(("account", "add", "instagram", "--ig-user-id", "{ig_id}", "--token",
                  "EAAB" + "0" * 40)),
            Case(("account", "add", "instagram", "--instagram-login")),
            Case(("account", "add", "instagram", "--instagram-login", "--token", "IGAA1",
                  "--page-id", "123")),
            Case(("account", "add", "instagram", "--app-secret", "s")),
            Case(("account", "add", "instagram", "--instagram-login", "--token",
                  "IGAA" + "0" * 40, "--app-secret", "s")),
            Case(("account", "add", "instagram", "--instagram-login", "--token",
                  "IGAA" + "0" * 40), before="secrets")],
        ("account", "remove"): [Case(("account", "remove", "nobody")),
                                Case(("account", "remove", "x"), before="secrets")],
        ("account", "check"): [Case(("account", "check", "nobody")),
                               Case(("account", "check"), before="secrets")],
        ("check",): [Case(("check",), before="secrets"), Case(("check",), before="settings")],
        ("sandbox",): [Case(("sandbox", "--port", "99999")),
                       Case(("sandbox", "--data", "{tmp}/sandbox", "--latency-ms", "-1"))],
        ("sandbox", "connect"): [Case(("sandbox", "connect",), before="no sandbox"),
                                 Case(("sandbox", "connect",), before="secrets"),
                                 Case(("sandbox", "--port", "8787", "connect"))],
        ("demo",): [Case(("demo", "--folder", "{tmp}/demo", "--timeout", "0"))],
        ("web",): [Case(("web", "--port", "99999")), Case(("web",), before="settings")],
        ("service", "install"): [Case(("service", "install", "--user"), before="unwritable"),
                                 Case(("service", "install", "--system-wide"))],
    }


CASES = _cases()
FLAG_VARIANTS = {("init", "--force")}  # one command, a mode of its own to cover


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command a person can run: the leaves of the tree, and the groups that run
    something themselves (``invoke_without_command``)."""
    if not isinstance(command, click.Group):
        yield path
        return
    if command.invoke_without_command and path:
        yield path
    ctx = click.Context(command)
    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is not None and not sub.hidden:
            yield from command_paths(sub, (*path, name))


def test_every_command_that_changes_things_has_a_failing_case() -> None:
    from costanza.cli.main import cli

    paths = set(command_paths(cli))
    assert paths, "the command tree is empty"
    unlisted = paths - set(CASES) - set(READ_ONLY)
    assert not unlisted, (f"{sorted(unlisted)} change things? Give each a failing case in "
                          "CASES, or name it in READ_ONLY.")
    assert not set(CASES) & set(READ_ONLY)
    gone = (set(CASES) - FLAG_VARIANTS - paths) | (set(READ_ONLY) - paths)
    assert not gone, f"{sorted(gone)} are no longer commands: drop them here"
    for variant in FLAG_VARIANTS:
        assert variant[:-1] in paths
        assert all(variant[-1] in case.args for case in CASES[variant])


# --- the home every case runs against ----------------------------------------------------

def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in order: the database's content, whatever the file."""
    from sqlalchemy import create_engine, select

    from posts.models import Base

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: sorted(tuple(map(repr, row)) for row in
                                  conn.execute(select(table)).all())
                    for name, table in sorted(Base.metadata.tables.items())}
    finally:
        engine.dispose()


def snapshot(folder: Path, database_url: str | None) -> dict[str, Any]:
    """Every file under ``folder`` by content hash (and folders by name), plus the rows of
    a database that is not a file in it."""
    files: dict[str, Any] = {
        str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest()
                                     if p.is_file() else "folder")
        for p in sorted(folder.rglob("*"))
        if not p.name.endswith(("-wal", "-shm", "-journal"))}
    if database_url:
        files["database rows"] = _rows(database_url)
    return files


@pytest.fixture
def sandbox_url(tmp_path_factory: pytest.TempPathFactory,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The sandbox as a real HTTP server (its records outside the folder compared)."""
    from costanza.demo.sandbox.server import SandboxServer

    server = SandboxServer(data_dir=tmp_path_factory.mktemp("sandbox"))
    base = server.start()
    monkeypatch.setenv("COSTANZA_PLATFORM_URL", base)
    try:
        yield base
    finally:
        server.stop()


@pytest.fixture
def world(run, home: Path, tmp_path: Path, app, monkeypatch: pytest.MonkeyPatch,
          backend: str, sandbox_url: str) -> dict[str, Any]:
    """A set-up home with a post carrying a photo, an account and its keys, and the
    sandbox's credentials for the networks."""
    from PIL import Image

    from costanza.demo.sandbox.control import SandboxClient
    from posts.models import Account
    from posts.profiles import get_profile

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    photo = tmp_path / "gomitoli.jpg"
    Image.new("RGB", (1200, 900), (180, 120, 60)).save(photo, quality=90)
    text = tmp_path / "notes.txt"
    text.write_text("not a photo at all\n", encoding="utf-8")
    added = run("post", "add", "La lana", "--photo", str(photo), "--to", "x")
    assert added.exit_code == 0, added.output
    SecretStore(home / "secrets.toml", env={}).put(
        "x", {"consumer_key": "k" * 25, "consumer_secret": "s" * 50})
    with app.store.write() as db:
        db.add(Account(profile_id=get_profile(db, "default").id, network="x", name="x",
                       remote_id="1", created_at=app.clock.now()))
    assert any((home / "media").rglob("*")) or any(home.rglob("*.jpg"))
    creds = SandboxClient(sandbox_url).create_accounts("bottega")
    x, fb, ig = creds["x"], creds["facebook"], creds["instagram"]
    return {"photo": str(photo), "text": str(text), "tmp": str(tmp_path),
            "database_url": os.environ.get("COSTANZA_DATABASE_URL"),
            "x_key": x["consumer_key"], "x_secret": x["consumer_secret"],
            "x_token": x["access_token"], "x_token_secret": x["access_token_secret"],
            "fb_token": fb["page_token"], "ig_id": ig["ig_user_id"], "ig_token": ig["token"]}


_SPOIL: dict[str, Callable[[Path, Path], None]] = {
    "secrets": lambda home, tmp: (home / "secrets.toml").write_bytes(b"\xff\xfe not utf-8"),
    "settings": lambda home, tmp: (home / "config.toml").write_text(
        "[daemon]\npoll_seconds = nan\n", encoding="utf-8"),
    "no sandbox": lambda home, tmp: os.environ.pop("COSTANZA_PLATFORM_URL"),
    "unwritable": lambda home, tmp: (tmp / "xdg").write_text("a file, not a folder",
                                                              encoding="utf-8"),
}


def _refused(result: Any) -> str:
    out = result.output
    assert result.exit_code in (1, 2), (result.exit_code, out)
    assert "Traceback" not in out
    assert "unexpected problem" not in out, out
    assert out.strip(), "a refusal says why"
    return out


@pytest.mark.parametrize(("path", "case"), [(path, case) for path, cases in CASES.items()
                                            for case in cases],
                         ids=lambda v: " ".join(v) if isinstance(v, tuple) else
                         (" ".join(v.args) + (f" [{v.before}]" if v.before else "")))
def test_a_failed_command_changes_nothing(world: dict[str, Any], run, home: Path,
                                          tmp_path: Path, path: tuple[str, ...],
                                          case: Case) -> None:
    if case.before:
        _SPOIL[case.before](home, tmp_path)
    args = [a.format(**world) for a in case.args]
    before = snapshot(tmp_path, world["database_url"])
    _refused(run(*args))
    assert snapshot(tmp_path, world["database_url"]) == before, args


@pytest.mark.parametrize("path", sorted(READ_ONLY), ids=" ".join)
def test_a_read_only_command_changes_nothing_even_when_it_works(
        world: dict[str, Any], run, tmp_path: Path, path: tuple[str, ...]) -> None:
    before = snapshot(tmp_path, world["database_url"])
    result = run(*READ_ONLY[path])
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path, world["database_url"]) == before
