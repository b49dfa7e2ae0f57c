"""A Python helper for the sandbox's control API (tests, the demo, the benchmarks).

>>> client = SandboxClient("http://127.0.0.1:8787")
>>> creds = client.create_accounts("demo")
>>> client.fault("x", "tweets", after_effect=True)   # next POST /2/tweets: created, then 500
>>> client.posts("x")
"""

from __future__ import annotations

from typing import Any

import requests


class SandboxClient:
    def __init__(self, base_url: str, session: requests.Session | None = None,
                 timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, f"{self.base_url}/_sandbox/{path}",
                                        timeout=self.timeout, **kwargs)
        response.raise_for_status()
        return response.json()

    def create_accounts(self, name: str = "demo",
                        managed_by: str | None = None) -> dict[str, Any]:
        """Credentials for ``name`` on X, Facebook and Instagram (created on first use);
        ``managed_by``: the Facebook user of that account manages this Page too."""
        body: dict[str, Any] = {"name": name}
        if managed_by is not None:
            body["managed_by"] = managed_by
        return self._call("POST", "accounts", json=body)

    def decline_permissions(self, declined: list[str],
                            account: str | None = None) -> dict[str, list[str]]:
        """The Facebook login (of ``account``, or every one) declined these permissions."""
        body: dict[str, Any] = {"declined": declined}
        if account is not None:
            body["account"] = account
        return self._call("POST", "permissions", json=body)

    def accounts(self) -> list[dict[str, Any]]:
        return self._call("GET", "accounts")

    def posts(self, network: str | None = None) -> list[dict[str, Any]]:
        """Every published post (oldest first), optionally of one network."""
        params = {"network": network} if network else None
        return self._call("GET", "posts", params=params)

    def add_comment(self, network: str, post: str, text: str, *, author: str | None = None,
                    parent: str | None = None) -> dict[str, Any]:
        """The audience writes under a post (``post``: its id on the network)."""
        body: dict[str, Any] = {"network": network, "post": post, "text": text}
        if author is not None:
            body["author"] = author
        if parent is not None:
            body["parent"] = parent
        return self._call("POST", "comments", json=body)

    def comments(self, network: str | None = None,
                 post: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("network", network), ("post", post)) if v}
        return self._call("GET", "comments", params=params)

    def delete_comment(self, comment_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"comments/{comment_id}")

    def containers(self) -> list[dict[str, Any]]:
        return self._call("GET", "containers")

    def x_media(self) -> list[dict[str, Any]]:
        return self._call("GET", "x-media")

    def fault(self, network: str, endpoint: str | None = None, *, status: int | None = None,
              body: Any = None, times: int = 1, latency_ms: int | None = None,
              timeout: bool = False, hold_secs: float | None = None, drop: bool = False,
              after_effect: bool = False, rate_limit_reset: float | None = None,
              rate_limit_code: int | None = None, expire_token: bool = False,
              method: str | None = None, headers: dict[str, str] | None = None,
              commit_delay_secs: float | None = None) -> dict[str, Any]:
        """Arm a fault for the next ``times`` matching calls (see ``faults.py``).

        ``rate_limit_reset`` is seconds from now (or a Unix time). ``commit_delay_secs``:
        the request is held that long before it takes effect (then answered, or dropped
        with ``drop``).
        """
        spec: dict[str, Any] = {"network": network, "times": times}
        optional = {"endpoint": endpoint, "status": status, "body": body,
                    "latency_ms": latency_ms, "hold_secs": hold_secs,
                    "rate_limit_reset": rate_limit_reset, "rate_limit_code": rate_limit_code,
                    "method": method, "headers": headers,
                    "commit_delay_secs": commit_delay_secs}
        spec.update({key: value for key, value in optional.items() if value is not None})
        for key, flag in (("timeout", timeout), ("drop", drop), ("after_effect", after_effect),
                          ("expire_token", expire_token)):
            if flag:
                spec[key] = True
        return self._call("POST", "faults", json=spec)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def expire_token(self, network: str, account: str | None = None,
                     token: str | None = None) -> int:
        return self._call("POST", "expire-token", json={"network": network, "account": account,
                                                        "token": token})["expired"]

    def reset(self) -> None:
        """Forget all accounts, posts, media and faults."""
        self._call("POST", "reset")

    def settings(self, **changes: Any) -> dict[str, Any]:
        """Read the settings, or change some (``ig_processing_secs=0``, ...)."""
        if changes:
            return self._call("POST", "settings", json=changes)
        return self._call("GET", "settings")

    def set_latency(self, ms: int) -> None:
        self.settings(latency_ms=ms)

    def advance_clock(self, seconds: float) -> float:
        """Move sandbox time forward (container and media expiry); return the new time."""
        return self._call("POST", "clock", json={"advance_secs": seconds})["now"]

    def requests(self) -> list[dict[str, Any]]:
        """The last API calls the sandbox answered (no secrets)."""
        return self._call("GET", "requests")

    def host_media(self, data: bytes) -> str:
        """Store bytes in the sandbox and return a public URL for them (an ``image_url``)."""
        return self._call("POST", "media", data=data,
                          headers={"Content-Type": "application/octet-stream"})["url"]

    def media(self, sha256: str) -> bytes:
        response = self.session.get(f"{self.base_url}/_sandbox/media/{sha256}",
                                    timeout=self.timeout)
        response.raise_for_status()
        return response.content
