"""X API replies that are not a success, as Costanza's errors in plain words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests

from config.errors import (
    AuthExpired,
    OutcomeUnknown,
    PublishError,
    PublishFailed,
    RateLimited,
    RetryLater,
)
from config.i18n import N_, _
from config.localtime import local_with_zone
from scheduler.http.routing import redact

DUPLICATE = "duplicate"
# The calls that only read (the comments' conversation): a failure there posted nothing.
READS = frozenset({"comments"})
# What X refused, as a whole sentence for each kind of thing.
REFUSED = {
    "post": N_("X refused the post: {said}. Check it with `costanza post show {post}` and "
               "change it with {command}."),
    "photo": N_("X refused the photo: {said}. Check it with `costanza post show {post}` and "
                "change it with {command}."),
    "video": N_("X refused the video: {said}. Check it with `costanza post show {post}` and "
                "change it with {command}."),
    "media": N_("X refused the media: {said}. Check it with `costanza post show {post}` and "
                "change it with {command}."),
    # The dialogue (scheduler.comments.x): reading comments, answering one, hiding one.
    "comments": N_("X refused to list the comments under the post: {said}. Costanza will "
                   "try again later; if this keeps happening, connect the account again "
                   "with `costanza account add x`."),
    "reply": N_("X refused the answer: {said}. Look at the comment on X: it may have been "
                "deleted, or X may not let this account answer there."),
    "hide": N_("X refused to hide the reply: {said}. Only replies written by others under "
               "the account's own posts can be hidden."),
}


def x_body(response: requests.Response | None) -> dict[str, Any]:
    if response is None:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def x_detail(body: Mapping[str, Any]) -> str:
    """X's own words for a failure (``detail``, ``errors[].message``, ``title``)."""
    parts: list[str] = []
    if body.get("detail"):
        parts.append(str(body["detail"]))
    for error in body.get("errors") or []:
        if isinstance(error, dict):
            text = error.get("message") or error.get("detail")
            if text and text not in parts:
                parts.append(str(text))
    if not parts and body.get("title"):
        parts.append(str(body["title"]))
    if not parts and body.get("error"):
        parts.append(str(body["error"]))
    return " ".join(parts)


def is_duplicate(status: int | None, body: Mapping[str, Any]) -> bool:
    if status != 403:
        return False
    codes = [e.get("code") for e in body.get("errors") or [] if isinstance(e, dict)]
    return 187 in codes or "duplicate" in x_detail(body).lower()


def reset_time(headers: Mapping[str, str]) -> datetime | None:
    """The latest reset among the limits that are used up (15-minute and 24-hour windows)."""
    resets: list[int] = []
    for prefix in ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour"):
        remaining = headers.get(f"{prefix}-remaining")
        reset = headers.get(f"{prefix}-reset")
        if reset is None:
            continue
        if prefix != "x-rate-limit" and remaining not in (None, "0"):
            continue
        try:
            resets.append(int(float(reset)))
        except ValueError:
            continue
    return datetime.fromtimestamp(max(resets), UTC) if resets else None


def rate_limited(response: requests.Response | None, what: str = "post") -> RateLimited:
    """X's 429 in plain words: for a read (``what`` in ``READS``) nothing was posted, so
    it says when the comments are read again."""
    retry_at = reset_time(response.headers) if response is not None else None
    if what in READS:
        if retry_at:
            message = _("X asked Costanza to slow down (too many calls), so the comments "
                        "could not be read now; Costanza reads them again after {time}.").format(
                time=local_with_zone(retry_at, UTC))
        else:
            message = _("X asked Costanza to slow down (too many calls), so the comments "
                        "could not be read now; Costanza reads them again in a while.")
    elif retry_at:
        message = _("X asked Costanza to slow down (too many posts or calls). Nothing was "
                    "posted; it will wait until {time} and try again.").format(
            time=local_with_zone(retry_at, UTC))
    else:
        message = _("X asked Costanza to slow down (too many posts or calls). Nothing was "
                    "posted; it will wait for a while and try again.")
    return RateLimited(message, retry_at=retry_at, http_status=429, code="rate_limit")


def classify_x_response(
    response: requests.Response | None,
    *,
    creates: bool,
    secrets: Iterable[str | None] = (),
    post_id: int | None = None,
    what: str = "post",
) -> PublishError:
    """One failed X reply as the error the daemon acts on (``what``: "post", "photo"...)."""
    status = response.status_code if response is not None else None
    body = x_body(response)
    said = redact(x_detail(body), secrets).strip() or _("no reason given")
    edit = f"`costanza post edit {post_id}`" if post_id is not None else "`costanza post edit`"
    if status == 429:
        return rate_limited(response, what)
    if status == 401:
        return AuthExpired(
            _("X no longer accepts Costanza's access to this account (the keys were revoked "
              "or changed). Connect it again with `costanza account add x`; queued posts wait "
              "until then."), http_status=401, code="unauthorized")
    if is_duplicate(status, body):
        return PublishFailed(
            _("X refused the post because the same text was already posted on this account. "
              "Change the text with {command} if you want to post it again.").format(
                command=edit),
            http_status=403, code=DUPLICATE)
    if status is not None and 400 <= status < 500:
        return PublishFailed(
            _(REFUSED.get(what, REFUSED["post"])).format(
                said=said, post=post_id if post_id is not None else "ID", command=edit),
            http_status=status, code=str(status))
    if creates:
        return OutcomeUnknown(
            _("X answered with a server error after receiving your answer, so it may or "
              "may not be there. Costanza looks for it before sending it again: it is "
              "never sent twice.") if what == "reply" else
            _("X answered with a server error after receiving the post, so it may or may not "
              "be out. Costanza will check before trying again."),
            http_status=status, code="server_error")
    if what in READS:
        return RetryLater(
            _("X had a temporary problem, so the comments could not be read now; Costanza "
              "reads them again later."), http_status=status, code="server_error")
    return RetryLater(
        _("X had a temporary problem. Nothing was posted; Costanza will try again."),
        http_status=status, code="server_error")
