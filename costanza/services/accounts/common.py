"""Constants, errors and the Graph calls shared by the account modules (over the one Graph
client, ``scheduler.publishers.graph.client.GraphClient``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import requests

from config import i18n
from config.errors import CostanzaError, InputError
from config.i18n import N_, _
from costanza.app import App
from posts.networks import network_label
from scheduler.media_hosts.base import SECRETS_NAME

X_API = "https://api.x.com"
RESERVED_NAMES = {SECRETS_NAME}  # the media host's keys live under this name
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Deliveries that may be mid-call, or need the account to find out what happened.
BUSY = ("claimed", "publishing", "unknown")
WAITING = ("queued", "retry_wait", "held")
AUTH_CODES = {102, 190, 463, 467}
PERMISSION_CODES = {10, *range(200, 300)}
RATE_CODES = {4, 17, 32, 613}
FACEBOOK_PERMISSIONS = ("pages_manage_posts", "pages_read_engagement")
INSTAGRAM_PERMISSIONS = ("instagram_basic", "instagram_content_publish")
# Wanted for the comments (answering and hiding them; Instagram's also reading), not needed
# to publish: a token without them connects and publishes.
FACEBOOK_COMMENTS = ("pages_manage_engagement",)
INSTAGRAM_COMMENTS = ("instagram_manage_comments",)

# Values of a POST body that are words, not secrets (hidden, they would hide the names of
# the parameters whose values the scrubber hides: grant_type=fb_exchange_token).
_NOT_SECRET = ("grant_type", "method")

AskPin = Callable[[str], str]
ChoosePage = Callable[[list[dict[str, str]]], str]


class Worded(str):
    """A message in the language spoken, that remembers its English (``english``): an
    account's problems go into `account check --json`, whose data stays English."""

    english: str


def worded(message: str, **values: Any) -> Worded:
    """``message`` (marked with ``N_``) translated now and filled with ``values``."""
    text = Worded(_(message).format(**values))
    text.english = message.format(**{k: getattr(v, "english", v) for k, v in values.items()})
    return text


def for_data(exc: CostanzaError) -> str:
    """An error's message for a listing's data: its English in JSON, when it has one."""
    said = exc.args[0] if exc.args else exc.message
    if i18n.for_machines():
        return str(getattr(said, "english", said))
    return str(said)


class AccountProblem(InputError):
    """A network did not accept an account's keys or token.

    ``expired`` is true when the token expired or was revoked (the account's
    posts must wait until it is connected again).
    """

    default = N_("A network did not accept an account's keys or token.")

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class NetworkTrouble(CostanzaError):
    """The network could not be reached or had a temporary problem; nothing was changed."""

    default = N_("The network could not be reached or had a temporary problem; nothing was "
                 "changed.")


# -- talking to the networks --------------------------------------------------------------


def http_session(app: App) -> Any:
    from scheduler.http.routing import RoutingSession

    return RoutingSession(app.settings.networks_base_url, timeout=30.0)


def hide_secrets(*values: str | None) -> None:
    from scheduler.http.hygiene import remember_secrets

    remember_secrets(*values)


def unreachable(label: str, exc: requests.RequestException) -> NetworkTrouble:
    if isinstance(exc, requests.Timeout):
        return NetworkTrouble(worded(N_(
            "Costanza could not reach {network} (it did not answer in time). Check your "
            "internet connection, then run the command again. Nothing was changed."),
            network=label))
    return NetworkTrouble(worded(N_(
        "Costanza could not reach {network} (the connection failed). Check your internet "
        "connection, then run the command again. Nothing was changed."), network=label))


class GraphSession:
    """The few Graph API calls account setup needs, made by the Graph client the publishers
    use, with the problems worded for setting up (nothing was changed, what to check)."""

    def __init__(self, app: App, network: str, host: str | None = None) -> None:
        self.session = http_session(app)
        self.network = network
        self.version = app.settings.graph_api_version
        self.label = network_label(network)
        self.host = host  # None: graph.facebook.com

    def _client(self, token: str) -> Any:
        from scheduler.publishers.graph.client import GraphClient  # (loads facebook-sdk)

        if self.host:
            return GraphClient(token, self.session, network=self.network, host=self.host,
                               version=self.version)
        return GraphClient(token, self.session, network=self.network, version=self.version)

    def get(self, path: str, token: str, **params: str) -> dict[str, Any]:
        hide_secrets(token)
        client = self._client(token)
        return self._reply(lambda: client.reply_to("GET", path, params))

    def post(self, path: str, data: dict[str, str], *, versioned: bool = True) -> dict[str, Any]:
        hide_secrets(*(v for k, v in data.items() if k not in _NOT_SECRET))
        client = self._client("")  # the data signs it
        return self._reply(lambda: client.reply_to("POST", path, data, versioned=versioned))

    def _reply(self, send: Callable[[], requests.Response]) -> dict[str, Any]:
        try:
            response = send()
        except requests.RequestException as exc:
            raise unreachable(self.label, exc) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code < 400 and isinstance(body, dict) and "error" not in body:
            return body
        error = body.get("error") if isinstance(body, dict) else None
        raise self.problem(response.status_code, error if isinstance(error, dict) else {})

    def problem(self, status: int, error: dict[str, Any]) -> CostanzaError:
        """A refusal in plain words (a subclass words its own flows' problems)."""
        return graph_problem(self.network, status, error)


def graph_problem(network: str, status: int, error: dict[str, Any]) -> CostanzaError:
    """A Graph API error met while connecting or checking an account, in plain words."""
    from scheduler.http.hygiene import redact

    label = network_label(network)
    code = _int(error.get("code"))
    said = redact(error.get("error_user_msg") or error.get("message") or "").strip()
    tag = worded(N_("code {code}"), code=code) if code is not None else f"HTTP {status}"
    if code in AUTH_CODES or status == 401:
        return AccountProblem(worded(N_(
            "{network} did not accept this token ({tag}): it has expired, was revoked, or was "
            "not copied whole. Get a new one (for example in Meta's Graph API Explorer, "
            "with your app selected), then run `costanza account add {name}` again."),
            network=label, tag=tag, name=network), expired=True)
    if code in PERMISSION_CODES:
        needed = FACEBOOK_PERMISSIONS + FACEBOOK_COMMENTS + (
            INSTAGRAM_PERMISSIONS + INSTAGRAM_COMMENTS if network == "instagram" else ())
        return AccountProblem(worded(N_(
            "{network} says this token is missing a permission ({tag}: {said}). Create the "
            "token again granting {permissions}, then run the command again."),
            network=label, tag=tag, said=said, permissions=", ".join(needed)), expired=True)
    if code == 2635:  # a retired Graph API version
        from config.graph_versions import LATEST

        return AccountProblem(worded(N_(
            "{network} no longer answers the Graph API version Costanza calls ({tag}). Set "
            "[networks] graph_api_version = \"{latest}\" in Costanza's settings file, then "
            "run the command again. Nothing was changed."), network=label, tag=tag,
            latest=LATEST))
    if code in RATE_CODES:
        return NetworkTrouble(worded(N_(
            "{network} asked Costanza to slow down ({tag}). Wait a few minutes, then run the "
            "command again. Nothing was changed."), network=label, tag=tag))
    if code in (1, 2) or status >= 500:
        return NetworkTrouble(worded(N_(
            "{network} had a temporary problem ({tag}). Run the command again in a few "
            "minutes. Nothing was changed."), network=label, tag=tag))
    if code in (100, 803):
        return AccountProblem(worded(N_(
            "{network} does not know that id, or this token may not read it ({tag}: {said}). "
            "Check the number (a Page's id is in its About section) and that the token "
            "belongs to someone who manages it."), network=label, tag=tag, said=said))
    if not said:
        return AccountProblem(worded(N_(
            "{network} refused the request ({tag}: no reason given). Check the id and the "
            "token you gave, then run the command again; if it keeps happening, connect the "
            "account again with `costanza account add {name} ...`."),
            network=label, tag=tag, name=network))
    return AccountProblem(worded(N_(
        "{network} refused the request ({tag}: {said}). Check the id and "
        "the token you gave, then run the command again; if it keeps happening, connect the "
        "account again with `costanza account add {name} ...`."),
        network=label, tag=tag, said=said, name=network))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

