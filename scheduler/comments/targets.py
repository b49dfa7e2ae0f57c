"""A ``Target`` (a published post to read or answer under) built from the database and
the secrets, as ``scheduler.prepare`` builds a publisher's ``AccountAuth``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from config.errors import AuthExpired, NotFound, PublishFailed
from config.i18n import _
from config.secrets import SecretStore
from posts.comment_tables import Comment
from posts.models import Account, Delivery
from posts.networks import network_label
from scheduler.comments.base import Target
from scheduler.publishers.base import AccountAuth


@dataclass(frozen=True)
class Watched:
    """A delivery's target, and what the store needs with it."""

    target: Target
    post_id: int
    profile_id: int
    account_id: int


def delivery_target(db: Session, delivery_id: int, secrets: SecretStore) -> Watched:
    """The published delivery as a target, with its account's secrets."""
    delivery = db.get(Delivery, delivery_id)
    if delivery is None or not delivery.remote_id or delivery.published_at is None:
        raise PublishFailed(_("The post of delivery {delivery} is no longer published on the "
                              "network, so its comments cannot be read or answered.").format(
            delivery=delivery_id), code="not_published")
    account = db.get(Account, delivery.account_id) if delivery.account_id else None
    if account is None:
        raise AuthExpired(_("No {network} account is connected. Connect one with "
                            "`costanza account add {command} ...`.").format(
            network=network_label(delivery.network), command=delivery.network))
    auth = AccountAuth(network=account.network, name=account.name,
                       remote_id=account.remote_id, secrets=secrets.get(account.name))
    target = Target(delivery_id=delivery.id, network=delivery.network,
                    remote_id=delivery.remote_id, account=auth,
                    published_at=delivery.published_at,
                    extra=dict(delivery.progress or {}))
    return Watched(target, delivery.post_id, delivery.profile_id, account.id)


def comment_target(db: Session, profile_id: int, comment_id: int,
                   secrets: SecretStore) -> tuple[Target, Comment]:
    """The post a comment is under, as a target, and the comment."""
    comment = db.get(Comment, comment_id)
    if comment is None or comment.profile_id != profile_id:
        raise NotFound(_("There is no comment {id}. See the comments with "
                         "`costanza comments`.").format(id=comment_id))
    return delivery_target(db, comment.delivery_id, secrets).target, comment
