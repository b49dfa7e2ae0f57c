"""The accounts for the week ahead: tokens, their expiry, permissions, Instagram's quota.

They read the results of `costanza account check` (``check_accounts``), once per run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from config.clock import utc
from config.errors import CostanzaError
from config.i18n import L_, nL_
from costanza.formatting import local_label
from costanza.services.readiness.findings import EXPIRY_WARNING, WEEK, Context, Finding
from posts.networks import network_label


def media_host_problem(result: dict[str, Any]) -> str | None:
    """The problem of the media host, when an Instagram account's check found one: the
    account check puts it last among the account's problems."""
    host = result.get("media_host")
    if host and not host.get("ok") and result.get("problems"):
        return str(result["problems"][-1])
    return None


def _own_problems(result: dict[str, Any]) -> list[str]:
    problems = [str(p) for p in result.get("problems") or []]
    return problems[:-1] if media_host_problem(result) else problems


def _subject(result: dict[str, Any]) -> str:
    return f"account:{result['name']}"


def _words(result: dict[str, Any]) -> dict[str, str]:
    return {"label": network_label(result["network"]), "name": result["name"],
            "network": result["network"]}


def _data(result: dict[str, Any]) -> dict[str, Any]:
    return {"account": result["name"], "network": result["network"],
            "display_name": result.get("display_name"), "health": result.get("health"),
            "permissions": result.get("permissions"), "expires": result.get("expires"),
            "token_expires_at": result.get("token_expires_at")}


def tokens(ctx: Context) -> list[Finding]:
    """Does each account's token work, and for how long? Are its permissions all there?"""
    if not ctx.accounts:
        return [Finding("accounts", "problem" if ctx.week.due else "warning",
                        L_("No account is connected, so nothing can be published."),
                        L_("Connect one with `costanza account add facebook` (or instagram, "
                           "x)."), blocks_week=bool(ctx.week.due), subject="accounts")]
    found: list[Finding] = []
    for result in ctx.accounts:
        found.extend(_account(ctx, result))
    return found


def _account(ctx: Context, result: dict[str, Any]) -> list[Finding]:
    words, data, subject = _words(result), _data(result), _subject(result)
    reconnect = L_("Connect it again with `costanza account add {network} ...`, then run "
                   "`costanza check` again.").format(**words)
    found: list[Finding] = []
    broken = result.get("health") != "ok"
    for problem in _own_problems(result):
        found.append(Finding(
            "token" if broken else "permissions", "problem",
            L_("{label} account '{name}': {problem}").format(problem=problem, **words),
            reconnect, blocks_week=True, subject=subject, data=data))
    if not broken:
        found.extend(_expiry(ctx, result, reconnect))
        found.extend(_comments(result))
    for note in result.get("notes") or []:
        found.append(Finding("account_note", "warning", L_("{label} account '{name}': {note}")
                             .format(note=note, **words), L_("Run `costanza account check` "
                                                             "again later."),
                             subject=subject, data=data))
    if not found:
        found.append(Finding("token", "ok", L_("{label} account '{name}' works.")
                             .format(**words), subject=subject, data=data))
    return found


def _comments(result: dict[str, Any]) -> list[Finding]:
    """A warning when the token lacks the comments' permissions: the comments cannot be
    read or answered, but publishing is not affected (it never blocks the week)."""
    lacking = result.get("comment_permissions")
    if not lacking:
        return []
    said = " ".join(str(m["fails"]) for m in lacking["missing"])
    data = {**_data(result), "missing": [m["permission"] for m in lacking["missing"]]}
    return [Finding("comment_permissions", "warning", L_(
        "{label} account '{name}': {missing} Publishing is not affected.").format(
        missing=said, **_words(result)), str(lacking["fix"]), subject=_subject(result),
        data=data)]


def token_expiry(result: dict[str, Any]) -> datetime | None:
    """When the account's token expires (``token_expires_at``, ISO in UTC), if it does."""
    value = result.get("token_expires_at")
    if not value:
        return None
    try:
        return utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def _expiry(ctx: Context, result: dict[str, Any], reconnect: str) -> list[Finding]:
    expires = token_expiry(result)
    if expires is None or expires - ctx.now > EXPIRY_WARNING:
        return []
    words, data = _words(result), _data(result)
    when = local_label(expires, ctx.tz)
    left = expires - ctx.now
    if left <= timedelta(0):
        sentence = L_("The token of the {label} account '{name}' expired on {when}: its "
                      "posts will be refused.").format(when=when, **words)
    else:
        days = max(1, round(left / timedelta(days=1)))
        sentence = nL_("The token of the {label} account '{name}' expires on {when}, in {n} "
                       "day.",
                       "The token of the {label} account '{name}' expires on {when}, in {n} "
                       "days.", days).format(when=when, n=days, **words)
    blocks = left <= WEEK
    return [Finding("token_expiry", "problem" if blocks else "warning", sentence, reconnect,
                    blocks_week=blocks, subject=_subject(result), data=data,
                    expires_at=expires)]


def quota(ctx: Context) -> list[Finding]:
    """Instagram's publishing limit: how many posts each account may still publish in the
    rolling 24 hours (``GET /{ig-user-id}/content_publishing_limit``)."""
    from costanza.services.accounts.checks import list_accounts

    remote = {a["name"]: a["remote_id"] for a in list_accounts(ctx.app)}
    return [_quota(ctx, r, remote.get(r["name"]) or "me") for r in ctx.accounts
            if r["network"] == "instagram" and r.get("health") == "ok"]


def _limit(ctx: Context, name: str, ig_user: str) -> tuple[int, int]:
    from costanza.services.accounts.common import GraphSession
    from costanza.services.accounts.store import secret_store

    token = secret_store(ctx.app).get(name).get("token") or ""
    reply = GraphSession(ctx.app, "instagram").get(
        f"{ig_user}/content_publishing_limit", token, fields="config,quota_usage")
    entry = (reply.get("data") or [{}])[0]
    total = int((entry.get("config") or {}).get("quota_total"))
    return total, int(entry.get("quota_usage") or 0)


def _quota(ctx: Context, result: dict[str, Any], ig_user: str) -> Finding:
    words, subject = _words(result), _subject(result)
    try:
        total, used = _limit(ctx, result["name"], ig_user)
    except (CostanzaError, TypeError, ValueError, IndexError, AttributeError):
        return Finding("quota", "warning", L_(
            "Instagram did not say how many posts the account '{name}' may still publish "
            "today.").format(**words), L_("Run `costanza check` again later."),
            subject=subject)
    data = {"account": result["name"], "quota_total": total, "quota_usage": used,
            "remaining": max(0, total - used)}
    if used >= total:
        return Finding("quota", "problem", L_(
            "The Instagram account '{name}' has used up its publishing limit ({used} of "
            "{total} posts in the last 24 hours): Instagram refuses more for now.").format(
            used=used, total=total, **words),
            L_("Wait: the limit frees up as the hours pass, and the posts wait meanwhile. "
               "Publish fewer posts a day on Instagram."),
            blocks_week=True, subject=subject, data=data)
    return Finding("quota", "ok", nL_(
        "The Instagram account '{name}' may publish {n} more post in the next 24 hours.",
        "The Instagram account '{name}' may publish {n} more posts in the next 24 hours.",
        total - used).format(n=total - used, **words), subject=subject, data=data)
