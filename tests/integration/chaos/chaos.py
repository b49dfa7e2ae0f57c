"""The chaos suite: a real daemon process, killed with SIGKILL at seeded random moments,
while the sandbox injects every kind of fault; the sandbox's own record then tells
whether any story went out twice, or was lost.

Run on its own (the full version)::

    python -m tests.integration.chaos.chaos --kills 300 --posts 60 --seed 7

The test suite runs a reduced version (tests/integration/chaos/test_chaos.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

# (network, endpoint, fault options): every fault class, on the calls that create things.
FAULTS: list[tuple[str, str | None, dict[str, Any]]] = [
    ("x", "tweets", {"after_effect": True, "status": 500}),
    ("x", "tweets", {"after_effect": True, "drop": True}),
    ("x", "tweets", {"drop": True}),
    ("x", "tweets", {"status": 503}),
    ("x", "tweets", {"rate_limit_reset": 2}),
    ("x", "media_upload", {"status": 500}),
    ("x", "media_upload", {"drop": True}),
    ("x", "tweets", {"timeout": True, "hold_secs": 1.0}),
    ("facebook", "feed", {"after_effect": True, "status": 500}),
    ("facebook", "feed", {"after_effect": True, "drop": True}),
    ("facebook", "photos", {"after_effect": True, "status": 500}),
    ("facebook", "photos", {"drop": True}),
    ("facebook", "videos", {"status": 500}),
    ("facebook", "feed", {"rate_limit_reset": 2}),
    ("facebook", "feed", {"timeout": True, "hold_secs": 1.0}),
    ("instagram", "media_publish", {"after_effect": True, "status": 500}),
    ("instagram", "media_publish", {"after_effect": True, "drop": True}),
    ("instagram", "media", {"after_effect": True, "drop": True}),
    ("instagram", "media", {"status": 500}),
    ("instagram", "media_publish", {"rate_limit_reset": 2}),
    ("instagram", "comments", {"drop": True}),
    ("instagram", "container", {"drop": True}),
    # Held past the HTTP timeout, created before the settle period ends (see CHAOS_NETWORKS).
    ("x", "tweets", {"commit_delay_secs": 4.0, "method": "POST"}),
    ("facebook", "feed", {"commit_delay_secs": 4.0}),
    ("facebook", "photos", {"commit_delay_secs": 4.0}),
    ("instagram", "media_publish", {"commit_delay_secs": 4.0}),
]
# The run's short network settings: a request gets no answer after 2 s, and a post not
# found is published again only 6 s after the last request that could create it.
CHAOS_NETWORKS = {"timeout_seconds": 2, "settle_seconds_x": 6, "settle_seconds_facebook": 6,
                  "settle_seconds_instagram": 6}
TERMINAL = {"published", "failed", "needs_review"}


@dataclass
class ChaosReport:
    kills: int = 0
    deliveries: int = 0
    published: int = 0
    failed: int = 0
    needs_review: int = 0
    unsettled: int = 0
    doubles: int = 0
    losses: int = 0
    unknowns: int = 0
    reconciled_automatically: int = 0
    checking: int = 0  # deliveries that waited for their settle period ("checking")
    faults_armed: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    @property
    def reconciled_share(self) -> float:
        return self.reconciled_automatically / self.unknowns if self.unknowns else 1.0

    def lines(self) -> list[str]:
        return [
            f"kills survived: {self.kills}",
            f"deliveries: {self.deliveries} (published {self.published}, failed {self.failed},"
            f" needs review {self.needs_review}, not settled {self.unsettled})",
            f"doubles: {self.doubles}",
            f"losses: {self.losses}",
            f"unknown outcomes: {self.unknowns}, reconciled automatically "
            f"{self.reconciled_automatically} ({self.reconciled_share:.0%}), "
            f"{self.checking} checked again after their settle period",
            "fault classes armed per network: " + ", ".join(
                f"{k}: {v}" for k, v in sorted(self.faults_armed.items())),
        ]


def _stories(count: int, seed: int, media: Path) -> list[dict[str, Any]]:
    from costanza.demo.media import make_photo, make_video

    rng = random.Random(seed)
    photos = [make_photo(media / f"p{i}.jpg", (1080, 1080), (40 * i % 255, 120, 90),
                         f"photo {i}") for i in range(4)]
    video = make_video(media / "clip.mp4", seconds=3.5)
    kinds = ["text", "photo", "photos", "video", "thread"]
    stories = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        marker = f"[chaos {seed}-{i}]"
        text = f"{marker} story {i}, a {kind} post"
        story: dict[str, Any] = {"marker": marker, "kind": kind, "photos": [], "video": None}
        if kind == "text":
            story["targets"] = ["facebook", "x"]
        elif kind == "photo":
            story["photos"] = [photos[rng.randrange(4)]]
            story["targets"] = ["facebook", "instagram", "x"]
        elif kind == "photos":
            story["photos"] = photos[: rng.randint(2, 4)]
            story["targets"] = ["facebook", "instagram", "x"]
        elif kind == "video":
            story["video"] = video
            story["targets"] = ["facebook", "instagram", "x"]
        else:
            text += " " + " ".join(f"Sentence {j} of story {i} about wool and care."
                                   for j in range(18))
            story["targets"] = ["x", "facebook"]
            story["thread"] = True
        story["text"] = text
        stories.append(story)
    return stories


def _faults(held_secs: float | None) -> list[tuple[str, str | None, dict[str, Any]]]:
    """FAULTS, with the held requests held ``held_secs`` instead (when given)."""
    if held_secs is None:
        return FAULTS
    return [(n, e, {**o, "commit_delay_secs": held_secs} if "commit_delay_secs" in o else o)
            for n, e, o in FAULTS]


# With --held: the daemon's real timeout and settle periods, against requests the network
# holds longer than that timeout (the case: held 40 s, timeout 30 s, settle 120 s).
REAL_NETWORKS = {"timeout_seconds": 30, "settle_seconds_x": 120,
                 "settle_seconds_facebook": 120, "settle_seconds_instagram": 120}


def run_chaos(kills: int, posts: int, seed: int, folder: Path | None = None,
              say: Any = print, settle_timeout: float = 240.0,
              held_secs: float | None = None) -> ChaosReport:
    from config.edit import set_values
    from costanza.app import App
    from costanza.demo.accounts import connect_sandbox_accounts
    from costanza.demo.file_server import serve_folder
    from costanza.demo.sandbox.control import SandboxClient
    from costanza.demo.sandbox.server import SandboxServer
    from costanza.services.setup import initialise
    from posts import queue
    from posts.profiles import get_profile

    rng = random.Random(seed)
    work = folder or Path(tempfile.mkdtemp(prefix="costanza-chaos-"))
    report = ChaosReport()
    with SandboxServer(data_dir=work / "sandbox", latency_ms=15) as sandbox, \
            serve_folder(work / "public") as public_url:
        client = SandboxClient(sandbox.base_url)
        # X's own posting caps (100 a day in the sandbox, as on X's basic tier) would leave
        # a long run's last posts waiting for tomorrow: a matter of rate limits, which the
        # faults below inject on purpose, not of surviving kills.
        client.settings(ig_processing_secs=0.5, x_tweets_per_day=100_000,
                        x_tweets_per_window=100_000)
        env = dict(os.environ, COSTANZA_HOME=str(work / "home"),
                   COSTANZA_PLATFORM_URL=sandbox.base_url)
        env.pop("COSTANZA_DATABASE_URL", None)
        app = App.load(env=env)
        initialise(app, timezone="Europe/Rome", slots="mon 09:30", force=False)
        cfg = app.settings.home.config_file
        set_values(cfg, "daemon", {"poll_seconds": 0.2, "lease_seconds": 5,
                                   "max_attempts": 50, "retry_base_seconds": 0.5,
                                   "retry_max_seconds": 5})
        set_values(cfg, "networks", CHAOS_NETWORKS if held_secs is None else REAL_NETWORKS)
        set_values(cfg, "media_host", {"kind": "folder", "path": str(work / "public"),
                                       "base_url": public_url})
        app.close()
        app = App.load(env=env)
        connect_sandbox_accounts(app, sandbox.base_url, "chaos", env)
        media = work / "originals"
        media.mkdir(exist_ok=True)
        stories = _stories(posts, seed, media)
        # Spread the stories over the time the kills take, so that kills land mid-publish.
        spacing = max(0.15, kills * 1.8 / max(1, posts))
        start = app.clock.now() + timedelta(seconds=1)
        with app.store.write() as db:
            profile = get_profile(db, app.profile_name)
            for i, story in enumerate(stories):
                draft = queue.PostDraft(
                    text=story["text"], photos=story["photos"], video=story["video"],
                    targets=story["targets"], thread=story.get("thread", False),
                    first_comment="#chaos" if "instagram" in story["targets"] else None,
                    at=start + timedelta(seconds=spacing * i))
                story["post_id"] = queue.add_post(db, app.media, profile, draft,
                                                  app.clock.now()).post.id
        app.close()

        faults = _faults(held_secs)

        def arm_faults() -> None:
            for _ in range(rng.randint(1, 3)):
                network, endpoint, options = faults[rng.randrange(len(faults))]
                client.fault(network, endpoint, **options)
                report.faults_armed[f"{network}/{endpoint}"] += 1

        log = (work / "daemon.log").open("a")
        for _ in range(kills):
            arm_faults()
            proc = subprocess.Popen([sys.executable, "-m", "costanza", "daemon"], env=env,
                                    stdout=log, stderr=log)
            time.sleep(rng.uniform(0.6, 2.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            report.kills += 1
            if report.kills % 25 == 0:
                say(f"  {report.kills} kills so far")
        client.clear_faults()
        say("settling: one last daemon runs until every delivery is settled")
        proc = subprocess.Popen([sys.executable, "-m", "costanza", "daemon"], env=env,
                                stdout=log, stderr=log)
        app = App.load(env=env)
        try:
            _settle(app, proc, stories, settle_timeout, report)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        _judge(app, client, stories, report)
        app.close()
    return report


def _settle(app: Any, proc: subprocess.Popen[bytes], stories: list[dict[str, Any]],
            settle_timeout: float, report: ChaosReport) -> None:
    """Wait until every delivery is settled, as long as the daemon makes progress.

    On a loaded machine the last daemon can be slow, not stuck: the wait gives up only
    after ``settle_timeout`` seconds without any delivery changing state (or four times
    that in all), and says so in the report's problems.
    """
    expected = sum(len(s["targets"]) for s in stories)
    started = last_change = time.monotonic()
    seen: dict[tuple[int, str], str] = {}
    while True:
        states = _states(app)
        if len(states) == expected and all(state in TERMINAL for state in states.values()):
            return
        now = time.monotonic()
        if states != seen:
            seen, last_change = states, now
        if proc.poll() is not None:
            report.problems.append(f"the settling daemon stopped (exit code {proc.returncode})")
            return
        if now - last_change > settle_timeout or now - started > 4 * settle_timeout:
            report.problems.append(f"no delivery settled for {now - last_change:.0f} s "
                                   f"({now - started:.0f} s in all)")
            return
        time.sleep(0.25)


def _states(app: Any) -> dict[tuple[int, str], str]:
    from sqlalchemy import select

    from posts.models import Delivery

    with app.store.read() as db:
        return {(r[0], r[1]): r[2] for r in db.execute(
            select(Delivery.post_id, Delivery.network, Delivery.state))}


def _judge(app: Any, client: Any, stories: list[dict[str, Any]], report: ChaosReport) -> None:
    from sqlalchemy import func, select

    from posts.models import Attempt

    states = _states(app)
    remote = client.posts()
    for story in stories:
        for network in story["targets"]:
            report.deliveries += 1
            state = states.get((story["post_id"], network))
            found = [p for p in remote if p["network"] == network
                     and (p.get("text") or "").startswith(story["marker"])
                     and not p.get("reply_to")]
            if state == "published":
                report.published += 1
            elif state == "failed":
                report.failed += 1
            elif state == "needs_review":
                report.needs_review += 1
            else:
                report.unsettled += 1
            if len(found) > 1:
                report.doubles += 1
                report.problems.append(f"post {story['post_id']} on {network}: "
                                       f"{len(found)} copies ({story['kind']})")
            if state == "published" and not found:
                report.losses += 1
                report.problems.append(f"post {story['post_id']} on {network}: marked "
                                       "published but the network has nothing")
            if state not in TERMINAL:
                report.losses += 1
                report.problems.append(f"post {story['post_id']} on {network}: still {state}")
            if state == "failed" and found:
                report.problems.append(f"post {story['post_id']} on {network}: failed, yet "
                                       "the network has it")
                report.losses += 1
    # An unknown outcome is settled automatically when the delivery was reconciled and
    # ended published (or refused) without ever being handed to the artisan for review.
    with app.store.read() as db:
        rows = db.execute(select(Attempt.delivery_id, Attempt.post_id, Attempt.network,
                                 func.max(Attempt.outcome == "needs_review")).where(
            Attempt.action == "reconcile").group_by(Attempt.delivery_id, Attempt.post_id,
                                                    Attempt.network)).all()
        report.checking = db.scalar(select(func.count(func.distinct(Attempt.delivery_id)))
                                    .where(Attempt.action == "reconcile",
                                           Attempt.outcome == "unknown",
                                           Attempt.message.like("Checking whether%"))) or 0
    report.unknowns = len(rows)
    report.reconciled_automatically = sum(
        1 for _, post_id, network, reviewed in rows
        if not reviewed and states.get((post_id, network)) in ("published", "failed"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=300)
    parser.add_argument("--posts", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--folder", type=Path, help="keep the run's files here")
    parser.add_argument("--held", type=float, metavar="SECONDS",
                        help="hold created posts this long, with the real 30 s timeout and "
                             "120 s settle periods (the settle window's own case: 40)")
    args = parser.parse_args(argv)
    report = run_chaos(args.kills, args.posts, args.seed, args.folder, held_secs=args.held,
                       settle_timeout=240.0 if args.held is None else 600.0)
    if args.json:
        print(json.dumps({**report.__dict__, "faults_armed": dict(report.faults_armed)}))
    else:
        print("\n".join(report.lines()))
        for problem in report.problems:
            print("  !", problem)
    return 0 if report.doubles == 0 and report.losses == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
