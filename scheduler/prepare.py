"""Turning a delivery row into a ``PublishRequest``: text, fitted media, account.

Everything that can go wrong here happens before anything is sent, so a
problem found here can never cause a duplicate: the delivery fails (or
waits) with the reason in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from config.errors import AuthExpired, MediaRejected, PublishFailed
from config.i18n import N_, _
from config.secrets import SecretStore
from posts.media.store import MediaStore
from posts.models import Account, Delivery, Post
from posts.networks import network_label
from scheduler.publishers.base import AccountAuth, MediaFile, PublishRequest


class MediaHost(Protocol):
    def public_url(self, path: Path, sha256: str, mime: str) -> str: ...


@dataclass(frozen=True)
class _Original:
    sha256: str
    kind: str
    format: str
    path: Path
    probe: dict[str, Any]


@dataclass(frozen=True)
class Loaded:
    """What a delivery needs from the database, read in its transaction. The rows are
    detached afterwards; only their columns are used."""

    delivery: Delivery
    post: Post
    account: Account
    media: list[tuple[Any, str | None]]  # (Media row, alt text), in the post's order


# A file missing from the media store, a whole sentence for each kind of file.
MISSING = {
    "photo": N_("The photo '{name}' of post {post} is missing from Costanza's media store (the "
                "file was deleted or the disk changed). Add it again with `costanza post add`, "
                "then `costanza post remove {post}`."),
    "video": N_("The video '{name}' of post {post} is missing from Costanza's media store (the "
                "file was deleted or the disk changed). Add it again with `costanza post add`, "
                "then `costanza post remove {post}`."),
}

def build_request(db: Session, delivery: Delivery, media_store: MediaStore,
                  secrets: SecretStore, fit_mode: str,
                  media_host: MediaHost | None = None) -> PublishRequest:
    """``load_request`` then ``prepare_request``, for callers that hold a session anyway."""
    return prepare_request(load_request(db, delivery), media_store, secrets, fit_mode,
                           media_host)


Fetched = tuple[Delivery, Post | None, Account | None]


def fetch_deliveries(db: Session, delivery_ids: list[int]) -> dict[int, Fetched]:
    """Each delivery, its post (with its media rows) and its account, all in one query;
    give them to ``load_request``, which then reads nothing more."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    rows = db.execute(
        select(Delivery, Post, Account)
        .outerjoin(Post, Post.id == Delivery.post_id)
        .outerjoin(Account, Account.id == Delivery.account_id)
        .options(joinedload(Post.media))
        .where(Delivery.id.in_(delivery_ids))).unique().all()
    return {row[0].id: (row[0], row[1], row[2]) for row in rows}


def load_request(db: Session, delivery: Delivery, post: Post | None = None,
                 account: Account | None = None) -> Loaded:
    """Read the post, the account and the media rows (quick: a few primary-key reads),
    unless ``fetch_deliveries`` read them already."""
    post = post or db.get(Post, delivery.post_id)
    if post is None:
        raise PublishFailed(_("The post of delivery {delivery} no longer exists.").format(
            delivery=delivery.id))
    if account is None and delivery.account_id:
        account = db.get(Account, delivery.account_id)
    if account is None:
        raise AuthExpired(_("No {network} account is connected. Connect one with "
                            "`costanza account add {command} ...`; the post waits.").format(
            network=network_label(delivery.network), command=delivery.network))
    return Loaded(delivery, post, account, [(m.item, m.alt_text) for m in post.media])


def prepare_request(loaded: Loaded, media_store: MediaStore, secrets: SecretStore,
                    fit_mode: str, media_host: MediaHost | None = None) -> PublishRequest:
    """Fit the media for the network (a video may take minutes: never call this inside a
    transaction) and assemble the request."""
    delivery, post, account = loaded.delivery, loaded.post, loaded.account
    files: list[MediaFile] = []
    for media, alt_text in loaded.media:
        try:
            original = media_store.path_of(media.store_path)
        except MediaRejected:
            original = media_store.root / media.store_path
        if not original.is_file():
            raise PublishFailed(_(MISSING.get(media.kind, MISSING["photo"])).format(
                kind=media.kind, name=media.original_name, post=post.id))
        fitted = _fit(delivery.network, media, original, media_store, post.fit or fit_mode)
        public_url = None
        if delivery.network == "instagram" and media.kind == "photo":
            if media_host is None:
                raise PublishFailed(_(
                    "Instagram needs your photos at a public web address, and no media host "
                    "is set up. Add a [media_host] section to your settings (see the README), "
                    "then run `costanza retry {delivery}`.").format(delivery=delivery.id))
            public_url = media_host.public_url(fitted.path, fitted.sha256, fitted.mime)
        files.append(MediaFile(path=Path(fitted.path), kind=media.kind, mime=fitted.mime,
                               sha256=fitted.sha256, size_bytes=fitted.size_bytes,
                               width=fitted.width, height=fitted.height,
                               duration=fitted.duration, alt_text=alt_text,
                               public_url=public_url))
    auth = AccountAuth(network=account.network, name=account.name, remote_id=account.remote_id,
                       secrets=secrets.get(account.name))
    return PublishRequest(
        delivery_id=delivery.id, post_id=post.id, network=delivery.network,
        text=post.text_for(delivery.network), media=files, account=auth,
        first_comment=post.first_comment if delivery.network == "instagram" else None,
        thread=post.thread and delivery.network == "x",
        progress=dict(delivery.progress or {}), intent_at=delivery.intent_at,
    )


def _fit(network: str, media: Any, original: Path, store: MediaStore, mode: str) -> Any:
    from posts.media.fit import fit_for

    src = _Original(sha256=media.sha256, kind=media.kind, format=media.format, path=original,
                    probe=dict(media.probe or {}))
    return fit_for(network, src, store, mode)
