"""Graph API error bodies: ``{"error": {message, type, code, error_subcode, fbtrace_id}}``."""

from __future__ import annotations

import json
import secrets
from typing import Any

from costanza.demo.sandbox.messages import ApiError, Reply, Request


def error(code: int, message: str, kind: str = "OAuthException", *, subcode: int | None = None,
          status: int = 400, user_title: str | None = None, user_msg: str | None = None,
          transient: bool | None = None, headers: dict[str, str] | None = None) -> ApiError:
    body: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        body["error_subcode"] = subcode
    if transient is not None:
        body["is_transient"] = transient
    if user_title:
        body["error_user_title"] = user_title
    if user_msg:
        body["error_user_msg"] = user_msg
    body["fbtrace_id"] = "A" + secrets.token_urlsafe(15)
    return ApiError(Reply(status, {"error": body}, headers or {}))


def missing_token() -> ApiError:
    return error(104, "An access token is required to request this resource.")


def invalid_token() -> ApiError:
    return error(190, "Invalid OAuth access token - Cannot parse access token")


def expired_token() -> ApiError:
    return error(190, "Error validating access token: Session has expired. The user must "
                      "re-authorise the application.", subcode=463)


def unknown_object(object_id: str, method: str = "GET") -> ApiError:
    verb = {"GET": "get", "POST": "post", "DELETE": "delete"}.get(method, "get")
    return error(100, f"Unsupported {verb} request. Object with ID '{object_id}' does not "
                      "exist, cannot be loaded due to missing permissions, or does not support "
                      "this operation. Please read the Graph API documentation at "
                      "https://developers.facebook.com/docs/graph-api",
                 "GraphMethodException", subcode=33)


def bad_param(message: str, subcode: int | None = None, **kwargs: Any) -> ApiError:
    return error(100, message if message.startswith("(#") else f"(#100) {message}",
                 subcode=subcode, **kwargs)


def no_permission(message: str) -> ApiError:
    return error(200, f"(#200) {message}", status=403)


def unknown_path(request: Request) -> ApiError:
    return error(2500, f"Unknown path components: {request.path}")


def rate_limited(code: int, minutes: int, path: str = "") -> ApiError:
    messages = {4: "(#4) Application request limit reached",
                17: "(#17) User request limit reached",
                32: "(#32) Page request limit reached",
                613: "(#613) Calls to this api have exceeded the rate limit."}
    page_id = next((p for p in path.split("/") if p.isdigit()), "0")
    usage = {"call_count": 100, "total_cputime": 100, "total_time": 100}
    headers = {
        "X-App-Usage": json.dumps(usage),
        "X-Business-Use-Case-Usage": json.dumps({page_id: [{
            "type": "pages", **usage, "estimated_time_to_regain_access": minutes}]}),
    }
    return error(code, messages.get(code, f"(#{code}) Rate limit reached"), transient=True,
                 headers=headers)


def default_body(status: int) -> dict[str, Any]:
    if status >= 500:
        return error(2, "An unexpected error has occurred. Please retry your request later.",
                     transient=True).reply.body
    if status == 429:
        return rate_limited(4, 1).reply.body
    return error(1, "An unknown error occurred", subcode=99).reply.body
