"""Hiding a comment (or showing it again): on the network first, then in the store."""

from __future__ import annotations

from config.clock import Clock
from config.errors import AuthExpired, CostanzaError, InputError, PublishError, RetryLater
from config.i18n import _
from config.secrets import SecretStore
from config.settings import Settings
from posts import comments as cm
from posts.store import Store
from scheduler.comments.base import ClientFactory
from scheduler.comments.targets import comment_target


def hide_comment(store: Store, settings: Settings, clock: Clock, clients: ClientFactory,
                 secrets: SecretStore, profile_id: int, comment_id: int,
                 hidden: bool = True) -> None:
    """Hide the comment on its network (``hidden=False``: show it again) and note it.
    Every problem is a ``CostanzaError`` in plain words; nothing is noted then."""
    with store.read() as db:
        target, comment = comment_target(db, profile_id, comment_id, secrets)
    if comment.deleted_at is not None:
        raise InputError(_("Comment {id} was deleted by its author: there is nothing to "
                           "hide.").format(id=comment_id))
    try:
        clients(target.network).hide(target, comment.remote_id, hidden)
    except AuthExpired as exc:
        raise CostanzaError(_("{problem} Connect the account again with `costanza account "
                              "add {network}`, then try again.").format(
            problem=exc.message, network=target.network)) from None
    except RetryLater as exc:
        raise CostanzaError(_("{problem} Nothing was changed; try again in a few "
                              "minutes.").format(problem=exc.message)) from None
    except PublishError as exc:
        raise CostanzaError(exc.message) from None
    except CostanzaError:
        raise
    except Exception as exc:
        raise CostanzaError(_("Something unexpected happened while talking to the network "
                              "({error}); nothing was changed. Try again in a few "
                              "minutes.").format(error=type(exc).__name__)) from None
    with store.write() as db:
        cm.mark_hidden(db, comment_id, hidden, clock.now())
