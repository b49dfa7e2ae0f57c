"""Media hosts: public web addresses for the photos Instagram fetches.

``make_media_host(settings)`` builds the host named by ``[media_host] kind``.
Kinds are modules of this package (``folder``, ``s3``, ``facebook_page``,
``sandbox``); see ``base`` for the contract and how to add one.
``default_media_host(settings)`` is the same, or with no ``[media_host]``
section the ``facebook_page`` host (the profile's Facebook Page).
"""

from __future__ import annotations

from config.clock import Clock
from config.errors import MediaHostUnreachable, SettingsError
from config.i18n import _
from config.settings import Settings
from scheduler.media_hosts.base import (
    CheckResult,
    MediaHost,
    available_kinds,
    either,
    host_class,
    register,
)


def make_media_host(settings: Settings, clock: Clock | None = None) -> MediaHost:
    """The media host described by the ``[media_host]`` settings."""
    table = settings.media_host or {}
    file = settings.home.config_file
    if not table:
        raise SettingsError(
            _("Instagram needs your photos at a public web address, and {file} has no "
              "[media_host] section. The simplest way: connect your Facebook Page with "
              "`costanza account add facebook`, and Costanza puts each photo on the Page "
              "for a moment, unseen, while Instagram fetches it. Otherwise add a "
              "[media_host] section with kind = \"folder\" (your own web server) or "
              "kind = \"s3\" (a storage bucket); see the README. (While trying Costanza "
              "with the sandbox, `costanza sandbox connect` adds one for you.)").format(
                  file=file))
    if "kind" not in table:
        allowed = either(f'"{k}"' for k in available_kinds())
        raise SettingsError(_("In {file}, [media_host] needs `kind`: {allowed}.").format(
            file=file, allowed=allowed))
    return _clocked(host_class(table["kind"], file).from_settings(table, settings), clock)


def default_media_host(settings: Settings, clock: Clock | None = None) -> MediaHost:
    """The host the settings name, or with no ``[media_host]`` section the Facebook Page
    one, which stages each photo on the profile's connected Page (``for_page``)."""
    if settings.media_host:
        return make_media_host(settings, clock)
    from scheduler.media_hosts.facebook_page import FacebookPageHost

    return _clocked(FacebookPageHost.from_settings({}, settings), clock)


def _clocked(host: MediaHost, clock: Clock | None) -> MediaHost:
    if clock is not None and hasattr(host, "clock"):
        host.clock = clock
    return host


__all__ = ["CheckResult", "MediaHost", "MediaHostUnreachable", "available_kinds",
           "default_media_host", "make_media_host", "register"]
