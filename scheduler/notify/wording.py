"""The words of a notification: a worker event (``failed``, ``needs_review``,
``held``), a ``runway`` warning, or what the daily readiness check found (``expiring``:
something runs out within 7 days; ``blocked``: something will stop a post this week),
turned into a subject and a body in plain words for the artisan, with what happened and
what to do. (The daily digest of comments, ``comments``, is composed in
``scheduler.notify.comment_digest``.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from config.i18n import _
from posts.networks import network_label

KINDS = ("failed", "needs_review", "held", "runway", "expiring", "blocked", "comments")


@dataclass(frozen=True)
class Message:
    """One notification to put in the outbox."""

    kind: str
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    profile_id: int | None = None


def excerpt(text: str | None, size: int = 60) -> str:
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    cut = text[: size - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:.") + "…"


def _post_words(data: dict[str, Any]) -> str:
    words = excerpt(data.get("text"))
    post_id = data.get("post_id")
    # Translators: the subject of a sentence in a notification ("... could not go out").
    if words and post_id is not None:
        return _('Your post "{excerpt}" (post {number})').format(excerpt=words, number=post_id)
    if post_id is not None:
        return _("Your post {number}").format(number=post_id)
    return _("A post")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ")")) else text + "."


@dataclass(frozen=True)
class _Event:
    """What the words of every kind are made of."""

    data: dict[str, Any]
    delivery_id: Any
    network: str
    reason: str
    episode: str
    post: str


def _read(data: dict[str, Any]) -> _Event:
    delivery_id = data.get("delivery_id")
    return _Event(
        data=data, delivery_id=delivery_id,
        network=(network_label(str(data["network"])) if data.get("network")
                 else _("the network")),
        reason=_sentence(str(data.get("reason") or _("no reason was given"))),
        episode=f"{delivery_id}:{data.get('token', 0)}",
        post=_post_words(data))


def _failed(e: _Event) -> tuple[str, str, str]:
    return (
        _("Your post for {network} could not go out").format(network=e.network),
        _("{post} could not go out on {network}.\n\n"
          "What happened: {reason}\n\n"
          "What to do: fix what the line above asks for, then run "
          "`costanza retry {delivery}` to try again. The rest of your queue keeps "
          "going out at its times.").format(
            post=e.post, network=e.network, reason=e.reason, delivery=e.delivery_id),
        f"failed:{e.episode}")


def _needs_review(e: _Event) -> tuple[str, str, str]:
    return (
        _("Check whether your post went out on {network}").format(network=e.network),
        _("{post} was sent to {network}, but Costanza could not find out whether it "
          "was published.\n\n"
          "What happened: {reason}\n\n"
          "What to do: look at your {network} account. If the post is there, run "
          "`costanza retry {delivery}`: Costanza checks again and records it. If it is "
          "not there, run `costanza retry {delivery} --force` to publish it. Costanza "
          "does not publish it again on its own, so that it never appears twice.").format(
            post=e.post, network=e.network, reason=e.reason, delivery=e.delivery_id),
        f"needs_review:{e.episode}")


def _held(e: _Event) -> tuple[str, str, str]:
    account = e.data.get("account")
    command = str(e.data.get("network") or "NETWORK")
    if account:
        first = _('{network} no longer accepts Costanza for your account "{account}", so '
                  'your posts for {network} are waiting. None is lost.').format(
            network=e.network, account=account)
    else:
        first = _("{network} no longer accepts Costanza for your account, so your posts "
                  "for {network} are waiting. None is lost.").format(network=e.network)
    return (
        _("Reconnect your {network} account: your posts are waiting").format(
            network=e.network),
        first + "\n\n" + _(
            "What happened: {reason}\n\n"
            "What to do: connect the account again with `costanza account add {command} "
            "...`, then run `costanza account check`. The waiting posts then go out, in "
            "order.").format(reason=e.reason, command=command),
        f"held:{e.episode}")


def _runway(e: _Event) -> tuple[str, str, str]:
    profile = e.data.get("profile")
    runs_dry = e.data.get("runs_dry")
    key = f"runway:{e.data.get('profile_id')}:{e.data.get('key_date')}"
    if runs_dry:
        if profile:
            first = _("After {date} there are no more posts in the queue of {profile}, so "
                      "nothing will go out at your next slots.").format(
                date=runs_dry, profile=profile)
        else:
            first = _("After {date} there are no more posts in the queue of your profile, "
                      "so nothing will go out at your next slots.").format(date=runs_dry)
        return (
            _("Your queue runs dry after {date}").format(date=runs_dry),
            first + "\n\n" + _(
                "What to do: add a few stories with `costanza post add \"...\"` (photos "
                "with --photo). A steady rhythm is what your followers notice: a few "
                "posts every week, every week."),
            key)
    if profile:
        first = _("There are no more posts in the queue of {profile}, so nothing will go "
                  "out at your next slots.").format(profile=profile)
    else:
        first = _("There are no more posts in the queue of your profile, so nothing will "
                  "go out at your next slots.")
    return (
        _("Your queue is empty"),
        first + "\n\n" + _(
            "What to do: add a few stories with `costanza post add \"...\"` to keep your "
            "weekly rhythm."),
        key)


def _readiness_body(e: _Event) -> str:
    body = _sentence(str(e.data.get("sentence") or ""))
    if e.data.get("fix"):
        body += "\n\n" + _("What to do: {fix}").format(fix=e.data["fix"])
    return body + "\n\n" + _("Costanza checks this every day; `costanza check` shows all "
                               "it checks.")


def _thing(e: _Event) -> str:
    return str(e.data.get("subject") or e.data.get("code") or "check")


def _expiring(e: _Event) -> tuple[str, str, str]:
    when = e.data.get("expires_local") or e.data.get("expires_at")
    return (_("Something Costanza needs expires on {date}").format(date=when),
            _readiness_body(e), f"expiring:{_thing(e)}:{e.data.get('day')}")


def _blocked(e: _Event) -> tuple[str, str, str]:
    return (_("Something will stop your posts in the next 7 days"), _readiness_body(e),
            f"blocked:{e.data.get('code')}:{_thing(e)}:{e.data.get('day')}")


_WORDING: dict[str, Callable[[_Event], tuple[str, str, str]]] = {
    "failed": _failed, "needs_review": _needs_review, "held": _held, "runway": _runway,
    "expiring": _expiring, "blocked": _blocked}


def event_to_notification(kind: str, data: dict[str, Any]) -> Message | None:
    """Plain words for an event, or None for events that need no notification.

    ``data`` holds what is known: ``delivery_id``, ``network``, ``reason``,
    ``post_id``, ``text``, ``account``, ``profile_id``, ``token`` (the claim's
    fencing token, which makes each episode distinct); for ``runway``:
    ``profile``, ``profile_id``, ``runs_dry`` (a local date in words, or None for an
    empty queue), ``days`` and ``key_date``; for ``expiring`` and ``blocked``: a
    readiness finding (``code``, ``subject``, ``sentence``, ``fix``, ``expires_at``,
    ``expires_local``) and the ``day`` it was found (one notification per thing and day).
    """
    event = _read(data)
    wording = _WORDING.get(kind)
    if wording is None:
        return None
    subject, body, dedupe_key = wording(event)
    payload = {k: v for k, v in data.items() if k not in ("text",)}
    payload["kind"] = kind
    return Message(kind, subject, body, payload, dedupe_key, data.get("profile_id"))
