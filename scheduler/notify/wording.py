"""The words of a notification: a worker event (``failed``, ``needs_review``,
``held``) or a ``runway`` warning, turned into a subject and a body in plain words
for the artisan, with what happened and what to do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from posts.networks import network_label

KINDS = ("failed", "needs_review", "held", "runway")


@dataclass(frozen=True)
class Message:
    """One notification to put in the outbox."""

    kind: str
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    profile_id: int | None = None


def _excerpt(text: str | None, size: int = 60) -> str:
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    cut = text[: size - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:.") + "…"


def _post_words(data: dict[str, Any]) -> str:
    excerpt = _excerpt(data.get("text"))
    post_id = data.get("post_id")
    if excerpt and post_id is not None:
        return f'Your post "{excerpt}" (post {post_id})'
    if post_id is not None:
        return f"Your post {post_id}"
    return "A post"


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
        network=network_label(str(data["network"])) if data.get("network") else "the network",
        reason=_sentence(str(data.get("reason") or "no reason was given")),
        episode=f"{delivery_id}:{data.get('token', 0)}",
        post=_post_words(data))


def _failed(e: _Event) -> tuple[str, str, str]:
    return (
        f"Your post for {e.network} could not go out",
        f"{e.post} could not go out on {e.network}.\n\n"
        f"What happened: {e.reason}\n\n"
        f"What to do: fix what the line above asks for, then run "
        f"`costanza retry {e.delivery_id}` to try again. The rest of your queue keeps "
        f"going out at its times.",
        f"failed:{e.episode}")


def _needs_review(e: _Event) -> tuple[str, str, str]:
    return (
        f"Check whether your post went out on {e.network}",
        f"{e.post} was sent to {e.network}, but Costanza could not find out whether it "
        f"was published.\n\n"
        f"What happened: {e.reason}\n\n"
        f"What to do: look at your {e.network} account. If the post is there, run "
        f"`costanza retry {e.delivery_id}`: Costanza checks again and records it. If it is "
        f"not there, run `costanza retry {e.delivery_id} --force` to publish it. Costanza "
        f"does not publish it again on its own, so that it never appears twice.",
        f"needs_review:{e.episode}")


def _held(e: _Event) -> tuple[str, str, str]:
    account = e.data.get("account")
    named = f' "{account}"' if account else ""
    command = str(e.data.get("network") or "NETWORK")
    return (
        f"Reconnect your {e.network} account: your posts are waiting",
        f"{e.network} no longer accepts Costanza for your account{named}, so your posts "
        f"for {e.network} are waiting. None is lost.\n\n"
        f"What happened: {e.reason}\n\n"
        f"What to do: connect the account again with `costanza account add {command} "
        f"...`, then run `costanza account check`. The waiting posts then go out, in "
        f"order.",
        f"held:{e.episode}")


def _runway(e: _Event) -> tuple[str, str, str]:
    profile = e.data.get("profile") or "your profile"
    runs_dry = e.data.get("runs_dry")
    key = f"runway:{e.data.get('profile_id')}:{e.data.get('key_date')}"
    if runs_dry:
        return (
            f"Your queue runs dry after {runs_dry}",
            f"After {runs_dry} there are no more posts in the queue of {profile}, so "
            f"nothing will go out at your next slots.\n\n"
            f"What to do: add a few stories with `costanza post add \"...\"` (photos "
            f"with --photo). A steady rhythm is what your followers notice: a few "
            f"posts every week, every week.",
            key)
    return (
        "Your queue is empty",
        f"There are no more posts in the queue of {profile}, so nothing will go out "
        f"at your next slots.\n\n"
        f"What to do: add a few stories with `costanza post add \"...\"` to keep your "
        f"weekly rhythm.",
        key)


_WORDING: dict[str, Callable[[_Event], tuple[str, str, str]]] = {
    "failed": _failed, "needs_review": _needs_review, "held": _held, "runway": _runway}


def event_to_notification(kind: str, data: dict[str, Any]) -> Message | None:
    """Plain words for an event, or None for events that need no notification.

    ``data`` holds what is known: ``delivery_id``, ``network``, ``reason``,
    ``post_id``, ``text``, ``account``, ``profile_id``, ``token`` (the claim's
    fencing token, which makes each episode distinct); for ``runway``:
    ``profile``, ``profile_id``, ``runs_dry`` (a local date in words, or None for an
    empty queue), ``days`` and ``key_date``.
    """
    event = _read(data)
    wording = _WORDING.get(kind)
    if wording is None:
        return None
    subject, body, dedupe_key = wording(event)
    payload = {k: v for k, v in data.items() if k not in ("text",)}
    payload["kind"] = kind
    return Message(kind, subject, body, payload, dedupe_key, data.get("profile_id"))
