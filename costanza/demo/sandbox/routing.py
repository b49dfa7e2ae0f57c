"""Send a ``requests.Session``'s platform calls to the sandbox, for libraries with fixed hosts.

tweepy (``https://api.twitter.com``) and facebook-sdk
(``https://graph.facebook.com/``) build their URLs from constants. Mounting
``PlatformRedirect`` on their session rewrites scheme and host to the sandbox
and keeps path and query, exactly as ``COSTANZA_PLATFORM_URL`` does. The
request is prepared (and OAuth 1.0a signed) before the adapter sees it, so the
signature covers the public host; the sandbox accepts that.

>>> session = redirect_session("http://127.0.0.1:8787")
>>> client = tweepy.Client(...); client.session = session
>>> graph = facebook.GraphAPI(token, session=session)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from scheduler.http.routing import PLATFORM_HOSTS, rewrite_url


class PlatformRedirect(HTTPAdapter):
    """A transport adapter that sends requests for platform hosts to ``base_url``
    (the same hosts and the same rewriting as the publishers' ``RoutingSession``)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._base_url = base_url
        self._netloc = urlsplit(base_url).netloc

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = request.url or ""
        routed = rewrite_url(url, self._base_url)
        if routed != url:
            request.url = routed
            request.headers["Host"] = self._netloc
        return super().send(request, **kwargs)


def redirect_session(base_url: str, session: requests.Session | None = None
                     ) -> requests.Session:
    """A session (new or given) whose platform calls go to ``base_url``."""
    session = session or requests.Session()
    adapter = PlatformRedirect(base_url)
    for host in sorted(PLATFORM_HOSTS):
        session.mount(f"https://{host}/", adapter)
    return session
