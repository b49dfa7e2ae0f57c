"""What each `post` command does, as one function returning plain data.

The CLI prints what these return; ``--json`` prints it as is, so the shapes
here are the documented JSON contract (see the README).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from config.errors import InputError
from config.i18n import _
from costanza import text_input
from costanza.app import App
from costanza.formatting import check_warnings, excerpt, iso, local, local_label, media_summary
from costanza.timeparse import parse_local
from posts import queue
from posts.models import Attempt, Post, Profile
from posts.profiles import get_profile

if TYPE_CHECKING:
    from posts.media.store import StoredMedia


def _planned(app: App, db: Any, profile: Profile) -> dict[int, Any]:
    from scheduler.planning.plans import profile_plan

    plan = profile_plan(db, profile, app.clock.now(), app.settings.grace_period)
    return {entry.post_id: entry for entry in plan.entries}


def _media_summary(post: Post) -> str:
    kinds = [m.item.kind for m in post.media]
    return media_summary(kinds.count("photo"), kinds.count("video"))


def _post_row(post: Post, tz: ZoneInfo, entry: Any) -> dict[str, Any]:
    at = entry.at if entry is not None else (post.slot_at if post.state != "queued" else None)
    return {
        "id": post.id,
        "state": post.state,
        "position": post.position,
        "text": post.text,
        "excerpt": excerpt(post.text),
        "texts": dict(post.texts or {}),
        "targets": list(post.targets),
        "pinned_at": iso(post.pinned_at),
        "planned_at": iso(at),
        "planned_local": local_label(at, tz),
        "late": bool(entry.late) if entry is not None else False,
        "category": post.category,
        "first_comment": post.first_comment,
        "thread": post.thread,
        "media_summary": _media_summary(post),
        "warnings": check_warnings(post.checks or {}),
        "media": [
            {"sha256": m.media_sha256, "kind": m.item.kind, "format": m.item.format,
             "width": m.item.width, "height": m.item.height, "size_bytes": m.item.size_bytes,
             "original_name": m.item.original_name, "alt": m.alt_text}
            for m in post.media
        ],
    }


def _verdicts(post: Post) -> dict[str, dict[str, Any]]:
    """The verdicts stored when the post was added or last edited."""
    return {n: post.checks[n] for n in post.targets if n in (post.checks or {})}


def add_post(app: App, *, text: str | text_input.TextSource, photos: list[Path],
             video: Path | None, alts: list[str], targets: str | None,
             texts: dict[str, str | None], first_comment: str | None, category: str | None,
             at: str | None, top: bool, thread: bool, fit: str | None) -> dict[str, Any]:
    """Queue a post. ``text`` may be a ``TextSource``: the text is then read from its
    file or pipe, or, when there is neither text nor media, written in the editor,
    all before anything is copied or saved."""
    if at is not None and top:
        raise InputError(_(
            "--at and --top cannot go together: --at gives the post its own time, --top puts "
            "it first in line for the next free slot. Keep the one you mean."))
    _check_typed({"--text-x": texts.get("x"), "--text-instagram": texts.get("instagram"),
                  "--text-facebook": texts.get("facebook"), "--first-comment": first_comment,
                  "--category": category, "--alt": alts})
    if isinstance(text, text_input.TextSource):
        text = _text_for_add(text, bool(photos or video))
    now = app.clock.now()
    created: list[StoredMedia] = []
    try:
        with app.store.write() as db:
            profile = get_profile(db, app.profile_name)
            tz = ZoneInfo(profile.timezone)
            draft = _draft(text, photos, video, alts, targets, texts, first_comment, at,
                           tz, now, category=category, top=top, thread=thread, fit=fit)
            result = queue.add_post(db, app.media, profile, draft, now, created)
            post_id = result.post.id
            verdicts = queue.verdicts_json(result.verdicts)
    except BaseException:
        queue.discard_new_media(app.store, app.media, created)
        raise
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        post = db.get(Post, post_id)
        assert post is not None
        row = _post_row(post, ZoneInfo(profile.timezone), _planned(app, db, profile).get(post_id))
    row["verdicts"] = verdicts
    row["x_cost_warning"] = _x_cost_warning(app, row)
    return row


def _draft(text: str, photos: list[Path], video: Path | None, alts: list[str],
           targets: str | None, texts: dict[str, str | None], first_comment: str | None,
           at: str | None, tz: ZoneInfo, now: datetime, **options: Any) -> queue.PostDraft:
    """The post as `post add` (and the page's "New post") describe it, its time read in
    the profile's zone."""
    return queue.PostDraft(
        text=text, photos=photos, video=video, alts=alts, targets=queue.parse_targets(targets),
        texts={k: v for k, v in texts.items() if v}, first_comment=first_comment,
        at=parse_local(at, tz, now=now) if at is not None else None, **options)


def check_new_post(app: App, *, text: str, photos: list[Path], video: Path | None,
                   alts: list[str], targets: str | None, texts: dict[str, str | None],
                   first_comment: str | None, at: str | None,
                   thread: bool) -> dict[str, Any]:
    """What `post add` would say of this post, nothing queued or copied: each network's
    verdict (``ok``, ``fit`` with its notes, ``refused`` with its problems), from the
    same checks, probes and rules as ``add_post``. ``ready`` is False when a network
    refuses it (``add_post`` would then refuse the whole post)."""
    _check_typed({"--text": text, "--text-x": texts.get("x"),
                  "--text-instagram": texts.get("instagram"),
                  "--text-facebook": texts.get("facebook"), "--first-comment": first_comment,
                  "--alt": alts})
    now = app.clock.now()
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        draft = _draft(text, photos, video, alts, targets, texts, first_comment, at, tz,
                       now, thread=thread)
        checked = queue.check_draft(db, profile, draft, now)
    verdicts = queue.verdicts_json(checked.verdicts)
    row = {"targets": checked.targets, "texts": draft.texts, "text": text}
    return {"targets": checked.targets, "verdicts": verdicts,
            "ready": all(v["status"] != "refused" for v in verdicts.values()),
            "at_local": local_label(draft.at, tz),
            "x_cost_warning": _x_cost_warning(app, row)}


def post_defaults(app: App) -> dict[str, Any]:
    """What a new post starts with: the networks `post add` picks when none is named
    (those with a connected account, else all three) and the profile's time zone."""
    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        return {"targets": queue.default_targets(db, profile), "timezone": profile.timezone}


def _x_cost_warning(app: App, row: dict[str, Any]) -> str | None:
    """A link makes a post dearer on X: said at `post add` and `post edit`."""
    from costanza.services.costs import link_warning

    return link_warning(app, row["targets"], row["texts"].get("x") or row["text"])


def _check_typed(values: dict[str, str | list[str] | None]) -> None:
    """Refuse, plainly, options typed in a terminal that does not send UTF-8."""
    for option, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                text_input.typed(item, _("the text given with {option}").format(option=option))


def _text_for_add(source: text_input.TextSource, has_media: bool) -> str:
    given = text_input.read(source, text_input.NOTHING_ADDED)
    if given is not None:
        return given
    if has_media:
        return ""
    return text_input.from_editor(source.editor, "", text_input.ADD_TEMPLATE,
                                  text_input.NOTHING_ADDED)


def list_posts(app: App, include_done: bool = False) -> list[dict[str, Any]]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        planned = _planned(app, db, profile)
        states = ["queued", "dispatched"] if include_done else ["queued"]
        posts = db.scalars(
            select(Post).where(Post.profile_id == profile.id, Post.state.in_(states))
            .options(selectinload(Post.media))
        ).all()
        rows = [_post_row(p, tz, planned.get(p.id)) for p in posts]
    far = "9999"
    rows.sort(key=lambda r: (r["state"] == "queued", r["planned_at"] or far, r["position"]))
    return rows


def show_post(app: App, post_id: int) -> dict[str, Any]:
    from sqlalchemy import select

    with app.store.read() as db:
        profile = get_profile(db, app.profile_name)
        tz = ZoneInfo(profile.timezone)
        post = queue.get_post(db, profile, post_id)
        row = _post_row(post, tz, _planned(app, db, profile).get(post.id))
        row["verdicts"] = _verdicts(post)
        deliveries = []
        for d in post.deliveries:
            attempts = db.scalars(select(Attempt).where(Attempt.delivery_id == d.id)
                                  .order_by(Attempt.started_at, Attempt.id)).all()
            deliveries.append({
                "network": d.network, "state": d.state, "remote_id": d.remote_id,
                "permalink": d.permalink, "reason": d.reason, "attempts_count": d.attempts,
                "published_at": iso(d.published_at),
                "attempts": [{"at": iso(a.started_at), "local_time": local(a.started_at, tz),
                              "action": a.action, "outcome": a.outcome,
                              "http_status": a.http_status, "error_code": a.error_code,
                              "message": a.message, "duration_ms": a.duration_ms}
                             for a in attempts],
            })
        row["deliveries"] = deliveries
    return row


def edit_post(app: App, post_id: int, options: dict[str, Any],
              source: text_input.TextSource | None = None) -> dict[str, Any]:
    """Change a queued post. With a ``source``, the new text is read from it; with a
    source that gives nothing and no other change asked for, the editor opens on
    the current text. ``changed`` in the answer is False when that text came back
    the same (nothing is written then)."""
    if options.get("at") is not None and options.get("unpin"):
        raise InputError(_(
            "--at and --unpin cannot go together: --at pins the post to a time, --unpin lets "
            "it take its turn in the queue again. Keep the one you mean."))
    _check_typed({f"--{key.replace('_', '-')}": options.get(key) for key in (
        "text_x", "text_instagram", "text_facebook", "first_comment", "category")}
        | {"--alt": list(options.get("alts") or [])})
    if source is not None:
        text = text_input.read(source, text_input.NOTHING_CHANGED)
        if text is None and not (_edit_changes(options, None) or options.get("alts")):
            current = _editable_text(app, post_id)
            text = text_input.from_editor(
                source.editor, current, text_input.EDIT_TEMPLATE.format(post_id=post_id),
                text_input.NOTHING_CHANGED)
            if text == current:
                return {**show_post(app, post_id), "changed": False}
        options = {**options, "text": text}
    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        changes = _edit_changes(options, ZoneInfo(profile.timezone), now)
        alts = list(options["alts"]) if options.get("alts") else None
        if not changes and alts is None:
            raise InputError(_('Nothing to change. Say what to change, for example '
                               '`costanza post edit {post_id} --text "..."`.')
                             .format(post_id=post_id))
        queue.edit_post(db, profile, post_id, changes, alts, now)
    row = show_post(app, post_id)
    touched = {"text", "texts", "targets"} & set(changes)
    return {**row, "changed": True, "x_cost_warning": _x_cost_warning(app, row) if touched
            else None}


def _editable_text(app: App, post_id: int) -> str:
    """The text of a post that may still be changed (checked before an editor opens)."""
    with app.store.read() as db:
        post = queue.get_post(db, get_profile(db, app.profile_name), post_id)
        queue._editable(post)
        return post.text


def _edit_changes(options: dict[str, Any], tz: ZoneInfo | None,
                  now: datetime | None = None) -> dict[str, Any]:
    """The changes the options ask for (``tz`` None: only whether there are any)."""
    changes: dict[str, Any] = {}
    if options.get("text") is not None:
        changes["text"] = text_input.typed(options["text"],
                                           _("the text given with {option}")
                                           .format(option="--text"))
    texts = {n: options.get(f"text_{n}") for n in ("x", "instagram", "facebook")}
    texts = {n: v for n, v in texts.items() if v is not None}
    if texts:
        changes["texts"] = texts
    if options.get("targets") is not None:
        changes["targets"] = queue.parse_targets(options["targets"])
    for key in ("first_comment", "category", "fit"):
        if options.get(key) is not None:
            changes[key] = options[key]
    if options.get("thread") is not None:
        changes["thread"] = options["thread"]
    if options.get("unpin"):
        changes["unpin"] = True
    if options.get("at"):
        changes["at"] = (parse_local(options["at"], tz, now=now) if tz is not None
                         else options["at"])
    return changes


def remove_post(app: App, post_id: int) -> None:
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        queue.remove_post(db, profile, post_id, app.clock.now())


def move_post(app: App, post_id: int, to: int) -> dict[str, Any]:
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        place = queue.move_post(db, profile, post_id, to, app.clock.now())
    return {**show_post(app, post_id), "position": place, "last": place < to}


def publish_now(app: App, post_id: int) -> None:
    now = app.clock.now()
    with app.store.write() as db:
        profile = get_profile(db, app.profile_name)
        post = queue.get_post(db, profile, post_id)
        if post.state != "queued":
            raise InputError(_("Post {post_id} is already being published or was published. "
                               "`costanza post show {post_id}` tells where it stands.")
                             .format(post_id=post_id))
        post.pinned_at = now
        post.asap = True  # as soon as possible: never "late", whenever the daemon sends it
        post.updated_at = now


def profile_zone(app: App) -> ZoneInfo:
    """The time zone of the profile in use (UTC when it does not exist yet): the daemon
    stamps its log lines with it."""
    from sqlalchemy import select

    with app.store.read() as db:
        name = db.scalar(select(Profile.timezone).where(Profile.name == app.profile_name))
    return ZoneInfo(name or "UTC")
