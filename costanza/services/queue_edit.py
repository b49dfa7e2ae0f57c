"""The queue as the web page shows and changes it (`costanza web`, `/queue`).

Plain data, and each change through the same service as its command: ``move_by`` is
`post move` (one place up or down among the posts that take their turn), ``edit_texts``
and ``pin``/``unpin`` are `post edit` (the text per network, ``--at``, ``--unpin``),
``pause_days`` is `pause --from --until`. The refusals are those of the commands, said
with the page's words where a command would name its options.

``queue_page`` is::

    {"timezone": "Europe/Rome", "runway": "...", "runway_warning": false,
     "pauses": [{"dates": "Sat 08 Aug 2099 to Mon 24 Aug 2099", "now": true}],
     "posts": [{"id": 3, "place": 1, "excerpt": "...", "targets": ["facebook", "x"],
                "planned_local": "Mon 23 Nov 09:30" | null, "pinned": false,
                "pin_value": "2026-11-23T09:30", "late": false, "waits_for_pause": false,
                "thumbnail": {"sha256": "...", "kind": "photo"} | null,
                "can_move_up": false, "can_move_down": true}]}
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from config.errors import InputError
from config.i18n import _
from costanza.app import App
from costanza.formatting import excerpt, pause_dates
from costanza.services import posts as post_services
from costanza.timeparse import next_day, parse_date, parse_local, start_of_day
from posts.networks import network_label

NETWORK_ORDER = ("facebook", "instagram", "x")


def _in_turn(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The queued posts in queue order (position, then id): the order `post move` counts."""
    return sorted(rows, key=lambda r: (r["position"], r["id"]))


def queue_page(app: App) -> dict[str, Any]:
    """The queued posts in publishing order, with what the page needs (module docstring)."""
    from costanza.services.views import queue_view

    rows = post_services.list_posts(app)
    view = queue_view(app, limit=1)
    tz = ZoneInfo(view["timezone"])
    now = app.clock.now()
    turn = [r["id"] for r in _in_turn(rows) if r["pinned_at"] is None]
    pauses = [(datetime.fromisoformat(p["from"]),
               datetime.fromisoformat(p["until"]) if p["until"] else None)
              for p in view["pauses"]]
    open_ended = any(end is None for _start, end in pauses)
    posts = []
    for place, row in enumerate(rows, start=1):
        at = datetime.fromisoformat(row["planned_at"]) if row["planned_at"] else None
        first = row["media"][0] if row["media"] else None
        posts.append({
            "id": row["id"], "place": place, "excerpt": excerpt(row["text"], 80),
            "targets": row["targets"], "planned_local": row["planned_local"],
            "pinned": row["pinned_at"] is not None, "late": row["late"],
            "pin_value": at.astimezone(tz).strftime("%Y-%m-%dT%H:%M") if at else "",
            "waits_for_pause": at is None and open_ended,
            "thumbnail": {"sha256": first["sha256"], "kind": first["kind"]} if first else None,
            "can_move_up": row["id"] in turn[1:], "can_move_down": row["id"] in turn[:-1],
        })
    return {
        "timezone": view["timezone"], "runway": view["runway"],
        "runway_warning": view["runway_warning"], "posts": posts,
        "pauses": [{"dates": pause_dates(start, end, tz), "now": start <= now}
                   for start, end in pauses],
    }


def move_by(app: App, post_id: int, step: int) -> dict[str, Any]:
    """Move a queued post one place up (``step`` -1) or down (+1) among the posts that take
    their turn (a pinned post keeps its own time and is passed over); ``step`` 0 only
    checks that it may move."""
    rows = _in_turn(post_services.list_posts(app))
    mine = next((r for r in rows if r["id"] == post_id), None)
    if mine is None:
        post_services.show_post(app, post_id)  # an unknown post: its own plain refusal
        raise InputError(_(
            "Post {number} is no longer waiting in the queue, so it cannot be moved.")
            .format(number=post_id))
    if mine["pinned_at"] is not None:
        raise InputError(_(
            "Post {number} has its own time, so its place in line does not matter. "
            "Unpin it first to let it take its turn.").format(number=post_id))
    turn = [r for r in rows if r["pinned_at"] is None]
    index = turn.index(mine) + step
    if step == 0:
        return mine  # only checked: it may move
    if not 0 <= index < len(turn):
        words = (_("Post {number} is already the first in line.") if step < 0
                 else _("Post {number} is already the last in line."))
        raise InputError(words.format(number=post_id))
    neighbour = turn[index]
    return post_services.move_post(app, post_id, rows.index(neighbour) + 1)


def move_to(app: App, post_id: int, target_id: int) -> dict[str, Any]:
    """Put a queued post where another one is in line (a post dragged onto another on
    the page): the others move one place to make room; pinned posts keep their time."""
    if post_id == target_id:
        raise InputError(_("Post {number} is already there.").format(number=post_id))
    rows = _in_turn(post_services.list_posts(app))
    target = next((r for r in rows if r["id"] == target_id), None)
    if target is None or target["pinned_at"] is not None:
        raise InputError(_(
            "Post {number} is not waiting in line, so nothing can be put in its place.")
            .format(number=target_id))
    move_by(app, post_id, 0)  # the same refusals as a move up or down
    return post_services.move_post(app, post_id, rows.index(target) + 1)


def edit_form(app: App, post_id: int) -> dict[str, Any]:
    """A queued post's text for each network it goes to, as the edit form shows it."""
    row = post_services.show_post(app, post_id)
    if row["state"] != "queued":
        raise InputError(_(
            "Post {number} is already being published, so it can no longer be changed. "
            "The week shows where it stands.").format(number=post_id))
    targets = [n for n in NETWORK_ORDER if n in row["targets"]]
    return {"id": row["id"], "excerpt": row["excerpt"], "planned_local": row["planned_local"],
            "has_media": bool(row["media"]),
            "texts": {n: row["texts"].get(n) or row["text"] for n in targets}}


def _plain(value: str) -> str:
    """A textarea's text as typed: browsers send its line ends as CR LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def edit_texts(app: App, post_id: int, given: dict[str, str]) -> dict[str, Any]:
    """Save the text of each network (one box each). The same text in every box is the
    post's one text; different texts keep the post's text where a box still has it and
    give the other networks their own. ``changed`` is False when every box is as it was."""
    current = edit_form(app, post_id)
    texts = {n: _plain(given.get(n, "")) for n in current["texts"]}
    if texts == current["texts"]:
        return {**post_services.show_post(app, post_id), "changed": False}
    values = list(texts.values())
    row = post_services.show_post(app, post_id)
    if len(set(values)) == 1:
        options: dict[str, Any] = {"text": values[0]}
        options |= {f"text_{n}": "" for n in texts if n in row["texts"]}
        return post_services.edit_post(app, post_id, options)
    empty = [n for n, v in texts.items() if not v.strip()]
    if empty:
        raise InputError(_(
            "The text for {network} is empty. Write a text for it, or put the same text in "
            "every box. Nothing was changed.").format(network=network_label(empty[0])))
    common = row["text"] if row["text"] in values else values[0]
    options = {"text": common} if common != row["text"] else {}
    options |= {f"text_{n}": ("" if v == common else v) for n, v in texts.items()}
    return post_services.edit_post(app, post_id, options)


def pin(app: App, post_id: int, when: str) -> dict[str, Any]:
    """Pin a queued post to a day and time of the profile's zone (`post edit --at`)."""
    if not when.strip():
        raise InputError(_("Choose the day and the time the post should go out, then press "
                           "the button again. Nothing was changed."))
    tz = post_services.profile_zone(app)
    now = app.clock.now()
    at = parse_local(when.replace("T", " "), tz, option=_("the post's own time"), now=now)
    if at <= now:
        raise InputError(_(
            "That time has already passed. Choose a day and time to come, for example "
            "{example}. Nothing was changed.").format(
            example=(now + timedelta(days=7)).astimezone(tz).strftime("%Y-%m-%d") + " 10:00"))
    return post_services.edit_post(
        app, post_id, {"at": at.astimezone(tz).strftime("%Y-%m-%d %H:%M")})


def unpin(app: App, post_id: int) -> dict[str, Any]:
    """Let a pinned post take its turn in the queue again (`post edit --unpin`)."""
    return post_services.edit_post(app, post_id, {"unpin": True})


def pause_days(app: App, first: str, last: str) -> dict[str, Any]:
    """Pause from ``first`` (empty: now) to ``last`` included (empty: no end), the days
    checked with the page's words before `pause` takes them."""
    from costanza.services.schedule import pause

    tz = post_services.profile_zone(app)
    now = app.clock.now()
    today = now.astimezone(tz).date()
    first, last = first.strip(), last.strip()
    begin = parse_date(first, _("the first day"), today) if first else None
    end = parse_date(last, _("the last day"), today) if last else None
    if end is not None:
        if begin is not None and end < begin:
            raise InputError(_("The last day of the pause comes before its first day. Choose "
                               "a last day on or after the first one. Nothing was changed."))
        if start_of_day(next_day(end, _("the last day")), tz) <= now:
            raise InputError(_("That pause is entirely in the past. Choose days to come. "
                               "Nothing was changed."))
    return pause(app, begin.isoformat() if begin else None,
                 end.isoformat() if end else None)
