"""Several real daemon processes sharing one PostgreSQL database and one sandbox.

- three daemons race over the same queue: every delivery goes out exactly once (the
  sandbox's own record says so) and the work is shared;
- a daemon frozen with SIGSTOP while it publishes, kept frozen past its lease: another
  daemon takes its deliveries over; woken with SIGCONT, the first one publishes nothing
  again and its late writes are refused.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.server import SandboxServer
from tests.integration.scale.harness import (
    DaemonProcess,
    add_profiles,
    attempts,
    daemon_ids,
    delivery_states,
    make_env,
    open_transactions,
    progress_of,
    queue_posts,
    sandbox_copies,
    set_up_home,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(data_dir=tmp_path / "sandbox") as server:
        yield server


def all_published(env: dict[str, str], count: int) -> bool:
    states = delivery_states(env)
    return len(states) == count and all(s[2] == "published" for s in states)


def stop_all(daemons: list[DaemonProcess]) -> list[int | None]:
    return [d.stop() for d in daemons]


def test_three_daemons_share_one_queue_and_publish_each_delivery_once(
        home: Path, pg_url: str, sandbox: SandboxServer, tmp_path: Path) -> None:
    client = SandboxClient(sandbox.base_url)
    client.set_latency(60)  # every platform call takes a while: the daemons overlap
    env = make_env(home, sandbox.base_url, pg_url)
    set_up_home(env, {"poll_seconds": 0.3, "lease_seconds": 30,
                      "per_network_concurrency": 64})
    profiles = ["default", "telaio", "ceramiche"]
    add_profiles(env, profiles, sandbox.base_url)
    daemons = [DaemonProcess(env, tmp_path / f"daemon-{i}.log", concurrency=3).start()
               for i in range(3)]
    try:
        assert wait_until(lambda: {d.pid for d in daemons} <= set(daemon_ids(env)), 30), \
            "the daemons did not all start:\n" + "\n".join(d.log() for d in daemons)
        ids = daemon_ids(env)
        ours = {ids[d.pid] for d in daemons}
        # All sixty are due at the same moment, a few seconds from now.
        at = datetime.now(UTC) + timedelta(seconds=3)
        texts = []
        for profile in profiles:
            batch = [f"[scale] {profile}: story {i} about wool and clay" for i in range(10)]
            queue_posts(env, profile, batch, ["x", "facebook"], at)
            texts += batch
        expected = {(network, text) for text in texts for network in ("x", "facebook")}
        assert len(expected) == 60
        assert wait_until(lambda: all_published(env, 60), 40, every=0.3), \
            f"not all published: {Counter(s[2] for s in delivery_states(env))}"
        time.sleep(1.0)  # a late second copy, if any, would show up now
        copies = sandbox_copies(client.posts())
        assert set(copies) == expected
        assert [k for k, n in copies.items() if n != 1] == [], "published more than once"
        rows = attempts(env)
        published_by = Counter(a[3] for a in rows if a[2] == "published")
        assert sum(published_by.values()) == 60, rows
        assert set(published_by) <= ours
        assert len(published_by) > 1, f"only one daemon did any work: {published_by}"
        assert all(d.alive() for d in daemons)
    finally:
        codes = stop_all(daemons)
    assert codes == [0, 0, 0], "\n".join(d.log() for d in daemons)
    for d in daemons:
        assert "Traceback" not in d.log(), d.log()


def test_a_daemon_frozen_past_its_lease_publishes_nothing_again_when_it_wakes(
        home: Path, pg_url: str, sandbox: SandboxServer, tmp_path: Path) -> None:
    client = SandboxClient(sandbox.base_url)
    env = make_env(home, sandbox.base_url, pg_url)
    set_up_home(env, {"poll_seconds": 0.3, "lease_seconds": 3})
    add_profiles(env, ["default"], sandbox.base_url)
    # The first three posts to X are slow: the network takes 2 s to answer (and the
    # post exists once it answers), so the first daemon is frozen mid-call.
    client.fault("x", "tweets", latency_ms=2000, times=3)
    first = DaemonProcess(env, tmp_path / "first.log", concurrency=3).start()
    second = DaemonProcess(env, tmp_path / "second.log", concurrency=3)
    try:
        assert wait_until(lambda: first.pid in daemon_ids(env), 30), first.log()
        first_id = daemon_ids(env)[first.pid]
        texts = [f"[lease] story {i}: the loom, the dye, the thread" for i in range(6)]
        queue_posts(env, "default", texts, ["x"], datetime.now(UTC) + timedelta(seconds=2))

        def publishing_by_first() -> list[int]:
            return [d[0] for d in delivery_states(env)
                    if d[3] == first_id and d[2] == "publishing"]

        def calling() -> bool:
            """Three deliveries publishing, each with its call to X about to go out."""
            held = publishing_by_first()
            return len(held) == 3 and all(
                p.get("x_sending") == 0 for p in progress_of(env, held).values())

        assert wait_until(calling, 20, every=0.02), f"{delivery_states(env)}\n{first.log()}"
        time.sleep(0.3)  # the calls are now at the sandbox, which holds them for 2 s
        # Freeze it outside any database transaction (its lease heartbeat writes a few
        # times a second): this test is about a frozen network call.
        for _ in range(20):
            first.signal(signal.SIGSTOP)
            time.sleep(0.05)
            if open_transactions(pg_url) == 0:
                break
            first.signal(signal.SIGCONT)
            time.sleep(0.03)
        else:
            pytest.fail("the first daemon could not be frozen outside a transaction")
        frozen = publishing_by_first()
        assert len(frozen) == 3

        second.start()
        assert wait_until(lambda: all_published(env, 6), 40, every=0.2), \
            f"{delivery_states(env)}\n{second.log()}"
        second_id = daemon_ids(env)[second.pid]
        rows = attempts(env)
        for delivery_id in frozen:
            done = [a for a in rows if a[0] == delivery_id and a[2] == "published"]
            # Taken over: the second daemon found the post on X (it had gone out
            # during the frozen call) instead of publishing it again.
            assert done == [(delivery_id, "reconcile", "published", second_id)], rows

        first.signal(signal.SIGCONT)
        # Awake again, the first daemon's answers arrive; every write it tries is refused.
        assert wait_until(lambda: first.log().count("another daemon took it over") >= 3,
                          20), first.log()
        time.sleep(1.5)  # time for anything it might still wrongly do
        copies = sandbox_copies(client.posts())
        assert copies == Counter({("x", text): 1 for text in texts}), copies
        assert all_published(env, 6)
        rows = attempts(env)
        assert not [a for a in rows if a[3] == first_id and a[0] in frozen], rows
        assert first.alive() and second.alive()
    finally:
        codes = stop_all([first, second])
    assert codes == [0, 0], first.log() + second.log()
    assert "Traceback" not in first.log() + second.log(), first.log() + second.log()
