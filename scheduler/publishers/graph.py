"""The Graph API client for Facebook Pages and Instagram: the only module importing facebook-sdk.

facebook-sdk 3.1.0 is old: its version check rejects current Graph versions,
so the client is built without one and every path is written in full
(``v26.0/...``). Tokens travel in the POST body, or in the
``Authorization: OAuth ...`` header for reads, never in a URL. Errors are
turned into Costanza's by ``classify_graph_error``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import facebook
import requests

from costanza.errors import (
    AuthExpired,
    OutcomeUnknown,
    PublishError,
    PublishFailed,
    RateLimited,
    RetryLater,
)
from scheduler.publishers.base import MediaFile
from scheduler.publishers.hygiene import redact, remember_secrets
from scheduler.publishers.multipart import FileSlice, MultipartBody
from scheduler.publishers.routing import RoutingSession
from scheduler.publishers.transport import network_name, transport_error

GRAPH_VERSION = "v26.0"

RATE_LIMIT_CODES = {4, 17, 32, 613}
AUTH_CODES = {102, 190, 463, 467}
PERMISSION_CODES = {10, *range(200, 300)}
TRANSIENT_CODES = {1, 2}

Now = Callable[[], datetime]


class _OAuthForReads(requests.auth.AuthBase):
    """Adds ``Authorization: OAuth TOKEN`` to requests whose body does not carry the token."""

    def __init__(self, token: str) -> None:
        self._token = token
        remember_secrets(token)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if r.method in ("GET", "DELETE", "HEAD"):
            r.headers.setdefault("Authorization", f"OAuth {self._token}")
        return r


class GraphClient:
    """A small Graph API client for one token, over a routed ``requests.Session``."""

    def __init__(
        self,
        token: str,
        session: RoutingSession,
        *,
        network: str = "facebook",
        now: Now | None = None,
    ) -> None:
        self.network = network
        self.session = session
        self._token = token
        self._now = now or (lambda: datetime.now(UTC))
        self._api = facebook.GraphAPI(timeout=session.timeout, session=session)
        self._api.version = GRAPH_VERSION
        session.auth = _OAuthForReads(token)

    @property
    def secrets(self) -> tuple[str]:
        return (self._token,)

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """A read: failures are never "unknown", only "try again" or "refused"."""
        return self._call(path, args=_stringify(params), creates=False)

    def post(
        self,
        path: str,
        data: Mapping[str, Any],
        *,
        files: Mapping[str, Any] | None = None,
        creates: bool = True,
        media: list[MediaFile] | None = None,
        post_id: int | None = None,
    ) -> dict[str, Any]:
        """A write. ``creates``: could this call have made something visible if it timed out?"""
        body = _stringify(data)
        body["access_token"] = self._token
        return self._call(path, post_args=body, files=files, creates=creates,
                          media=media, post_id=post_id)

    def upload(self, url: str, fileobj: Any, size: int, *, creates: bool = False) -> dict[str, Any]:
        """POST raw bytes (streamed from ``fileobj``) to a resumable-upload ``url``."""
        headers = {
            "Authorization": f"OAuth {self._token}",
            "offset": "0",
            "file_size": str(size),
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
        }
        return self._send_raw(url, fileobj, headers, creates=creates)

    def post_file(
        self,
        path: str,
        data: Mapping[str, Any],
        field: str,
        part: FileSlice,
        *,
        filename: str,
        mime: str,
        creates: bool = True,
        media: list[MediaFile] | None = None,
        post_id: int | None = None,
    ) -> dict[str, Any]:
        """A multipart POST whose file part streams from disk (videos, video chunks)."""
        fields = _stringify(data)
        fields["access_token"] = self._token
        body = MultipartBody(fields, {field: (filename, part, mime)})
        url = f"https://graph.facebook.com/{GRAPH_VERSION}/{path.lstrip('/')}"
        try:
            return self._send_raw(url, body, {"Content-Type": body.content_type},
                                  creates=creates, media=media, post_id=post_id)
        finally:
            body.close()

    def _send_raw(self, url: str, body: Any, headers: dict[str, str], *, creates: bool,
                  media: list[MediaFile] | None = None,
                  post_id: int | None = None) -> dict[str, Any]:
        try:
            response = self.session.post(url, data=body, headers=headers)
        except requests.RequestException as exc:
            raise transport_error(exc, network=self.network, creates=creates,
                                  secrets=self.secrets) from None
        payload = _json_or_none(response)
        if response.status_code >= 400 or (isinstance(payload, dict) and "error" in payload):
            raise self.classify(response.status_code, _upload_error(payload),
                                response.headers, creates=creates, media=media,
                                post_id=post_id)
        if not isinstance(payload, dict):
            raise self.classify(response.status_code if response.status_code >= 500 else 502,
                                None, response.headers, creates=creates)
        return payload

    def _call(
        self,
        path: str,
        *,
        args: dict[str, Any] | None = None,
        post_args: dict[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        creates: bool,
        media: list[MediaFile] | None = None,
        post_id: int | None = None,
    ) -> dict[str, Any]:
        full = f"{GRAPH_VERSION}/{path.lstrip('/')}"
        try:
            result = self._api.request(full, args=args, post_args=post_args, files=files)
        except requests.RequestException as exc:
            raise transport_error(exc, network=self.network, creates=creates,
                                  secrets=self.secrets) from None
        except facebook.GraphAPIError as exc:
            response = self.session.last_response
            error = exc.result.get("error") if isinstance(exc.result, dict) else None
            status = response.status_code if response is not None else None
            headers = response.headers if response is not None else {}
            raise self.classify(status, error if isinstance(error, dict) else None, headers,
                                creates=creates, media=media, post_id=post_id) from None
        except (KeyError, ValueError):
            # No content type, or a body that is not JSON (an HTML error page).
            response = self.session.last_response
            status = response.status_code if response is not None else None
            headers = response.headers if response is not None else {}
            raise self.classify(status, None, headers, creates=creates) from None
        response = self.session.last_response
        if response is not None and response.status_code >= 400:
            raise self.classify(response.status_code, None, response.headers, creates=creates)
        return result if isinstance(result, dict) else {"data": result}

    def classify(
        self,
        status: int | None,
        error: Mapping[str, Any] | None,
        headers: Mapping[str, str],
        *,
        creates: bool,
        media: list[MediaFile] | None = None,
        post_id: int | None = None,
    ) -> PublishError:
        return classify_graph_error(
            status, error, headers, network=self.network, creates=creates,
            now=self._now(), media=media, post_id=post_id, secrets=self.secrets,
        )


def _stringify(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | dict):
            out[key] = json.dumps(value)
        else:
            out[key] = value
    return out


def _upload_error(payload: Any) -> dict[str, Any] | None:
    """The error of a resumable-upload reply: Graph's shape, or ``debug_info``."""
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("error"), dict):
        return payload["error"]
    info = payload.get("debug_info")
    if isinstance(info, dict):
        return {"message": info.get("message"), "is_transient": bool(info.get("retriable"))}
    return None


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


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
    name = network_name(network)
    error = error or {}
    code = _int(error.get("code"))
    subcode = _int(error.get("error_subcode"))
    said = redact(error.get("error_user_msg") or error.get("message") or "", secrets).strip()
    tag = f"{code}/{subcode}" if subcode else (str(code) if code is not None else None)
    post = f" {post_id}" if post_id is not None else " ID"

    if network == "instagram" and subcode is not None:
        ig = _instagram_subcode(subcode, media, post, now, status, tag)
        if ig is not None:
            return ig
    if code in AUTH_CODES or status == 401:
        return AuthExpired(
            f"{name} no longer accepts Costanza's access to this account (the token expired "
            f"or was revoked). Connect it again with `costanza account add {network}`; "
            f"queued posts wait until then.",
            http_status=status, code=tag,
        )
    if code in PERMISSION_CODES:
        return AuthExpired(
            f"{name} says Costanza is missing a permission for this account ({said}). Connect "
            f"it again with `costanza account add {network}` and grant every permission asked.",
            http_status=status, code=tag,
        )
    if code in RATE_LIMIT_CODES or (code is not None and 80000 <= code <= 80099):
        retry_at = usage_retry_at(headers, now)
        when = f" until {retry_at:%H:%M} UTC" if retry_at else " for a while"
        return RateLimited(
            f"{name} asked Costanza to slow down (too many calls). Nothing was posted; "
            f"it will wait{when} and try again.",
            retry_at=retry_at, http_status=status, code=tag,
        )
    if code == 368:
        return RetryLater(
            f"{name} has temporarily blocked posting from this account (it can happen after "
            f"many posts in a short time). Costanza will try again later. {said}".strip(),
            retry_at=now + timedelta(hours=1), http_status=status, code=tag,
        )
    if code == 506:
        return PublishFailed(
            f"{name} refused the post because the same text was already posted recently. "
            f"Change the text with `costanza post edit{post}` if you want to post it again.",
            http_status=status, code="duplicate",
        )
    transient = code in TRANSIENT_CODES or bool(error.get("is_transient"))
    unreadable = status is None or status < 400  # a reply we could not read
    if transient or unreadable or status >= 500:
        if creates:
            return OutcomeUnknown(
                f"{name} answered with an internal error after receiving the post, so it may "
                f"or may not be out. Costanza will check before trying again.",
                http_status=status, code=tag,
            )
        return RetryLater(
            f"{name} had a temporary problem. Nothing was posted; Costanza will try again.",
            http_status=status, code=tag,
        )
    return PublishFailed(
        f"{name} refused the post: {said or 'no reason given'}. Check it with "
        f"`costanza post show{post.rstrip()}` and change it with `costanza post edit{post}`.",
        http_status=status, code=tag,
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
        shape = "its shape is outside what Instagram takes (between 4:5 and 1.91:1)"
        for item in media or []:
            if item.height and item.width / item.height > 1.91:
                shape = "it is wider than 1.91:1"
                break
            if item.height and item.width / item.height < 0.8:
                shape = "it is taller than 4:5"
                break
        return PublishFailed(
            f"Instagram refused the photo: {shape}. Run `costanza post edit{post} --fit crop` "
            f"or choose another photo.", http_status=status, code=tag,
        )
    if subcode == 2207004:
        return PublishFailed(
            "Instagram refused the photo: it is larger than 8 MB. Choose a smaller photo "
            f"with {edit}.", http_status=status, code=tag,
        )
    if subcode == 2207005:
        return PublishFailed(
            "Instagram refused the file: its format is not supported (Instagram takes JPEG "
            f"photos and MP4 videos). Choose another file with {edit}.",
            http_status=status, code=tag,
        )
    if subcode in (2207052, 9004):
        return PublishFailed(
            "Instagram could not fetch the photo from its public web address. Check that "
            "your media host is reachable from the internet with `costanza account check`, "
            "then run `costanza retry` for this post.", http_status=status, code=tag,
        )
    if subcode == 2207042:
        return RateLimited(
            "Instagram's daily limit of posts for this account is reached. Costanza will "
            "post this tomorrow.", retry_at=now + timedelta(hours=24),
            http_status=status, code=tag,
        )
    return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
