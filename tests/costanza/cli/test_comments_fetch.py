"""`costanza comments fetch` through the real command line, on a real database: the
posts it leaves alone said in plain words (no network is called for them), --json, the
comments switched off, and nothing set up. (Reading from the networks themselves is in
tests/integration/test_comments_done_when.py, against the sandbox.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from click.testing import Result
from sqlalchemy import select

from config.clock import FakeClock
from costanza.app import App
from posts.comment_tables import CommentWatch
from posts.models import Account
from tests.factories.comments import published

Run = Callable[..., Result]
HOUR = timedelta(hours=1)


def _held(app: App, clock: FakeClock) -> int:
    """A post published on Facebook an hour ago, its page held (the login expired)."""
    d = published(app, "facebook", clock.now() - HOUR, remote_id="fb1")
    with app.store.write() as db:
        account = db.scalars(select(Account)).one()
        account.health, account.health_reason = "held", "the login expired"
    return d


def test_a_post_left_alone_is_said_plainly(app: App, clock: FakeClock, run: Run) -> None:
    _held(app, clock)
    result = run("comments", "fetch")
    assert result.exit_code == 0, result.output
    assert ("Not read now, post 1 on Facebook: the account my-facebook needs your attention "
            "(the login expired); `costanza status` says what to do.") in result.output
    assert "Traceback" not in result.output


def test_json_gives_the_counts_and_the_reasons(app: App, clock: FakeClock, run: Run) -> None:
    d = _held(app, clock)
    result = run("comments", "fetch", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"profile", "timezone", "at", "at_local", "enabled", "watched",
                         "looked", "new", "changed", "deleted", "networks", "skipped",
                         "problems", "message"}
    assert (data["enabled"], data["watched"], data["looked"], data["networks"]) == (
        True, 1, 0, [])
    [skipped] = data["skipped"]
    assert skipped == {"post_id": 1, "delivery_id": d, "network": "facebook",
                       "account": "my-facebook", "reason": "attention", "until": None,
                       "until_local": None, "message": skipped["message"]}
    with app.store.read() as db:  # watched from now on, for when the page is connected
        assert db.get(CommentWatch, d) is not None


def test_comments_off_says_so_and_fetches_nothing(app: App, clock: FakeClock, run: Run,
                                                  home: Path) -> None:
    published(app, "facebook", clock.now() - HOUR, remote_id="fb1")
    from config.edit import set_values

    set_values(home / "config.toml", "comments", {"max_age_days": 0})
    result = run("comments", "fetch")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("Costanza does not look for comments now: `[comments] "
                                     "max_age_days` is 0 in the settings. Nothing was "
                                     "fetched.")
    assert json.loads(run("comments", "fetch", "--json").output)["enabled"] is False
    with app.store.read() as db:
        assert db.scalars(select(CommentWatch)).first() is None


def test_nothing_published_yet(app: App, run: Run) -> None:
    result = run("comments", "fetch")
    assert result.exit_code == 0, result.output
    assert "No published post to look under" in result.output


def test_not_set_up_is_refused_plainly(run: Run) -> None:
    result = run("comments", "fetch")
    assert result.exit_code == 1
    assert "costanza init" in result.output and "Traceback" not in result.output


def test_an_unknown_profile_is_refused(app: App, run: Run) -> None:
    result = run("--profile", "nobody", "comments", "fetch")
    assert result.exit_code == 1
    assert "nobody" in result.output and "Traceback" not in result.output


def test_an_unknown_option_is_refused(app: App, run: Run) -> None:
    result = run("comments", "fetch", "--everything")
    assert result.exit_code in (1, 2) and "--everything" in result.output
