"""The Graph API client for Facebook Pages and Instagram: the only module importing facebook-sdk.

facebook-sdk 3.1.0 is old: its version check rejects current Graph versions,
so the client is built without one and every path is written in full
(``v26.0/...``: the version of ``[networks] graph_api_version``). Tokens travel in the
POST body, or in the ``Authorization: OAuth ...`` header for reads, never in a URL. Errors are
turned into Costanza's by ``classify_graph_error``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import facebook
import requests

from config.errors import AuthExpired, PublishError, PublishFailed
from config.graph_versions import DEFAULT
from config.i18n import _
from scheduler.http.hygiene import remember_secrets
from scheduler.http.multipart import FileSlice, MultipartBody
from scheduler.http.routing import RoutingSession
from scheduler.http.transport import network_name, transport_error
from scheduler.publishers.base import AccountAuth, MediaFile, PublishRequest
from scheduler.publishers.graph.errors import classify_graph_error, usage_retry_at

GRAPH_VERSION = DEFAULT  # unless the client is given [networks] graph_api_version
GRAPH_HOST = "graph.facebook.com"
# Instagram API with Instagram Login: the same paths as the Graph API, on its own host.
IG_LOGIN_HOST = "graph.instagram.com"
GRAPH_URL = f"https://{GRAPH_HOST}/{GRAPH_VERSION}"

Now = Callable[[], datetime]


def open_client(request: PublishRequest, token_keys: tuple[str, ...], *, network: str,
                token_name: str, base_url: str | None, timeout: float,
                now: Now, host: str = GRAPH_HOST,
                version: str = GRAPH_VERSION) -> GraphClient:
    """A client for the account's token: the first of ``token_keys`` saved in its secrets.

    The caller closes ``client.session`` (``with client.session: ...``).
    """
    return open_account_client(request.account, token_keys, network=network,
                               token_name=token_name, base_url=base_url, timeout=timeout,
                               now=now, host=host, version=version,
                               before_send=request.before_send)


def open_account_client(account: AccountAuth, token_keys: tuple[str, ...], *, network: str,
                        token_name: str, base_url: str | None, timeout: float, now: Now,
                        host: str = GRAPH_HOST, version: str = GRAPH_VERSION,
                        before_send: Callable[[], None] | None = None,
                        what: str = "post") -> GraphClient:
    """``open_client`` for an account alone (the comment clients): ``before_send`` is
    called right before every write; ``what`` words its transport failures
    (``scheduler.http.transport.transport_error``)."""
    secrets = account.secrets
    token = next((secrets[k] for k in token_keys if secrets.get(k)), None)
    if not token:
        raise AuthExpired(
            _("The {network} account {name} has no {token} saved. Connect it with "
              "`costanza account add {command}`.").format(
                network=network_name(network), name=repr(account.name),
                token=token_name, command=network), code="no_token",
        )
    session = RoutingSession(base_url, timeout=timeout, before_write=before_send)
    return GraphClient(token, session, network=network, now=now, host=host, version=version,
                       what=what)


def account_id(request: PublishRequest, secret_key: str, *, network: str, id_name: str,
               code: str) -> str:
    """The account's id on the network: ``remote_id``, else ``secret_key`` in its secrets."""
    value = request.account.remote_id or request.account.secrets.get(secret_key)
    if not value:
        raise PublishFailed(_("The {network} account has no {id} saved. Connect it again "
                              "with `costanza account add {command}`.").format(
            network=network_name(network), id=id_name, command=network),
                            code=code)
    return value


class _OAuthForReads(requests.auth.AuthBase):
    """Adds ``Authorization: OAuth TOKEN`` to requests whose body does not carry the token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if r.method in ("GET", "DELETE", "HEAD"):
            r.headers.setdefault("Authorization", f"OAuth {self._token}")
        return r


class _OnHost:
    """The session as facebook-sdk sees it, sending its calls (built on the fixed
    ``graph.facebook.com``) to another Graph host; the routed session does the rest."""

    def __init__(self, session: RoutingSession, host: str) -> None:
        self._session = session
        self._prefix = f"https://{host}/"

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        if url.startswith(facebook.FACEBOOK_GRAPH_URL):
            url = self._prefix + url[len(facebook.FACEBOOK_GRAPH_URL):]
        return self._session.request(method, url, **kwargs)


class GraphClient:
    """A small Graph API client for one token, over a routed ``requests.Session``.

    ``host`` is ``graph.facebook.com`` (Facebook Login) or ``graph.instagram.com``
    (an account connected with Instagram Login)."""

    def __init__(
        self,
        token: str,
        session: RoutingSession,
        *,
        network: str = "facebook",
        now: Now | None = None,
        host: str = GRAPH_HOST,
        version: str = GRAPH_VERSION,
        what: str = "post",
    ) -> None:
        self.network = network
        self.what = what  # the kind of calls, for the words of a transport failure
        self.version = version  # "v26.0": the start of every path
        self.url = f"https://{host}/{version}"
        self.session = session
        self.host = host
        self._token = token
        remember_secrets(token)
        self._now = now or (lambda: datetime.now(UTC))
        self._api = facebook.GraphAPI(
            timeout=session.timeout,
            session=session if host == GRAPH_HOST else _OnHost(session, host))
        self._api.version = version
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

    def reply_to(self, method: str, path: str, data: Mapping[str, Any] | None = None, *,
                 versioned: bool = True) -> requests.Response:
        """One Graph call with its reply left unread, for account setup, which words its own
        problems (a ``requests.RequestException`` is the caller's to handle too).
        ``versioned=False`` for the paths that have no version (Instagram's token ones)."""
        url = f"{self._url(versioned)}/{path.lstrip('/')}"
        values = _stringify(data or {})
        if method == "GET":
            return self.session.get(url, params=values or None)
        return self.session.post(url, data=values)

    def _url(self, versioned: bool = True) -> str:
        return self.url if versioned else f"https://{self.host}"

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
        url = f"{self._url()}/{path.lstrip('/')}"
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
                                  secrets=self.secrets, what=self.what) from None
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
        full = f"{self.version}/{path.lstrip('/')}"
        try:
            result = self._api.request(full, args=args, post_args=post_args, files=files)
        except requests.RequestException as exc:
            raise transport_error(exc, network=self.network, creates=creates,
                                  secrets=self.secrets, what=self.what) from None
        except facebook.GraphAPIError as exc:
            status, headers = self._last_reply()
            error = exc.result.get("error") if isinstance(exc.result, dict) else None
            raise self.classify(status, error if isinstance(error, dict) else None, headers,
                                creates=creates, media=media, post_id=post_id) from None
        except (KeyError, ValueError):
            # No content type, or a body that is not JSON (an HTML error page).
            status, headers = self._last_reply()
            raise self.classify(status, None, headers, creates=creates) from None
        status, headers = self._last_reply()
        if status is not None and status >= 400:
            raise self.classify(status, None, headers, creates=creates)
        return result if isinstance(result, dict) else {"data": result}

    def _last_reply(self) -> tuple[int | None, Mapping[str, str]]:
        """Status and headers of the reply facebook-sdk just read (it keeps neither)."""
        response = self.session.last_response
        if response is None:
            return None, {}
        return response.status_code, response.headers

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


__all__ = ["GRAPH_HOST", "GRAPH_URL", "GRAPH_VERSION", "IG_LOGIN_HOST", "GraphClient",
           "classify_graph_error", "usage_retry_at"]
