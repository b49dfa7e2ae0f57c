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
    def for_page(self, account: str, page_id: str) -> MediaHost: ...


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
    # The profile's Facebook Page (account name, Page id), for Instagram's photos: a
    # media host that stages them on the Page (``needs_page``) is bound to it.
    page: tuple[str, str] | None = None


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
    media = [(m.item, m.alt_text) for m in post.media]
    page = None
    if delivery.network == "instagram" and any(m.kind == "photo" for m, _alt in media):
        page = profile_facebook_page(db, account.profile_id)
    return Loaded(delivery, post, account, media, page)


def profile_facebook_page(db: Session, profile_id: int) -> tuple[str, str] | None:
    """The profile's first connected Facebook Page, as (account name, Page id)."""
    from sqlalchemy import select

    row = db.execute(select(Account.name, Account.remote_id).where(
        Account.profile_id == profile_id, Account.network == "facebook",
        Account.remote_id.is_not(None)).order_by(Account.id).limit(1)).first()
    return (str(row[0]), str(row[1])) if row else None


def _host_for(media_host: MediaHost | None, page: tuple[str, str] | None,
              delivery_id: int) -> MediaHost:
    """The host for Instagram's photos: bound to the profile's Facebook Page when it
    stages them there."""
    if media_host is not None and getattr(media_host, "needs_page", False) and page:
        return media_host.for_page(*page)
    if media_host is None or getattr(media_host, "needs_page", False):
        raise PublishFailed(_(
            "Instagram needs your photos at a public web address, and no media host is set "
            "up. The simplest way: connect your Facebook Page with `costanza account add "
            "facebook`, and Costanza puts each photo on the Page for a moment, unseen, while "
            "Instagram fetches it. Or add a [media_host] section to your settings (see the "
            "README). Then run `costanza retry {delivery}`.").format(delivery=delivery_id))
    return media_host


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
            media_host = _host_for(media_host, loaded.page, delivery.id)
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
