"""Bad input through the real command line: a plain message, exit 1 or 2, no traceback,
and nothing changed in the database, the media store or secrets.toml."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.secrets import SecretStore

HUGE = "99999999999999999999999"


def snapshot(home: Path) -> dict[str, str]:
    """Every file of the home (database, media store, secrets) by content hash."""
    return {str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(home.rglob("*")) if p.is_file()
            and not p.name.endswith(("-wal", "-shm"))}


def refused(result, code: int | None = None) -> str:
    assert result.exit_code in ((code,) if code else (1, 2)), result.output
    assert "Traceback" not in result.output
    assert "unexpected problem" not in result.output
    return result.output


@pytest.fixture
def ready(run, home: Path) -> Path:
    assert run("init", "--timezone", "Europe/Rome").exit_code == 0
    assert run("post", "add", "La lana", "--to", "x").exit_code == 0
    return home


@pytest.mark.parametrize("args", [
    ("post", "edit", HUGE, "--text", "x"), ("post", "remove", HUGE), ("post", "show", HUGE),
    ("post", "move", HUGE, "--to", "1"), ("post", "now", HUGE), ("retry", HUGE),
    ("log", "--post", HUGE)])
def test_ids_too_large_for_the_database_are_unknown_ids(ready: Path, run, args) -> None:
    before = snapshot(ready)
    out = refused(run(*args), 1)
    assert f"There is no {'delivery' if args[0] == 'retry' else 'post'} {HUGE}" in out
    assert snapshot(ready) == before


@pytest.mark.parametrize(("args", "words"), [
    (("post", "add", "x", "--at", "0001-01-01 00:00"), "from 1970 to 9998"),
    (("log", "--since", "99999999999999999999d"), "from 1970 to 9998"),
    (("pause", "--until", "9999-12-31"), "from 1970 to 9998"),
    (("sandbox", "--port", "99999"), "from 1 to 65535"),
    (("daemon", "--concurrency", "0"), "from 1 to 256"),
    (("post", "add", "x", "--at", ""), "it is empty"),
    (("cadence", "set", "mon 10:00", "--timezone", ""), "it is empty"),
    (("post", "add", "x", "--at", "2030-01-01 10:00", "--top"), "cannot go together"),
    (("post", "edit", "1", "--at", "2030-01-01 10:00", "--unpin"), "cannot go together"),
    (("post", "add", "\udced\udca0\udc80"), "not UTF-8"),
])
def test_bad_input_is_refused_plainly_and_changes_nothing(ready: Path, run, args,
                                                          words: str) -> None:
    before = snapshot(ready)
    assert words in refused(run(*args))
    assert snapshot(ready) == before


def test_long_input_is_cut_in_the_message(ready: Path, run) -> None:
    out = refused(run("--profile", "a" * 5000, "post", "list"), 1)
    assert len(out) < 600
    assert "(5,000 characters)" in out


@pytest.mark.parametrize("line", [
    "[daemon]\npoll_seconds = nan\n", "[daemon]\npoll_seconds = inf\n",
    "[daemon]\npoll_seconds = 1e400\n", "[daemon]\nper_network_concurrency = 100000000000\n",
    '[database]\nurl = "not a url"\n', '[database]\nurl = "sqlite:////nonexistent/dir/x.db"\n',
    '[daemon]\ngrace_period = "99999999999999999999d"\n'])
def test_bad_settings_name_the_key_and_change_nothing(ready: Path, run, line: str,
                                                      backend: str) -> None:
    if backend == "postgres" and "[database]" in line:
        pytest.skip("COSTANZA_DATABASE_URL names the database on this backend")
    cfg = ready / "config.toml"
    cfg.write_text(line, encoding="utf-8")
    before = snapshot(ready)
    out = refused(run("status"), 1)
    assert str(cfg) in out
    assert ("from" in out and "to" in out) or "at most" in out or "does not exist" in out \
        or "not a database address" in out
    assert not Path("/nonexistent/dir").exists()
    assert snapshot(ready) == before


def test_account_remove_with_an_unreadable_secrets_file_keeps_the_account(
        ready: Path, run, app) -> None:
    from posts.models import Account
    from posts.profiles import get_profile

    SecretStore(ready / "secrets.toml", env={}).put("x", {"consumer_key": "k" * 12})
    with app.store.write() as db:
        db.add(Account(profile_id=get_profile(db, "default").id, network="x", name="x",
                       remote_id="1", created_at=app.clock.now()))
    (ready / "secrets.toml").write_bytes(b"\xff\xfe not utf-8")
    before = snapshot(ready)
    for args in (("account", "remove", "x"), ("account", "check")):
        out = refused(run(*args), 1)
        assert "cannot be read" in out
    assert snapshot(ready) == before
    assert "x:" in run("account", "list").output


@pytest.mark.parametrize("shape", [(1, 100000), (100000, 1)])
def test_photos_no_network_can_show_are_refused_for_every_network(
        ready: Path, run, tmp_path: Path, shape: tuple[int, int]) -> None:
    from PIL import Image

    photo = tmp_path / "line.png"
    Image.new("L", shape, 128).save(photo)
    before = snapshot(ready)
    for network in ("x", "facebook", "instagram"):
        out = refused(run("post", "add", "a line", "--photo", str(photo), "--to", network), 1)
        assert "far too" in out and "crop it" in out
    assert snapshot(ready) == before


_WORDS = st.sampled_from([
    "post", "add", "edit", "show", "remove", "move", "now", "list", "log", "retry", "queue",
    "pause", "cadence", "set", "status", "--at", "--top", "--unpin", "--to", "--since",
    "--until", "--from", "--limit", "--post", "--timezone", "--json", "--csv", "x",
    "instagram", "1", "0", "-1", HUGE, "", "nan", "2026-02-30 10:00", "0001-01-01 00:00",
    "mon 25:00", "Europe/Nowhere"])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(st.one_of(_WORDS, st.text(max_size=30)), min_size=1, max_size=6))
def test_fuzz_every_failed_command_is_plain_and_changes_nothing(ready: Path, run,
                                                                args: list[str]) -> None:
    if args[0] in ("daemon", "sandbox", "demo") or "--follow" in args:
        return
    before = snapshot(ready)
    result = run(*args)
    assert "Traceback" not in result.output
    assert "unexpected problem" not in result.output, (args, result.output)
    if result.exit_code != 0:
        assert result.exit_code in (1, 2)
        assert snapshot(ready) == before, args
