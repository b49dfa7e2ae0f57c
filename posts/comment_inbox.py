"""The comments as the artisan reads them: fast, read-only views for `costanza comments`,
`costanza status` and the daily digest, and ``mark_read``.

SQL through SQLAlchemy Core only, like ``posts.listing``: no ORM, no network libraries.
The engine writes comments (``posts.comments``); here they are only read, and marked read.

A comment *waits* for an answer when someone else wrote it (not ``mine``), and it is
neither answered, read, deleted nor hidden, no reply to it is on its way (a reply
queued, being sent, or sent and being looked up counts as an answer) and the account
has not answered it already (from the phone, say: a reply of its own under it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from config.errors import NotFound
from config.i18n import _, ngettext
from posts.listing import aware_utc  # the one reading of a stored time as aware UTC

# A reply in these states stands for an answer (failed ones do not).
_ANSWERING = "('queued', 'sending', 'unknown', 'sent')"
WAITING_SQL = (
    "c.mine = :no AND c.answered_at IS NULL AND c.read_at IS NULL "
    "AND c.deleted_at IS NULL AND c.hidden_at IS NULL AND NOT EXISTS ("
    "SELECT 1 FROM comment_replies r WHERE r.comment_id = c.id "
    f"AND r.state IN {_ANSWERING}) AND NOT EXISTS ("
    "SELECT 1 FROM comments m WHERE m.parent_id = c.id AND m.mine = :yes)")
_FLAGS = {"no": False, "yes": True}  # WAITING_SQL's parameters


@dataclass(frozen=True)
class InboxComment:
    """One comment as listed: its state in the artisan's words is ``state``."""

    id: int
    post_id: int
    delivery_id: int
    network: str
    remote_id: str
    parent_id: int | None
    author_name: str | None
    author_handle: str | None
    text: str
    mine: bool
    written_at: datetime
    read_at: datetime | None
    answered_at: datetime | None
    hidden_at: datetime | None
    deleted_at: datetime | None
    reply_state: str | None  # our latest reply to it: queued, sending, unknown, sent, failed
    waiting: bool

    @property
    def state(self) -> str:
        """mine, deleted, hidden, answered, read or waiting (the first that applies)."""
        if self.mine:
            return "mine"
        if self.deleted_at is not None:
            return "deleted"
        if self.hidden_at is not None:
            return "hidden"
        if self.answered_at is not None or (self.reply_state is not None
                                            and self.reply_state != "failed"):
            return "answered"
        if self.read_at is not None:
            return "read"
        return "waiting" if self.waiting else "answered"  # answered from the phone


@dataclass
class InboxPost:
    """A published post (one network) and its comments listed, threads in order."""

    post_id: int
    delivery_id: int
    network: str
    text: str
    published_at: datetime | None
    permalink: str | None
    comments: list[InboxComment] = field(default_factory=list)


def _post_text(raw_text: str | None, texts: Any, network: str) -> str:
    if isinstance(texts, str):
        texts = json.loads(texts) if texts else {}
    return (texts or {}).get(network) or raw_text or ""


def _where(profile_id: int, everything: bool, post_id: int | None,
           network: str | None) -> tuple[str, dict[str, Any]]:
    clauses = ["c.profile_id = :p"]
    params: dict[str, Any] = {"p": profile_id, **_FLAGS}
    if not everything:
        clauses.append(WAITING_SQL)
    if post_id is not None:
        clauses.append("c.post_id = :post")
        params["post"] = post_id
    if network is not None:
        clauses.append("c.network = :net")
        params["net"] = network
    return " AND ".join(clauses), params


def _rows(conn: Connection, where: str, params: dict[str, Any]) -> list[Any]:
    return list(conn.execute(text(
        "SELECT c.id, c.post_id, c.delivery_id, c.network, c.remote_id, c.parent_id, "
        "c.author_name, c.author_handle, c.text, c.mine, c.written_at, c.read_at, "
        "c.answered_at, c.hidden_at, c.deleted_at, "
        "(SELECT r.state FROM comment_replies r WHERE r.comment_id = c.id "
        " ORDER BY r.id DESC LIMIT 1), "
        f"CASE WHEN {WAITING_SQL} THEN 1 ELSE 0 END "
        f"FROM comments c WHERE {where} ORDER BY c.written_at, c.id"), params))


def _posts(conn: Connection, delivery_ids: set[int]) -> dict[int, InboxPost]:
    if not delivery_ids:
        return {}
    among = ",".join(str(int(i)) for i in sorted(delivery_ids))
    found = {}
    for r in conn.execute(text(
            "SELECT d.id, d.post_id, d.network, p.text, p.texts, d.published_at, d.permalink "
            f"FROM deliveries d JOIN posts p ON p.id = d.post_id WHERE d.id IN ({among})")):
        found[r[0]] = InboxPost(r[1], r[0], r[2], _post_text(r[3], r[4], r[2]), aware_utc(r[5]),
                                r[6])
    return found


def _threads(comments: list[InboxComment]) -> list[InboxComment]:
    """Each top comment followed by its replies (at any depth), the threads with the
    oldest waiting comment first, then the others in the order they were written."""
    ids = {c.id for c in comments}
    children: dict[int, list[InboxComment]] = {}
    tops = []
    for c in comments:  # already in the order they were written
        if c.parent_id is not None and c.parent_id in ids:
            children.setdefault(c.parent_id, []).append(c)
        else:
            tops.append(c)

    def thread(c: InboxComment) -> list[InboxComment]:
        out = [c]
        for child in children.get(c.id, []):
            out.extend(thread(child))
        return out

    threads = [thread(c) for c in tops]
    far = datetime.max.replace(tzinfo=UTC)

    def key(items: list[InboxComment]) -> tuple[int, datetime, int]:
        waiting = [c.written_at for c in items if c.waiting]
        return (0, min(waiting), items[0].id) if waiting else (1, items[0].written_at or far,
                                                                 items[0].id)

    threads.sort(key=key)
    return [c for items in threads for c in items]


def inbox(conn: Connection, profile_id: int, *, everything: bool = False,
          post_id: int | None = None, network: str | None = None) -> list[InboxPost]:
    """The profile's comments (only those waiting for an answer, unless ``everything``),
    grouped by published post; the posts with the oldest waiting comment first, then
    the others with their oldest comment first."""
    where, params = _where(profile_id, everything, post_id, network)
    comments = [InboxComment(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8] or "",
                             bool(r[9]), aware_utc(r[10]) or datetime.min.replace(tzinfo=UTC),
                             aware_utc(r[11]), aware_utc(r[12]), aware_utc(r[13]),
                             aware_utc(r[14]), r[15],
                             bool(r[16]))
                for r in _rows(conn, where, params)]
    posts = _posts(conn, {c.delivery_id for c in comments})
    for c in comments:
        group = posts.get(c.delivery_id)
        if group is None:  # the delivery is gone (its post was removed): keep the comment
            group = posts[c.delivery_id] = InboxPost(c.post_id, c.delivery_id, c.network, "",
                                                     None, None)
        group.comments.append(c)
    far = datetime.max.replace(tzinfo=UTC)

    def key(group: InboxPost) -> tuple[int, datetime, int]:
        waiting = [c.written_at for c in group.comments if c.waiting]
        if waiting:
            return (0, min(waiting), group.delivery_id)
        return (1, min((c.written_at for c in group.comments), default=far), group.delivery_id)

    ordered = sorted(posts.values(), key=key)
    for group in ordered:
        group.comments = _threads(group.comments)
    return ordered


def waiting_counts(conn: Connection, profile_id: int) -> dict[str, int]:
    """How many comments wait for an answer, per network (networks with none left out)."""
    return {r[0]: int(r[1]) for r in conn.execute(text(
        f"SELECT c.network, count(*) FROM comments c WHERE c.profile_id = :p AND {WAITING_SQL} "
        "GROUP BY c.network ORDER BY c.network"), {"p": profile_id, **_FLAGS})}


def newest_waiting_id(conn: Connection, profile_id: int) -> int | None:
    """The id of the newest comment stored that waits for an answer (ids only grow)."""
    value = conn.execute(text(
        f"SELECT max(c.id) FROM comments c WHERE c.profile_id = :p AND {WAITING_SQL}"),
        {"p": profile_id, **_FLAGS}).scalar()
    return int(value) if value is not None else None


def watch_problems(conn: Connection, profile_id: int) -> list[dict[str, Any]]:
    """Why fetching comments did not complete, one entry per network and problem (the
    number of posts it stops, and the plain words the engine recorded)."""
    return [{"network": r[0], "code": r[1], "problem": r[2], "posts": int(r[3])}
            for r in conn.execute(text(
                "SELECT network, problem_code, problem, count(*) FROM comment_watch "
                "WHERE profile_id = :p AND problem IS NOT NULL "
                "GROUP BY network, problem_code, problem ORDER BY network, problem"),
                {"p": profile_id})]


def unknown_comments(ids: Iterable[int]) -> NotFound:
    """The refusal for comment numbers the profile does not have."""
    missing = sorted(set(ids))
    numbers = ", ".join(str(i) for i in missing)
    return NotFound(ngettext(
        "There is no comment {numbers}. `costanza comments --all` shows them. Nothing was "
        "changed.",
        "There are no comments {numbers}. `costanza comments --all` shows them. Nothing was "
        "changed.", len(missing)).format(numbers=numbers))


def find_comment(conn: Connection | Session, profile_id: int, comment_id: int) -> Any:
    """(id, network, delivery_id, mine, deleted_at) of the profile's comment, or raise."""
    row = conn.execute(text(
        "SELECT id, network, delivery_id, mine, deleted_at FROM comments "
        "WHERE id = :c AND profile_id = :p"), {"c": comment_id, "p": profile_id}).first()
    if row is None:
        raise unknown_comments([comment_id])
    return row


def mark_read(session: Session, profile_id: int, ids: list[int], now: datetime) -> int:
    """Mark the profile's comments ``ids`` read (those read already stay as they were);
    returns how many were marked now. An id the profile does not have: ``NotFound``
    naming it, and nothing is changed."""
    wanted = sorted(set(int(i) for i in ids))
    if not wanted:
        raise NotFound(_("Give the number of at least one comment, as `costanza comments` "
                         "shows it. Nothing was changed."))
    among = ",".join(str(i) for i in wanted)
    known = {r[0] for r in session.execute(text(
        f"SELECT id FROM comments WHERE profile_id = :p AND id IN ({among})"),
        {"p": profile_id})}
    missing = [i for i in wanted if i not in known]
    if missing:
        raise unknown_comments(missing)
    from posts.comment_tables import Comment  # the table's own type keeps the time in UTC

    result = session.execute(update(Comment).where(
        Comment.profile_id == profile_id, Comment.id.in_(wanted), Comment.read_at.is_(None))
        .values(read_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
