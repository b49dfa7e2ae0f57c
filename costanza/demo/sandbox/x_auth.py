"""Who is calling the X API: OAuth 1.0a user context, OAuth 2 user or app-only bearer."""

from __future__ import annotations

from dataclasses import dataclass

from costanza.demo.sandbox import oauth1, x_errors
from costanza.demo.sandbox.messages import Request
from costanza.demo.sandbox.state import SandboxState


@dataclass(frozen=True)
class Caller:
    account: str | None  # None for app-only
    user_id: str | None
    kind: str  # "oauth1", "oauth2_user", "app"


def authenticate(state: SandboxState, request: Request, *, user_context: bool) -> Caller:
    """Return the caller or raise 401 (403 for app-only on a user-context endpoint)."""
    header = request.headers.get("Authorization") or ""
    tokens = state["tokens"]
    if header.lower().startswith("oauth "):

        def consumer_secret(key: str) -> str | None:
            info = tokens.get(key)
            return info["secret"] if info and info["kind"] == "x_consumer" else None

        def token_secret(key: str, token: str) -> str | None:
            info, consumer = tokens.get(token), tokens.get(key)
            if not info or info["kind"] != "x_access" or not consumer:
                return None
            return info["secret"] if info["account"] == consumer["account"] else None

        try:
            params = oauth1.verify(request, consumer_secret, token_secret)
        except oauth1.OAuthError as exc:
            raise x_errors.unauthorized() from exc
        info = tokens[params["oauth_token"]]
        if info["expired"]:
            raise x_errors.unauthorized()
        return _caller(state, info["account"], "oauth1")
    if header.lower().startswith("bearer "):
        info = tokens.get(header[7:].strip())
        if not info or info["kind"] not in ("x_oauth2", "x_app") or info["expired"]:
            raise x_errors.unauthorized()
        if info.get("expires_ts") and state.now() > info["expires_ts"]:
            raise x_errors.unauthorized()
        if info["kind"] == "x_app":
            if user_context:
                raise x_errors.problem(
                    403, "Unsupported Authentication",
                    "Authenticating with OAuth 2.0 Application-Only is forbidden for this "
                    "endpoint.  Supported authentication types are [OAuth 1.0a User Context, "
                    "OAuth 2.0 User Context].",
                    "https://api.twitter.com/2/problems/unsupported-authentication")
            return Caller(None, None, "app")
        return _caller(state, info["account"], "oauth2_user")
    raise x_errors.unauthorized()


def _caller(state: SandboxState, account: str, kind: str) -> Caller:
    return Caller(account, state["accounts"][account]["x"]["user_id"], kind)
