"""Graph API errors (Facebook Pages and Instagram) as Costanza's errors, in plain words.

Codes: 190 and friends re-authorise; 4, 17, 32, 613 and 80000-80099 are rate
limits (``estimated_time_to_regain_access`` from the usage headers); 368 is a
temporary block; 506 a duplicate; 1, 2 and 5xx are transient (unknown outcome
when the call could have created something); Instagram subcodes name the
photo's problem and its fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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
from scheduler.http.hygiene import redact
from scheduler.http.transport import network_name
from scheduler.publishers.base import MediaFile

RATE_LIMIT_CODES = {4, 17, 32, 613}
AUTH_CODES = {102, 190, 463, 467}
PERMISSION_CODES = {10, *range(200, 300)}
TRANSIENT_CODES = {1, 2}
RETIRED_VERSION_CODE = 2635  # "You are calling a deprecated version of the Graph API"


def usage_retry_at(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When Meta says the app or page may call again (``estimated_time_to_regain_access``)."""
    minutes = 0
    for name in ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Ad-Account-Usage"):
        raw = _header(headers, name)
        if not raw:
            continue
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        for item in _walk(parsed):
            value = item.get("estimated_time_to_regain_access")
            if isinstance(value, int | float) and value > minutes:
                minutes = int(value)
    return now + timedelta(minutes=minutes) if minutes > 0 else None


def _walk(obj: Any) -> list[dict[str, Any]]:
    if isinstance(obj, dict):
        found = [obj]
        for value in obj.values():
            found.extend(_walk(value))
        return found
    if isinstance(obj, list):
        return [d for v in obj for d in _walk(v)]
    return []


def _header(headers: Mapping[str, str], name: str) -> str | None:
    if hasattr(headers, "get"):
        value = headers.get(name)
        if value is None:
            value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
        return value
    return None


@dataclass(frozen=True)
class _Failure:
    """One Graph API failure, read once: what each classifier below looks at."""

    network: str
    name: str  # the network as people write it ("Facebook")
    status: int | None
    code: int | None
    tag: str | None  # "code/subcode", the error's code in Costanza
    said: str  # the platform's own words, secrets removed
    post: str  # " 12" (the post id, for commands) or " ID"


def classify_graph_error(
    status: int | None,
    error: Mapping[str, Any] | None,
    headers: Mapping[str, str],
    *,
    network: str,
    creates: bool,
    now: datetime,
    media: list[MediaFile] | None = None,
    post_id: int | None = None,
    secrets: tuple[str, ...] | tuple[str] = (),
) -> PublishError:
    """One Graph API failure, as the error the daemon acts on, in plain words."""
    error = error or {}
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    said = redact(error.get("error_user_msg") or error.get("message") or "", secrets).strip()
    tag = f"{code}/{subcode}" if subcode else (str(code) if code is not None else None)
    post = f" {post_id}" if post_id is not None else " ID"
    failure = _Failure(network, network_name(network), status, code, tag, said, post)

    if network == "instagram" and subcode is not None:
        ig = _instagram_subcode(subcode, media, post, now, status, tag)
        if ig is not None:
            return ig
    return (_access_problem(failure) or _throttled(failure, headers, now)
            or _duplicate(failure) or _server_trouble(failure, error, creates)
            or _refused(failure))


def _access_problem(f: _Failure) -> PublishError | None:
    """The token expired or was revoked, a permission is missing (connect again), or the
    Graph API version is retired (change it): the account waits, its posts with it."""
    if f.code == RETIRED_VERSION_CODE:
        from config.graph_versions import LATEST

        return AuthExpired(
            _("{network} no longer answers the Graph API version Costanza calls ({said}). "
              "Set [networks] graph_api_version = \"{latest}\" in Costanza's settings file "
              "and run `costanza account check`; queued posts wait until then.").format(
                network=f.name, said=f.said, latest=LATEST),
            http_status=f.status, code="graph_version",
        )
    if f.code in AUTH_CODES or f.status == 401:
        return AuthExpired(
            _("{network} no longer accepts Costanza's access to this account (the token "
              "expired or was revoked). Connect it again with `costanza account add "
              "{command}`; queued posts wait until then.").format(
                network=f.name, command=f.network),
            http_status=f.status, code=f.tag,
        )
    if f.code in PERMISSION_CODES:
        return AuthExpired(
            _("{network} says Costanza is missing a permission for this account ({said}). "
              "Connect it again with `costanza account add {command}` and grant every "
              "permission asked.").format(network=f.name, said=f.said, command=f.network),
            http_status=f.status, code=f.tag,
        )
    return None


def _throttled(f: _Failure, headers: Mapping[str, str], now: datetime) -> PublishError | None:
    """Too many calls (wait as long as Meta says), or posting blocked for a while."""
    if f.code in RATE_LIMIT_CODES or (f.code is not None and 80000 <= f.code <= 80099):
        retry_at = usage_retry_at(headers, now)
        if retry_at:
            message = _("{network} asked Costanza to slow down (too many calls). Nothing was "
                        "posted; it will wait until {time} and try again.").format(
                network=f.name, time=local_with_zone(retry_at, UTC))
        else:
            message = _("{network} asked Costanza to slow down (too many calls). Nothing was "
                        "posted; it will wait for a while and try again.").format(
                network=f.name)
        return RateLimited(
            message,
            retry_at=retry_at, http_status=f.status, code=f.tag,
        )
    if f.code == 368:
        return RetryLater(
            (_("{network} has temporarily blocked posting from this account (it can happen "
               "after many posts in a short time). Costanza will try again later.").format(
                network=f.name) + f" {f.said}").strip(),
            retry_at=now + timedelta(hours=1), http_status=f.status, code=f.tag,
        )
    return None


def _duplicate(f: _Failure) -> PublishError | None:
    if f.code != 506:
        return None
    return PublishFailed(
        _("{network} refused the post because the same text was already posted recently. "
          "Change the text with `costanza post edit {post}` if you want to post it again."
          ).format(network=f.name, post=f.post.strip()),
        http_status=f.status, code="duplicate",
    )


def _server_trouble(f: _Failure, error: Mapping[str, Any],
                    creates: bool) -> PublishError | None:
    """A transient or server error, or an unreadable reply: maybe out, or try again."""
    transient = f.code in TRANSIENT_CODES or bool(error.get("is_transient"))
    unreadable = f.status is None or f.status < 400  # a reply we could not read
    if not (transient or unreadable or (f.status is not None and f.status >= 500)):
        return None
    if creates:
        return OutcomeUnknown(
            _("{network} answered with an internal error after receiving the post, so it may "
              "or may not be out. Costanza will check before trying again.").format(
                network=f.name),
            http_status=f.status, code=f.tag,
        )
    return RetryLater(
        _("{network} had a temporary problem. Nothing was posted; Costanza will try again."
          ).format(network=f.name),
        http_status=f.status, code=f.tag,
    )


def _refused(f: _Failure) -> PublishError:
    return PublishFailed(
        _("{network} refused the post: {said}. Check it with "
          "`costanza post show {post}` and change it with "
          "`costanza post edit {post}`.").format(
            network=f.name, said=f.said or _("no reason given"), post=f.post.strip()),
        http_status=f.status, code=f.tag,
    )


def _instagram_subcode(
    subcode: int,
    media: list[MediaFile] | None,
    post: str,
    now: datetime,
    status: int | None,
    tag: str | None,
) -> PublishError | None:
    edit = f"`costanza post edit{post}`"
    if subcode == 2207009:
        shape = N_("its shape is outside what Instagram takes (between 4:5 and 1.91:1)")
        for item in media or []:
            if item.height and item.width / item.height > 1.91:
                shape = N_("it is wider than 1.91:1")
                break
            if item.height and item.width / item.height < 0.8:
                shape = N_("it is taller than 4:5")
                break
        return PublishFailed(
            _("Instagram refused the photo: {shape}. Run `costanza post edit {post} --fit crop` "
              "or choose another photo.").format(shape=_(shape), post=post.strip()),
            http_status=status, code=tag,
        )
    if subcode == 2207004:
        return PublishFailed(
            _("Instagram refused the photo: it is larger than 8 MB. Choose a smaller photo "
              "with {command}.").format(command=edit), http_status=status, code=tag,
        )
    if subcode == 2207005:
        return PublishFailed(
            _("Instagram refused the file: its format is not supported (Instagram takes JPEG "
              "photos and MP4 videos). Choose another file with {command}.").format(
                command=edit),
            http_status=status, code=tag,
        )
    if subcode in (2207052, 9004):
        return PublishFailed(
            _("Instagram could not fetch the photo from its public web address. Check that "
              "your media host is reachable from the internet with `costanza account check`, "
              "then run `costanza retry` for this post."), http_status=status, code=tag,
        )
    if subcode == 2207042:
        return RateLimited(
            _("Instagram's daily limit of posts for this account is reached. Costanza will "
              "post this tomorrow."), retry_at=now + timedelta(hours=24),
            http_status=status, code=tag,
        )
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
