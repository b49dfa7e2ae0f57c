"""Group commit against a real SQLite file: many threads' writes, few transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError

from posts.group_commit import GroupCommit
from posts.models import Profile
from posts.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class Refused(Exception):
    """A 'clean' failure: raised before writing anything."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'costanza.db'}")
    yield s
    s.dispose()


def add_profile(name: str) -> Any:
    def write(db: Any) -> int:
        profile = Profile(name=name, timezone="Europe/Rome", created_at=NOW)
        db.add(profile)
        db.flush()
        return profile.id
    return write


def names(store: Store) -> list[str]:
    # A separate connection: what is committed, not what one session sees.
    engine = create_engine(store.url)
    try:
        with engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(text("SELECT name FROM profiles")))
    finally:
        engine.dispose()


def run_in_threads(commits: GroupCommit, fns: list[Any]) -> list[Any]:
    """Run every fn from its own thread, all released at once; results or exceptions."""
    results: list[Any] = [None] * len(fns)
    start = threading.Barrier(len(fns))

    def call(i: int) -> None:
        start.wait()
        try:
            results[i] = commits.run(fns[i])
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_writes_of_many_threads_are_committed_in_fewer_transactions(store: Store) -> None:
    commits = GroupCommit(store)
    results = run_in_threads(commits, [add_profile(f"maker{i:02d}") for i in range(40)])
    commits.close()
    assert all(isinstance(r, int) for r in results)
    assert len(set(results)) == 40
    assert names(store) == [f"maker{i:02d}" for i in range(40)]
    assert commits.items == 40
    assert commits.batches < 40  # grouped: at least one transaction held several writes


def test_a_write_is_committed_when_run_returns(store: Store) -> None:
    commits = GroupCommit(store)
    commits.run(add_profile("anna"))
    assert names(store) == ["anna"]  # seen from another connection at once
    commits.close()


def test_a_clean_refusal_fails_only_its_caller(store: Store) -> None:
    def refuse(db: Any) -> None:
        db.execute(select(Profile.id)).all()
        raise Refused("no longer ours")

    commits = GroupCommit(store, clean=(Refused,))
    fns = [add_profile(f"maker{i}") for i in range(10)] + [refuse] * 5
    results = run_in_threads(commits, fns)
    commits.close()
    assert [type(r) for r in results[10:]] == [Refused] * 5
    assert names(store) == sorted(f"maker{i}" for i in range(10))


def test_a_failing_write_never_takes_the_others_down(store: Store) -> None:
    commits = GroupCommit(store)
    commits.run(add_profile("taken"))
    fns = [add_profile(f"maker{i}") for i in range(10)] + [add_profile("taken")]
    results = run_in_threads(commits, fns)
    commits.close()
    assert isinstance(results[-1], IntegrityError)  # its caller hears of it...
    assert all(isinstance(r, int) for r in results[:-1])  # ...the others are committed
    assert names(store) == sorted(["taken"] + [f"maker{i}" for i in range(10)])


def test_after_close_a_write_runs_alone(store: Store) -> None:
    commits = GroupCommit(store)
    commits.close()
    assert isinstance(commits.run(add_profile("late")), int)
    assert names(store) == ["late"]
