"""Fetching media from a URL, as Meta's servers do for ``image_url``, ``video_url`` and ``url``."""

from __future__ import annotations

import urllib.error
import urllib.request

MAX_FETCH_BYTES = 400 * 1024 * 1024


class FetchFailed(Exception):
    """The media could not be fetched from the URL."""


def fetch(url: str, timeout: float) -> tuple[bytes, str]:
    """Download ``url``; return (bytes, content type) or raise ``FetchFailed``."""
    if not url.lower().startswith(("http://", "https://")):
        raise FetchFailed(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "facebookexternalhit/1.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_FETCH_BYTES + 1)
            kind = response.headers.get("Content-Type", "")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise FetchFailed(str(exc)) from exc
    if len(data) > MAX_FETCH_BYTES:
        raise FetchFailed("file too large")
    return data, kind
