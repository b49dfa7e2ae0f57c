"""X API v2 error bodies (problem JSON), as the deployed API sends them."""

from __future__ import annotations

import time
from typing import Any

from costanza.demo.sandbox.messages import ApiError, Reply

PROBLEM = "application/problem+json"
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"


def problem(status: int, title: str, detail: str, kind: str = "about:blank",
            headers: dict[str, str] | None = None, **extra: Any) -> ApiError:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **extra}
    return ApiError(Reply(status, body, headers or {}, content_type=PROBLEM))


def unauthorized() -> ApiError:
    return problem(401, "Unauthorized", "Unauthorized")


def forbidden(detail: str) -> ApiError:
    return problem(403, "Forbidden", detail)


def invalid(message: str, parameter: str | None = None, value: Any = None) -> ApiError:
    """400 Invalid Request, in the shape X uses for bad parameters and bodies."""
    error: dict[str, Any] = {"parameters": {}, "message": message}
    if parameter:
        error["parameters"] = {parameter: [value if isinstance(value, str) else str(value)]
                               if value is not None else []}
    body = {"errors": [error], "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": INVALID_REQUEST}
    return ApiError(Reply(400, body, content_type="application/json; charset=utf-8"))


def not_found(detail: str, resource_type: str, value: str, parameter: str) -> ApiError:
    body = {"errors": [{"value": value, "detail": detail, "title": "Not Found Error",
                        "resource_type": resource_type, "parameter": parameter,
                        "resource_id": value,
                        "type": "https://api.twitter.com/2/problems/resource-not-found"}]}
    return ApiError(Reply(200, body))


def too_many_requests(reset: float, limit: int = 100) -> ApiError:
    headers = {"x-rate-limit-limit": str(limit), "x-rate-limit-remaining": "0",
               "x-rate-limit-reset": str(int(reset))}
    return problem(429, "Too Many Requests", "Too Many Requests", headers=headers)


def default_body(status: int) -> dict[str, Any]:
    titles = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
              429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
              503: "Service Unavailable", 504: "Gateway Timeout"}
    title = titles.get(status, "Error")
    return {"title": title, "detail": title, "type": "about:blank", "status": status}


def reset_in(seconds: float) -> float:
    return time.time() + seconds
