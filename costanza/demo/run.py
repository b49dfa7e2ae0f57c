"""`costanza demo`: a guided run against the sandbox, with no accounts and no setup.

It starts the sandbox and a small web server for the photos (Instagram fetches
them from a web address), sets Costanza up in a scratch folder, connects demo
accounts, queues a few stories with photos and a short video a few seconds
apart, runs the daemon until they are out, and prints the publish log; then a
customer comments under the last story and the answer goes out
(``costanza.demo.dialogue``).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from config.i18n import N_, _, pgettext

STORIES = [
    ("La lana arriva dalla Val di Fiemme: pecore al pascolo tutta l'estate, tosate a mano "
     "a giugno.", ["wool"], ["facebook", "instagram", "x"]),
    ("Tre gomitoli, tre tinture naturali: noce, robbia e reseda.",
     ["walnut", "madder", "weld"], ["facebook", "instagram"]),
    ("Come nasce una sciarpa: quaranta secondi al telaio.", ["video"],
     ["facebook", "instagram", "x"]),
    ("Ogni sciarpa richiede due giorni di lavoro. Il primo giorno prepariamo l'ordito: "
     "trecento fili, contati uno per uno, tesi sul subbio con la stessa forza. Il secondo "
     "giorno si tesse, una trama dopo l'altra, battendo il pettine con un ritmo che si impara "
     "in anni. Alla fine la sciarpa riposa una notte prima del lavaggio a mano in acqua "
     "tiepida, e solo dopo l'asciugatura all'ombra è pronta per voi.", [], ["facebook", "x"]),
]
COLOURS = {"wool": (196, 160, 120), "walnut": (110, 80, 55), "madder": (170, 60, 55),
           "weld": (205, 180, 80)}
# The words drawn on the sample photos, and each photo's description (alt text).
LABELS = {"wool": N_("Wool"), "walnut": N_("Walnut"), "madder": N_("Madder"),
          "weld": N_("Weld")}
ALTS = {"wool": N_("Skeins dyed with wool"), "walnut": N_("Skeins dyed with walnut"),
        "madder": N_("Skeins dyed with madder"), "weld": N_("Skeins dyed with weld")}
TERMINAL = {"published", "failed", "needs_review", "cancelled"}


def _state(state: str) -> str:
    """A delivery's state in the language spoken."""
    return {"published": pgettext("delivery state", "published"),
            "failed": pgettext("delivery state", "failed"),
            "needs_review": pgettext("delivery state", "needs_review"),
            "cancelled": pgettext("delivery state", "cancelled")}.get(state, state)


@dataclass
class DemoResult:
    folder: Path
    sandbox_url: str
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    # The comment under the last story and its answer (``costanza.demo.dialogue``).
    dialogue: dict[str, Any] | None = None

    @property
    def all_published(self) -> bool:
        return bool(self.deliveries) and all(d["state"] == "published"
                                             for d in self.deliveries)


def run_demo(say: Callable[[str], None], folder: Path | None = None,
             timeout: float = 100.0, spacing: float = 4.0) -> DemoResult:
    from costanza.demo.sandbox.server import SandboxServer

    started = time.monotonic()
    work = folder or Path(tempfile.mkdtemp(prefix="costanza-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    say(_("Working in {folder} (your own setup is not touched).").format(folder=work))
    with SandboxServer(data_dir=work / "sandbox", latency_ms=20) as sandbox:
        base = sandbox.base_url
        say(_("Sandbox for Facebook, Instagram and X running at {address}")
            .format(address=base))
        result = DemoResult(folder=work, sandbox_url=base)
        app = _set_up(work, base, say)
        try:
            post_ids = _queue_stories(app, work, spacing, say)
            _run_daemon(app, result, timeout, say)
            if result.all_published:
                from costanza.demo.dialogue import run_dialogue

                result.dialogue = run_dialogue(app, base, post_ids[-1], say)
        finally:
            app.close()
    result.seconds = time.monotonic() - started
    return result


def _set_up(work: Path, base: str, say: Callable[[str], None]) -> Any:
    from costanza.app import App
    from costanza.services.setup import initialise

    env = {"COSTANZA_HOME": str(work / "home"), "COSTANZA_PLATFORM_URL": base}
    app = App.load(env=env)
    if not app.is_set_up():
        initialise(app, timezone="Europe/Rome", slots="mon 09:30, wed 18:00, fri 12:00",
                   force=False)
        from config.edit import set_values

        set_values(app.settings.home.config_file, "media_host",
                   {"kind": "sandbox", "url": base})
        set_values(app.settings.home.config_file, "daemon", {"poll_seconds": 0.5})
        app.close()
        app = App.load(env=env)
    from costanza.demo.accounts import connect_sandbox_accounts

    connect_sandbox_accounts(app, base, "bottega", env)
    say(_("Demo accounts connected: {accounts}.")
        .format(accounts="bottega-x, bottega-page, bottega-ig"))
    return app


def _queue_stories(app: Any, work: Path, spacing: float,
                   say: Callable[[str], None]) -> list[int]:
    from costanza.demo.media import make_photo, make_video
    from costanza.formatting import excerpt
    from posts import queue
    from posts.profiles import get_profile

    media = work / "originals"
    media.mkdir(exist_ok=True)
    first = app.clock.now() + timedelta(seconds=spacing)
    ids: list[int] = []
    for index, (text, files, targets) in enumerate(STORIES):
        photos: list[Path] = []
        video = None
        for name in files:
            if name == "video":
                video = make_video(media / "tessitura.mp4", seconds=4.0)
            else:
                photos.append(make_photo(media / f"{name}.jpg", (1080, 1350), COLOURS[name],
                                         _(LABELS[name])))
        draft = queue.PostDraft(
            text=text, photos=photos, video=video, targets=targets,
            alts=[_(ALTS[n]) for n in files if n != "video"],
            first_comment="#artigianato #madeinitaly" if "instagram" in targets else None,
            thread=len(text) > 280, at=first + timedelta(seconds=spacing * index))
        with app.store.write() as db:
            profile = get_profile(db, app.profile_name)
            post = queue.add_post(db, app.media, profile, draft, app.clock.now()).post
            say(_("Queued post {number} for {networks}: {excerpt}").format(
                number=post.id, networks=", ".join(targets), excerpt=excerpt(text, 49)))
            ids.append(post.id)
    return ids


def _run_daemon(app: Any, result: DemoResult, timeout: float,
                say: Callable[[str], None]) -> None:
    from sqlalchemy import select

    from posts.models import Delivery, Post
    from scheduler.daemon import Daemon

    say(_("Starting the daemon; the stories go out a few seconds apart…"))
    daemon = Daemon(app, concurrency=4)
    daemon.start()
    deadline = time.monotonic() + timeout
    seen: set[tuple[int, str]] = set()
    try:
        while time.monotonic() < deadline:
            time.sleep(0.5)
            with app.store.read() as db:
                rows = db.execute(select(Delivery.post_id, Delivery.network, Delivery.state,
                                         Delivery.permalink, Delivery.reason)).all()
                waiting = db.scalar(select(Post.id).where(Post.state == "queued").limit(1))
            for post_id, network, state, link, reason in rows:
                key = (post_id, f"{network}:{state}")
                if state in TERMINAL and key not in seen:
                    seen.add(key)
                    say("  " + _("post {number} on {network}: {state} {detail}").format(
                        number=post_id, network=network, state=_state(state),
                        detail=link or reason or ""))
            if waiting is None and rows and all(r[2] in TERMINAL for r in rows):
                break
    finally:
        daemon.stop()
        daemon.shutdown()
    with app.store.read() as db:
        result.deliveries = [
            {"post_id": r[0], "network": r[1], "state": r[2], "permalink": r[3],
             "reason": r[4]}
            for r in db.execute(select(Delivery.post_id, Delivery.network, Delivery.state,
                                       Delivery.permalink, Delivery.reason)
                                .order_by(Delivery.post_id, Delivery.network)).all()]
