"""The queue: adding, listing, editing, moving and removing posts.

Every change is one write transaction. ``add_post`` checks everything before
it writes anything: the media are probed and the per-network rules applied
first; files are copied into the media store next; the rows are inserted
last. If the transaction fails, the caller removes the files it copied with
``discard_new_media``, once the transaction has ended.

The media store keeps one file per content, shared by every post that shows
it, so a file copied by an add that then fails may meanwhile be in use by
another add of the same photo (another terminal, another machine on the same
PostgreSQL). Both sides hold the file's media lock: an add from the moment it
has the file until it commits (and copies the file again if a failed add
removed it just before), the removal while it checks that no post uses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.errors import InputError, NotFound
from config.i18n import _
from posts.models import Account, Media, Post, PostMedia, Profile
from posts.networks import NETWORKS

if TYPE_CHECKING:
    from posts.media.probe import ProbeResult
    from posts.media.store import MediaStore, StoredMedia
    from posts.rules import Verdict
    from posts.store import Store

log = logging.getLogger("costanza.media")


@dataclass
class PostDraft:
    """What the artisan asked for in `costanza post add`."""

    text: str = ""
    photos: list[Path] = field(default_factory=list)
    video: Path | None = None
    alts: list[str] = field(default_factory=list)
    targets: list[str] | None = None
    texts: dict[str, str] = field(default_factory=dict)
    first_comment: str | None = None
    category: str | None = None
    at: datetime | None = None
    top: bool = False
    thread: bool = False
    fit: str | None = None


@dataclass
class AddResult:
    post: Post
    verdicts: dict[str, Verdict]
    # The media files this call copied into the store (not those it already held).
    created: list[StoredMedia]


# PostgreSQL advisory locks (classid, objid): one per media file, by its content hash.
_MEDIA_LOCK = 7_233_002


def hold_media(db: Session, sha256: str) -> None:
    """Hold the media lock of a file until ``db``'s transaction ends. On SQLite, write
    transactions take turns already: nothing to do."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text

        db.execute(text("SELECT pg_advisory_xact_lock(:c, :o)"),
                   {"c": _MEDIA_LOCK, "o": int(sha256[:7], 16)})


def parse_targets(value: str | None) -> list[str] | None:
    """"facebook,instagram,x" -> a checked list (None when not given)."""
    if value is None:
        return None
    names = [part.strip().lower() for part in value.replace(";", ",").split(",") if part.strip()]
    aliases = {"twitter": "x", "fb": "facebook", "ig": "instagram"}
    names = [aliases.get(n, n) for n in names]
    unknown = [n for n in names if n not in NETWORKS]
    if unknown or not names:
        raise InputError(_(
            "'{value}' names no network Costanza knows. Use one or more of "
            "facebook, instagram, x, separated by commas (for example --to facebook,x)."
        ).format(value=value))
    return sorted(set(names), key=NETWORKS.index)


def default_targets(db: Session, profile: Profile) -> list[str]:
    """The networks with a connected account, or all three when none is connected yet."""
    rows = db.scalars(select(Account.network).where(Account.profile_id == profile.id)).all()
    connected = sorted(set(rows), key=NETWORKS.index)
    return connected or list(NETWORKS)


def _check_draft(draft: PostDraft, now: datetime) -> None:
    if not draft.text.strip() and not draft.photos and draft.video is None:
        raise InputError(_(
            "A post needs some text, a photo or a video. For example: "
            'costanza post add "The wool comes from our valley" --photo wool.jpg'
        ))
    media_count = len(draft.photos) + (1 if draft.video else 0)
    if len(draft.alts) > media_count:
        raise InputError(_(
            "There are {alts} --alt descriptions but only {media} "
            "photos or videos. Give one --alt per photo, in the same order."
        ).format(alts=len(draft.alts), media=media_count))
    if draft.at is not None:
        _check_future(draft.at, now)
    for network in draft.texts:
        if network not in NETWORKS:
            raise InputError(_("There is no network called '{network}'. Use facebook, "
                               "instagram or x.").format(network=network))


def _check_future(at: datetime, now: datetime) -> None:
    if at <= now:
        example = (now + timedelta(days=7)).strftime("%Y-%m-%d") + " 10:00"
        raise InputError(_(
            "The time given with --at has already passed. Give a time in the future, "
            'for example --at "{example}".'
        ).format(example=example))


@dataclass
class Checked:
    """What `post add` checks before it copies anything: the networks, the files with
    what each was given as, what probing them said, and each network's verdict."""

    targets: list[str]
    files: list[tuple[Path, str]]
    probes: list[ProbeResult]
    verdicts: dict[str, Verdict]


def check_draft(db: Session, profile: Profile, draft: PostDraft, now: datetime) -> Checked:
    """The checks of ``add_post``, nothing written: the draft itself, then the media
    probed and the per-network rules applied. A refusing verdict is returned, not
    raised (a file that is no photo or video is refused with ``MediaRejected``)."""
    from posts.media.probe import probe
    from posts.rules import check_post

    _check_draft(draft, now)
    targets = draft.targets or default_targets(db, profile)
    files: list[tuple[Path, str]] = [(p, "photo") for p in draft.photos]
    if draft.video is not None:
        files.append((draft.video, "video"))
    probes = [probe(path, expect=expected) for path, expected in files]
    texts = {n: draft.texts.get(n) or draft.text for n in targets}
    verdicts = check_post(targets, texts, probes, first_comment=draft.first_comment,
                          thread=draft.thread)
    return Checked(targets=targets, files=files, probes=probes, verdicts=verdicts)


def add_post(db: Session, media_store: MediaStore, profile: Profile, draft: PostDraft,
             now: datetime, created: list[StoredMedia] | None = None) -> AddResult:
    """Check (``check_draft``), copy the media, then insert the post.

    ``created`` receives each file this call copies into the store as it is copied: if
    the transaction then fails, hand them to ``discard_new_media`` once it has ended.
    """
    checked = check_draft(db, profile, draft, now)
    targets, files, probes, verdicts = (checked.targets, checked.files, checked.probes,
                                        checked.verdicts)
    _refuse_if_any(verdicts, _("This post cannot go out as it is, so nothing was added."))

    created = [] if created is None else created
    stored: list[StoredMedia] = []
    for (path, expected), probed in zip(files, probes, strict=True):
        item = media_store.intake(path, expect=expected, probed=probed)
        hold_media(db, item.sha256)
        if not item.path.exists():  # a failed add of the same photo removed it just now
            item = media_store.intake(path, expect=expected, probed=probed)
        if item.created:
            created.append(item)
        stored.append(item)
    post = _insert(db, profile, draft, targets, stored, now, verdicts_json(verdicts))
    return AddResult(post=post, verdicts=verdicts, created=created)


def discard_new_media(store: Store, media_store: MediaStore,
                      created: list[StoredMedia]) -> None:
    """The post was not committed after all: remove the files it copied into the store,
    except those another post has started to use meanwhile. Called once the failed
    transaction has ended; if the database cannot be reached, the files stay (a spare
    file is harmless, a missing one would stop a post)."""
    if not created:
        return
    try:
        with store.write() as db:
            for item in created:
                hold_media(db, item.sha256)
                if db.get(Media, item.sha256) is None:
                    media_store.discard(item)
    except Exception as exc:  # the add's own error is told first; this one only adds
        log.warning("%s", _(
            "The photos and videos copied for the post that was not added could not "
            "be checked ({error}), so they stay in the media folder, where they do no "
            "harm.").format(error=type(exc).__name__))


def _refuse_if_any(verdicts: dict[str, Verdict], intro: str) -> None:
    """One paragraph naming each network that would refuse the post, with its fix."""
    lines = [f"{n}: {'; '.join(v.problems)}" for n, v in verdicts.items()
             if v.status == "refused"]
    if lines:
        raise InputError(intro + "\n  " + "\n  ".join(lines))


def verdicts_json(verdicts: dict[str, Verdict]) -> dict[str, dict[str, Any]]:
    return {n: {"status": v.status, "notes": list(v.notes), "problems": list(v.problems)}
            for n, v in verdicts.items()}


def _insert(db: Session, profile: Profile, draft: PostDraft, targets: list[str],
            stored: list[StoredMedia], now: datetime,
            checks: dict[str, dict[str, Any]]) -> Post:
    for item in stored:
        if db.get(Media, item.sha256) is None:
            db.add(Media(sha256=item.sha256, kind=item.kind, format=item.format,
                         size_bytes=item.size_bytes, width=item.width, height=item.height,
                         store_path=item.store_path, original_name=item.original_name,
                         probe=item.probe, created_at=now))
    db.flush()
    position = _edge_position(db, profile, top=draft.top)
    post = Post(
        profile_id=profile.id, text=draft.text, texts={k: v for k, v in draft.texts.items() if v},
        targets=targets, first_comment=draft.first_comment, category=draft.category,
        thread=draft.thread, fit=draft.fit, checks=checks, state="queued", position=position,
        pinned_at=draft.at, created_at=now, updated_at=now,
    )
    for index, item in enumerate(stored):
        alt = draft.alts[index] if index < len(draft.alts) else None
        post.media.append(PostMedia(position=index, media_sha256=item.sha256, alt_text=alt))
    db.add(post)
    db.flush()
    return post


def _edge_position(db: Session, profile: Profile, top: bool) -> int:
    agg = func.min(Post.position) if top else func.max(Post.position)
    value = db.scalar(select(agg).where(Post.profile_id == profile.id))
    if value is None:
        return 0
    return value - 1 if top else value + 1


def queued_posts(db: Session, profile: Profile) -> list[Post]:
    """Queued posts in queue order."""
    return list(db.scalars(
        select(Post).where(Post.profile_id == profile.id, Post.state == "queued")
        .order_by(Post.position, Post.id)
    ))


def get_post(db: Session, profile: Profile, post_id: int) -> Post:
    post = db.get(Post, post_id)
    if post is None or post.profile_id != profile.id or post.state == "removed":
        raise NotFound(_("There is no post {number}. `costanza post list` shows the queue.")
                       .format(number=post_id))
    return post


def _editable(post: Post) -> None:
    if post.state != "queued":
        raise InputError(_(
            "Post {number} is already being published, so it can no longer be changed. "
            "`costanza post show {number}` shows where it stands."
        ).format(number=post.id))


def move_post(db: Session, profile: Profile, post_id: int, to: int, now: datetime) -> int:
    """Put a queued post at position ``to`` (1 = next) and renumber the queue; a place past
    the end puts it last. Returns the place it took."""
    post = get_post(db, profile, post_id)
    _editable(post)
    posts = [p for p in queued_posts(db, profile) if p.id != post.id]
    if to < 1:
        raise InputError(_("Positions start at 1 (the next post to go out). Use --to 1 or "
                           "more."))
    index = min(to - 1, len(posts))
    posts.insert(index, post)
    for i, p in enumerate(posts):
        p.position = i
    post.updated_at = now
    db.flush()
    return index + 1


def remove_post(db: Session, profile: Profile, post_id: int, now: datetime) -> Post:
    """Take a post out of the queue; deliveries not yet started are cancelled."""
    post = get_post(db, profile, post_id)
    busy = [d for d in post.deliveries if d.state in ("claimed", "publishing", "unknown")]
    if busy:
        raise InputError(_(
            "Post {number} is being published on {network} right now, so it cannot "
            "be removed. Try again in a minute."
        ).format(number=post.id, network=busy[0].network))
    for delivery in post.deliveries:
        if delivery.state in ("queued", "retry_wait", "held", "needs_review", "failed"):
            delivery.state = "cancelled"
            delivery.reason = _("Removed from the queue by you.")
            delivery.updated_at = now
    post.state = "removed"
    post.updated_at = now
    db.flush()
    return post


def edit_post(db: Session, profile: Profile, post_id: int, changes: dict[str, Any],
              alts: list[str] | None, now: datetime) -> tuple[Post, dict[str, Verdict]]:
    """Change a queued post; the rules are checked again before anything is saved."""
    from posts.media.probe import ProbeResult
    from posts.rules import check_post

    post = get_post(db, profile, post_id)
    _editable(post)
    if "text" in changes:
        post.text = changes["text"]
    if "texts" in changes:
        merged = dict(post.texts or {})
        for network, value in changes["texts"].items():
            if value:
                merged[network] = value
            else:
                merged.pop(network, None)
        post.texts = merged
    if "targets" in changes:
        post.targets = changes["targets"]
    if "first_comment" in changes:
        post.first_comment = changes["first_comment"] or None
    if "category" in changes:
        post.category = changes["category"] or None
    if "thread" in changes:
        post.thread = bool(changes["thread"])
    if "fit" in changes:
        post.fit = changes["fit"]
    if changes.get("unpin"):
        post.pinned_at = None
        post.asap = False
    if changes.get("at") is not None:
        _check_future(changes["at"], now)
        post.pinned_at = changes["at"]
        post.asap = False
    if alts is not None:
        for index, item in enumerate(post.media):
            item.alt_text = alts[index] if index < len(alts) else item.alt_text
    if not post.text.strip() and not post.media:
        raise InputError(_(
            "Post {number} would be left with no text, photo or video, so nothing was "
            'changed. Give it a text, for example `costanza post edit {number} --text "..."`.'
        ).format(number=post.id))
    probes = [ProbeResult.from_dict(m.item.probe) for m in post.media]
    verdicts = check_post(post.targets, {n: post.text_for(n) for n in post.targets}, probes,
                          first_comment=post.first_comment, thread=post.thread)
    _refuse_if_any(verdicts, _("The change was not saved: the post could not go out."))
    post.checks = verdicts_json(verdicts)
    post.updated_at = now
    db.flush()
    return post, verdicts
