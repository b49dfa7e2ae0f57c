"""The daily digest of the comments that wait for an answer: which post, who wrote, the
first words, the number `costanza reply` takes, and how to answer.

Once a day at most per profile (the dedupe key holds the profile's local day), from
``DIGEST_FROM_HOUR`` in the profile's zone (no mail in the night), and only when a
comment arrived since the last digest: the digest's payload keeps the newest comment it
listed (``newest_id``: ids only grow), so a comment already told is not told again as
news. The daemon's hourly housekeeping calls ``digest_round``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from config.i18n import _, ngettext
from posts import comment_inbox
from posts.networks import network_label
from scheduler.notify.wording import Message, excerpt

log = logging.getLogger("costanza.notify")

KIND = "comments"
DIGEST_FROM_HOUR = 8  # local time: a digest found earlier waits until then
MOST_LISTED = 20  # comments written out in one digest; the rest are counted


def _last_newest(db: Session, profile_id: int) -> int | None:
    """The newest comment id the profile's last digest listed (None: no digest yet)."""
    rows = db.execute(text(
        "SELECT payload FROM notifications WHERE kind = :k AND profile_id = :p "
        "ORDER BY id DESC LIMIT 1"), {"k": KIND, "p": profile_id}).first()
    if rows is None:
        return None
    payload = rows[0]
    if isinstance(payload, str):
        import json

        payload = json.loads(payload)
    value = (payload or {}).get("newest_id")
    return int(value) if value is not None else None


def _author(c: comment_inbox.InboxComment) -> str:
    if c.author_name and c.author_handle and c.author_name != c.author_handle:
        return f"{c.author_name} (@{c.author_handle})"
    if c.author_handle:
        return f"@{c.author_handle}"
    return c.author_name or _("someone")


def _body(groups: list[comment_inbox.InboxPost], total: int) -> str:
    lines = [ngettext("Someone wrote under your posts, and waits for your answer:",
                      "People wrote under your posts, and wait for your answer:", total), ""]
    listed = 0
    for group in groups:
        if listed >= MOST_LISTED:
            break
        lines.append(_('Post {number} on {network} ("{excerpt}"):').format(
            number=group.post_id, network=network_label(group.network),
            excerpt=excerpt(group.text, 50) or _("no text")))
        for c in group.comments:
            if listed >= MOST_LISTED:
                break
            lines.append(f'  [{c.id}] {_author(c)}: "{excerpt(c.text, 80)}"')
            listed += 1
        lines.append("")
    if total > listed:
        lines += [ngettext("And {n} more: `costanza comments` shows it.",
                           "And {n} more: `costanza comments` shows them all.",
                           total - listed).format(n=total - listed), ""]
    lines.append(_('What to do: answer with `costanza reply ID "..."` (ID is the number in '
                   "brackets), or mark one read without answering with `costanza comments "
                   "read ID`. `costanza comments` shows them with their whole text."))
    return "\n".join(lines)


def digest_for(db: Session, profile: Any, now: datetime) -> Message | None:
    """The digest for one profile (``id``, ``name``, ``timezone``), or None when there is
    nothing new to tell or it is too early in the day."""
    local = now.astimezone(ZoneInfo(profile.timezone))
    if local.hour < DIGEST_FROM_HOUR:
        return None
    conn = db.connection()
    newest = comment_inbox.newest_waiting_id(conn, profile.id)
    if newest is None:
        return None
    last = _last_newest(db, profile.id)
    if last is not None and newest <= last:
        return None  # every comment waiting was in a digest already
    groups = comment_inbox.inbox(conn, profile.id)
    total = sum(len(g.comments) for g in groups)
    if not total:
        return None
    subject = ngettext("{n} comment waits for your answer", "{n} comments wait for your answer",
                       total).format(n=total)
    payload = {"kind": KIND, "profile": profile.name, "profile_id": profile.id,
               "waiting": total, "newest_id": newest,
               "comment_ids": [c.id for g in groups for c in g.comments][:MOST_LISTED]}
    return Message(KIND, subject, _body(groups, total), payload,
                   f"{KIND}:{profile.id}:{local.date().isoformat()}", profile.id)


def digest_messages(db: Session, now: datetime) -> list[Message]:
    """Every profile's digest that is due now."""
    profiles = db.execute(text("SELECT id, name, timezone FROM profiles ORDER BY id")).all()
    return [m for p in profiles if (m := digest_for(db, p, now)) is not None]


def digest_round(notifier: Any, now: datetime) -> int:
    """Put the digests due in the outbox (``notifier``: the daemon's ``Notifier``); how
    many were new. Never raises: a problem is logged, and the next hour tries again."""
    try:
        with notifier.store.read() as db:
            messages = digest_messages(db, now)
        return int(notifier.tell(messages))
    except Exception:
        log.exception(_("the comments' digest could not be prepared; Costanza tries again "
                        "in an hour"))
        return 0
