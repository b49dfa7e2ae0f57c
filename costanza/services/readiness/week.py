"""The week ahead: the queue's runway, the daemon, and the media host Instagram needs."""

from __future__ import annotations

from config.i18n import L_, nL_
from costanza.formatting import local_label
from costanza.services.readiness.accounts import media_host_problem
from costanza.services.readiness.findings import Context, Finding
from costanza.services.readiness.plan import Due


def runway(ctx: Context) -> list[Finding]:
    """Enough posts for every slot of the next 7 days?"""
    week = ctx.week
    data = {"runway": week.runway, "runway_days": week.runway_days,
            "due_this_week": len(week.due),
            "empty_slots": [t.isoformat() for t in week.empty_slots]}
    if week.empty_slots:
        first = local_label(week.empty_slots[0], ctx.tz)
        count = len(week.empty_slots)
        return [Finding("runway", "problem", nL_(
            "The queue runs out: {n} slot in the next 7 days has no post, on {when}.",
            "The queue runs out: {n} slots in the next 7 days have no post, the first on "
            "{when}.",
            count).format(n=count, when=first),
            L_("Add a few posts with `costanza post add \"...\"`."),
            blocks_week=True, subject="queue", data=data)]
    if week.unplanned:
        return [Finding("runway", "warning", week.runway,
                        L_("Set the weekly slots with `costanza cadence set`, or end the "
                           "pause with `costanza resume`."), subject="queue", data=data)]
    if week.runway_warning:
        return [Finding("runway", "warning", week.runway,
                        L_("Add a few posts with `costanza post add \"...\"` to keep your "
                           "weekly rhythm."), subject="queue", data=data)]
    return [Finding("runway", "ok", L_("Every slot of the next 7 days has a post."),
                    subject="queue", data=data)]


def daemon(ctx: Context) -> list[Finding]:
    """Is the daemon alive (its heartbeat, as `costanza status` shows it)?"""
    week = ctx.week
    data = {"running": bool(week.daemons), "daemons": week.daemons}
    if week.daemons:
        return [Finding("daemon", "ok", L_("The daemon is running."), subject="daemon",
                        data=data)]
    fix = L_("Start it with `costanza daemon` (or `systemctl start costanza`).")
    if week.due:
        count = len(week.due)
        return [Finding("daemon", "problem", nL_(
            "The daemon is not running, so the {n} post due in the next 7 days will not go "
            "out.",
            "The daemon is not running, so the {n} posts due in the next 7 days will not go "
            "out.", count).format(n=count), fix, blocks_week=True, subject="daemon",
            data=data)]
    return [Finding("daemon", "warning", L_("The daemon is not running; no post is due in "
                                            "the next 7 days."), fix, subject="daemon",
                    data=data)]


def instagram_photos(ctx: Context) -> list[Due]:
    return [d for d in ctx.week.due if "instagram" in d.targets and d.photos]


def media_host(ctx: Context) -> list[Finding]:
    """Does the media host really serve a file Instagram can fetch? Read from the
    Instagram accounts' check, which puts a test photo there and fetches it back."""
    checked = [(r, r["media_host"]) for r in ctx.accounts
               if r["network"] == "instagram" and r.get("media_host") is not None]
    if not checked:
        return []  # no Instagram account that works: the account's own finding says so
    result, host = checked[0]
    host = dict(host)
    if host.get("ok"):
        return [Finding("media_host", "ok", L_("The media host serves photos: {url}").format(
            url=host.get("url")), subject="media_host", data=dict(host))]
    sentence = media_host_problem(result) or L_("The media host does not serve photos.")
    waiting = instagram_photos(ctx)
    fix = L_("Connect your Facebook Page with `costanza account add facebook` (its photos "
             "then go through the Page), or set up a [media_host] section in your settings "
             "(see the README); then run `costanza check` again.")
    data = {**host, "instagram_photo_posts_this_week": [d.post_id for d in waiting]}
    if waiting:
        return [Finding("media_host", "problem", nL_(
            "{problem} {n} Instagram post with photos is due in the next 7 days and will "
            "wait.",
            "{problem} {n} Instagram posts with photos are due in the next 7 days and will "
            "wait.", len(waiting)).format(problem=sentence, n=len(waiting)), fix,
            blocks_week=True, subject="media_host", data=data)]
    return [Finding("media_host", "warning", sentence, fix, subject="media_host", data=data)]
