"""Fetching a test photo back from a media host, the way Instagram's servers would."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import requests

from config import i18n
from config.errors import MediaHostUnreachable
from config.i18n import _, ngettext


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
        seconds = round(timeout)
        raise MediaHostUnreachable(ngettext(
            "Instagram will not be able to fetch your photos: {address} did not answer "
            "within {n} second. {hint}",
            "Instagram will not be able to fetch your photos: {address} did not answer "
            "within {n} seconds. {hint}", seconds).format(
                address=where, n=i18n.number(seconds), hint=hint)) from None
    except requests.RequestException as exc:
        raise MediaHostUnreachable(
            _("Instagram will not be able to fetch your photos: Costanza could not reach "
              "{address} ({reason}). {hint}").format(
                  address=where, reason=_reason(exc), hint=hint)) from None
    if response.status_code != 200:
        raise MediaHostUnreachable(
            _("Instagram will not be able to fetch your photos: {address} answered "
              "{status}. {hint}").format(address=where, status=response.status_code,
                                         hint=hint))
    if response.content != expected:
        size = len(response.content)
        raise MediaHostUnreachable(ngettext(
            "Instagram will not be able to fetch your photos: {address} answered, but not "
            "with the test photo Costanza put there (it sent {n} byte of something else). "
            "{hint}",
            "Instagram will not be able to fetch your photos: {address} answered, but not "
            "with the test photo Costanza put there (it sent {n} bytes of something else). "
            "{hint}", size).format(address=where, n=i18n.number(size), hint=hint))
    warnings = []
    kind = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if kind and not kind.startswith("image/") and kind != "application/octet-stream":
        warnings.append(
            _("Your web server sends the photos as '{kind}' instead of 'image/jpeg'; "
              "Instagram may refuse them. Ask whoever runs the server to serve .jpg files "
              "as image/jpeg.").format(kind=kind))
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
    return [_("The address {host} can only be reached from this computer or your own "
              "network, so Instagram's servers will not be able to fetch photos from it. "
              "Use a web address that works from anywhere on the internet.").format(
                  host=host)]


def _reason(exc: requests.RequestException) -> str:
    text = str(exc).lower()
    if "name or service not known" in text or "nodename nor servname" in text or \
            "getaddrinfo" in text or "name resolution" in text:
        return _("this web address does not exist")
    if "refused" in text:
        return _("the connection was refused: no web server is answering there")
    if "certificate" in text or "ssl" in text:
        return _("its security certificate is not valid")
    return _("the connection failed")
