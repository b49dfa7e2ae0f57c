"""The publish log: what went out, where, and what did not and why.

``costanza log`` prints one entry per delivery (one post on one network), in
its latest state. The entries are plain dictionaries; ``costanza log --json``
prints a list of them, and this shape is the stable contract::

    {
      "delivery_id": 12,            # the number `costanza retry` takes
      "post_id": 3,
      "network": "x",               # facebook, instagram or x
      "account": "my-x",            # the connected account's name, or null
      "state": "failed",            # queued, claimed, publishing, published, retry_wait,
                                    # failed, unknown, needs_review, held, cancelled
      "status": "failed",           # the state in plain words, as the text log shows it
      "at": "2026-12-07T08:30:12+00:00",   # when it went out, or the last try (UTC)
      "local_time": "Mon 07 Dec 09:30",    # the same, in the profile's time zone
      "timezone": "Europe/Rome",
      "text": "La lana arriva ...",        # the text for that network
      "excerpt": "La lana arriva dalla Val di…",
      "permalink": null,            # the link to the published post
      "remote_id": null,            # the network's id of the post
      "published_at": null,         # UTC, when it was published
      "next_try_at": null,          # UTC, when Costanza tries again (retry_wait)
      "attempts": 1,                # tries so far
      "reason": "X refused the post: the text is too long.",   # plain words, or null
      "fix": "costanza retry 12",   # the command that settles it, or null
      "last_attempt": {             # the latest try, or null
        "at": "...", "action": "publish", "outcome": "failed", "http_status": 400,
        "error_code": null, "message": "...", "duration_ms": 120
      }
    }

``costanza log --follow --json`` prints one JSON object per line (JSON Lines):
first the entries above, then one for each new try as it happens, with the
keys ``attempt_id``, ``delivery_id``, ``post_id``, ``network``, ``action``
(publish, reconcile...), ``outcome`` (published, retry, failed, unknown,
needs_review, held), ``state``, ``status``, ``at``, ``local_time``,
``timezone``, ``excerpt``, ``permalink``, ``remote_id``, ``http_status``,
``error_code``, ``duration_ms``, ``reason`` and ``fix``.

``costanza log --csv`` writes the columns of ``CSV_COLUMNS`` with a header row.

Reading uses SQL through SQLAlchemy Core only (no ORM), like the other
listings, so the command stays quick.
"""

from __future__ import annotations

import csv
import json
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from config.errors import InputError
from config.i18n import L_, _
from costanza.app import App
from costanza.formatting import excerpt, iso, local
from costanza.services.log_states import (
    ATTENTION,
    OUTCOME_STATES,
    STATUS_COLOURS,
    STATUS_WORDS,
    fix_for,
    status_word,
)
from costanza.services.retry import retry_delivery as retry_delivery  # re-exported: its old home
from posts.networks import NETWORKS, network_label

CSV_COLUMNS = ("delivery_id", "post_id", "network", "account", "state", "status", "local_time",
               "at", "excerpt", "permalink", "reason", "fix", "attempts", "text")
DEFAULT_SINCE = "7d"


# -- small helpers ------------------------------------------------------------

def to_utc(value: Any) -> datetime | None:
    """A datetime read back through Core SQL (a string on SQLite) as aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _texts(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _fix_lines(entry: dict[str, Any]) -> list[str]:
    fix = entry.get("fix")
    if not fix:
        return []
    if entry["state"] == "needs_review":
        return [_("To check once more: {command}").format(command=fix),
                _("To publish it anyway: {command} --force").format(command=fix)]
    if entry["state"] == "held":
        if fix == "costanza costs":
            return [_("To fix: see `{command}`; raise [x] monthly_budget to send now.").format(
                command=fix)]
        if fix.startswith("costanza account add"):
            return [_("To fix: connect an account with {command}").format(command=fix)]
        return [_("To fix: reconnect the account, then run {command}").format(command=fix)]
    return [_("To fix: {command}").format(command=fix)]


# -- the log ---------------------------------------------------------------

def _profile(conn: Any, name: str) -> tuple[int, ZoneInfo]:
    row = conn.execute(text("SELECT id, timezone FROM profiles WHERE name = :n"),
                       {"n": name}).first()
    if row is None:
        from posts.listing import profile_not_found

        raise profile_not_found(name)
    return int(row[0]), ZoneInfo(row[1])


def parse_until(value: str, now: datetime, tz: ZoneInfo) -> datetime:
    """--until: a date means up to the end of that day; else like --since."""
    from costanza.timeparse import parse_end

    return parse_end(value, now, tz, "--until")


def _latest_attempts(conn: Any, profile_id: int) -> dict[int, dict[str, Any]]:
    rows = conn.execute(text(
        "SELECT delivery_id, started_at, action, outcome, http_status, error_code, message, "
        "duration_ms FROM attempts WHERE id IN (SELECT max(id) FROM attempts "
        "WHERE profile_id = :p GROUP BY delivery_id)"), {"p": profile_id}).all()
    return {r[0]: {"at": iso(to_utc(r[1])), "action": r[2], "outcome": r[3],
                   "http_status": r[4], "error_code": r[5], "message": r[6],
                   "duration_ms": r[7]} for r in rows}


def log_entries(app: App, *, since: str | None = None, until: str | None = None,
                network: str | None = None, post_id: int | None = None,
                failed: bool = False) -> list[dict[str, Any]]:
    """The publish log: one entry per delivery, oldest first (see the module docstring).

    ``since`` defaults to the last 7 days, except with ``post_id`` (then all its
    deliveries are shown) or ``failed``. ``failed`` keeps the deliveries that need
    the artisan (failed, needs review, on hold), however old, unless ``since`` is given.
    """
    now = app.clock.now()
    if network is not None and network.lower() not in NETWORKS:
        raise InputError(_("'{network}' is not a network Costanza knows: use facebook, "
                           "instagram or x.").format(network=network))
    with app.store.engine.connect() as conn:
        profile_id, tz = _profile(conn, app.profile_name)
        from costanza.timeparse import parse_since

        if since is None and post_id is None and not failed:
            since = DEFAULT_SINCE
        start = parse_since(since, now, tz) if since is not None else None
        end = parse_until(until, now, tz) if until is not None else None
        sql = ("SELECT d.id, d.post_id, d.network, d.state, d.attempts, d.remote_id, "
               "d.permalink, d.reason, d.due_at, d.published_at, d.created_at, d.account_id, "
               "a.name, p.text, p.texts FROM deliveries d JOIN posts p ON p.id = d.post_id "
               "LEFT JOIN accounts a ON a.id = d.account_id WHERE d.profile_id = :p")
        params: dict[str, Any] = {"p": profile_id}
        if network:
            sql += " AND d.network = :n"
            params["n"] = network.lower()
        if post_id is not None:
            sql += " AND d.post_id = :post"
            params["post"] = post_id
        if failed:
            sql += " AND d.state IN ('failed', 'needs_review', 'held')"
        rows = conn.execute(text(sql), params).all()
        latest = _latest_attempts(conn, profile_id)
    entries = []
    for r in rows:
        last = latest.get(r[0])
        at = to_utc(r[9]) or to_utc(last["at"] if last else None) or to_utc(r[10])
        assert at is not None
        if (start is not None and at < start) or (end is not None and at >= end):
            continue
        state = r[3]
        body = _texts(r[14]).get(r[2]) or r[13] or ""
        entries.append({
            "delivery_id": r[0], "post_id": r[1], "network": r[2], "account": r[12],
            "state": state, "status": status_word(state),
            "at": iso(at), "local_time": local(at, tz), "timezone": tz.key,
            "text": body, "excerpt": excerpt(body),
            "permalink": r[6], "remote_id": r[5], "published_at": iso(to_utc(r[9])),
            "next_try_at": iso(to_utc(r[8])) if state == "retry_wait" else None,
            "attempts": r[4],
            "reason": r[7] if state != "published" else None,
            "fix": fix_for(state, r[0], r[2], r[11], last["error_code"] if last else None),
            "last_attempt": last,
            "_sort": (at, r[0]),
        })
    entries.sort(key=lambda e: e.pop("_sort"))
    return entries


# -- following new tries ---------------------------------------------------------

def last_attempt_id(app: App) -> int:
    with app.store.engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM attempts")).scalar() or 0)


def new_attempts(app: App, after_id: int, *, network: str | None = None,
                 post_id: int | None = None, failed: bool = False
                 ) -> tuple[int, list[dict[str, Any]]]:
    """Tries recorded after ``after_id`` (by any process): the new last id, and the
    entries that pass the filters (shape: see the module docstring)."""
    with app.store.engine.connect() as conn:
        profile_id, tz = _profile(conn, app.profile_name)
        rows = conn.execute(text(
            "SELECT t.id, t.delivery_id, t.post_id, t.network, t.action, t.outcome, "
            "t.http_status, t.error_code, t.message, t.remote_id, t.permalink, "
            "t.started_at, t.duration_ms, t.account_id, p.text, p.texts "
            "FROM attempts t LEFT JOIN posts p ON p.id = t.post_id "
            "WHERE t.id > :after AND t.profile_id = :p ORDER BY t.id"),
            {"after": after_id, "p": profile_id}).all()
        top = conn.execute(text("SELECT coalesce(max(id), 0) FROM attempts")).scalar() or 0
    entries = []
    for r in rows:
        state = OUTCOME_STATES.get(r[5], r[5])
        if network and r[3] != network.lower():
            continue
        if post_id is not None and r[2] != post_id:
            continue
        if failed and state not in ATTENTION:
            continue
        at = to_utc(r[11])
        body = _texts(r[15]).get(r[3]) or r[14] or ""
        entries.append({
            "attempt_id": r[0], "delivery_id": r[1], "post_id": r[2], "network": r[3],
            "action": r[4], "outcome": r[5], "state": state,
            "status": status_word(state),
            "at": iso(at), "local_time": local(at, tz), "timezone": tz.key,
            "excerpt": excerpt(body), "permalink": r[10] if state == "published" else None,
            "remote_id": r[9], "http_status": r[6], "error_code": r[7],
            "duration_ms": r[12], "reason": r[8] if state != "published" else None,
            "fix": fix_for(state, r[1], r[3], r[13], r[7]),
        })
    return max(int(top), after_id), entries


def follow(app: App, *, network: str | None = None, post_id: int | None = None,
           failed: bool = False, interval: float = 1.0, max_polls: int | None = None,
           sleep: Callable[[float], None] = time.sleep,
           after_id: int | None = None,
           stopped: Callable[[], bool] = lambda: False) -> Iterator[dict[str, Any]]:
    """Yield each new try as another process (the daemon) records it, until stopped.

    Polls the attempts table by id every ``interval`` seconds; ``max_polls``
    ends the loop (tests), otherwise it runs until Ctrl-C or until ``stopped()``
    says so (checked before each poll).
    """
    last = last_attempt_id(app) if after_id is None else after_id
    polls = 0
    while (max_polls is None or polls < max_polls) and not stopped():
        last, entries = new_attempts(app, last, network=network, post_id=post_id,
                                     failed=failed)
        yield from entries
        polls += 1
        if max_polls is None or polls < max_polls:
            sleep(interval)


# -- printing ------------------------------------------------------------------

def _status_width() -> int:
    """The status column: as wide as the longest state's name (12 in English)."""
    return max(12, *(len(L_(word)) for word in STATUS_WORDS.values()))


def header(width: int = 80) -> str:
    when, network, status, post, body = _("When"), _("Network"), _("Status"), _("Post"), _("Text")
    line = (f"{'#':>5}  {when:<16}  {network:<9}  {status:<{_status_width()}}  {post:<9}  "
            f"{body}")
    return line[:width]


def format_entry(entry: dict[str, Any], width: int = 80,
                 style: Callable[..., str] | None = None) -> list[str]:
    """The lines `costanza log` prints for one entry: the main line fitted to ``width``,
    then the link, the reason and the fixing command on their own indented lines.

    ``style`` is ``click.style`` when colours are wanted (None: plain text).
    """
    state = entry["state"]
    status_width = _status_width()
    status = f"{entry['status']:<{status_width}}"
    if style is not None and state in STATUS_COLOURS:
        status = style(status, fg=STATUS_COLOURS[state], bold=True if state in ATTENTION else None)
    network = network_label(entry["network"])
    lead = f"{entry['delivery_id']:>5}  {entry['local_time']:<16}  {network:<9}  "
    post_word = _("post {number}").format(number=entry["post_id"])
    post = f"{post_word:<9}  "  # the number `post show` takes
    room = max(10, width - len(lead) - status_width - 2 - len(post))
    lines = [f"{lead}{status}  {post}{excerpt(entry['excerpt'], room)}"]
    indent = " " * 7
    wrap_width = max(20, width - len(indent))
    if entry.get("permalink"):
        lines.append(indent + entry["permalink"])
    if state == "retry_wait" and entry.get("next_try_at"):
        tz = ZoneInfo(entry["timezone"])
        when = local(to_utc(entry["next_try_at"]), tz)
        reason = entry.get("reason") or ""
        again = _("Will try again {when}.").format(when=when)
        lines.extend(textwrap.wrap(f"{again} {reason}".strip(), wrap_width,
                                   initial_indent=indent, subsequent_indent=indent))
    elif entry.get("reason") and state in (*ATTENTION, "unknown", "retry_wait", "cancelled"):
        lines.extend(textwrap.wrap(entry["reason"], wrap_width, initial_indent=indent,
                                   subsequent_indent=indent))
    for fix in _fix_lines(entry):
        lines.append(indent + (style(fix, bold=True) if style is not None else fix))
    return lines


def write_csv(entries: list[dict[str, Any]], stream: IO[str]) -> None:
    """The log for a spreadsheet: a header row, then one row per delivery."""
    writer = csv.DictWriter(stream, fieldnames=list(CSV_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: "" if entry.get(k) is None else entry[k] for k in CSV_COLUMNS})
