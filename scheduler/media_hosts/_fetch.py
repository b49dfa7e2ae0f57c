"""Fetching a test photo back from a media host, the way Instagram's servers would."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import requests

from config.errors import MediaHostUnreachable

LEAD = "Instagram will not be able to fetch your photos:"


def shown(url: str) -> str:
    """The address without its query string (a presigned URL's query is a credential)."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl() if parts.query else url


def fetch_back(url: str, expected: bytes, hint: str, *, timeout: float = 20.0,
               warn_private: bool = True) -> list[str]:
    """GET ``url`` and compare with ``expected``; return warnings, or raise in plain words."""
    where = shown(url)
    try:
        response = requests.get(url, timeout=timeout, allow_redirects=True)
    except requests.Timeout:
        raise MediaHostUnreachable(
            f"{LEAD} {where} did not answer within {timeout:.0f} seconds. {hint}") from None
    except requests.RequestException as exc:
        raise MediaHostUnreachable(
            f"{LEAD} Costanza could not reach {where} ({_reason(exc)}). {hint}") from None
    if response.status_code != 200:
        raise MediaHostUnreachable(
            f"{LEAD} {where} answered {response.status_code}. {hint}")
    if response.content != expected:
        raise MediaHostUnreachable(
            f"{LEAD} {where} answered, but not with the test photo Costanza put there "
            f"(it sent {len(response.content)} bytes of something else). {hint}")
    warnings = []
    kind = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind and not kind.startswith("image/") and kind != "application/octet-stream":
        warnings.append(
            f"Your web server sends the photos as '{kind}' instead of 'image/jpeg'; "
            "Instagram may refuse them. Ask whoever runs the server to serve .jpg files "
            "as image/jpeg.")
    if warn_private:
        warnings.extend(reachability_warnings(url))
    return warnings


def reachability_warnings(url: str) -> list[str]:
    """An address only this computer or this network can reach works here, not for Instagram."""
    host = (urlsplit(url).hostname or "").lower()
    private = host in ("localhost", "") or host.endswith((".local", ".localhost", ".lan"))
    try:
        address = ipaddress.ip_address(host)
        private = private or address.is_private or address.is_loopback or \
            address.is_link_local
    except ValueError:
        pass
    if not private:
        return []
    return [f"The address {host} can only be reached from this computer or your own "
            "network, so Instagram's servers will not be able to fetch photos from it. "
            "Use a web address that works from anywhere on the internet."]


def _reason(exc: requests.RequestException) -> str:
    text = str(exc).lower()
    if "name or service not known" in text or "nodename nor servname" in text or \
            "getaddrinfo" in text or "name resolution" in text:
        return "this web address does not exist"
    if "refused" in text:
        return "the connection was refused: no web server is answering there"
    if "certificate" in text or "ssl" in text:
        return "its security certificate is not valid"
    return "the connection failed"
