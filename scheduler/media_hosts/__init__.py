"""Media hosts: public web addresses for the photos Instagram fetches.

``make_media_host(settings)`` builds the host named by ``[media_host] kind``.
Kinds are modules of this package (``folder``, ``s3``); see ``base`` for the
contract and how to add one.
"""

from __future__ import annotations

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


def make_media_host(settings: Settings) -> MediaHost:
    """The media host described by the ``[media_host]`` settings."""
    table = settings.media_host or {}
    file = settings.home.config_file
    if not table:
        raise SettingsError(
            _("Instagram needs your photos at a public web address, and {file} has no "
              "[media_host] section. Add one with kind = \"folder\" (your own web server) or "
              "kind = \"s3\" (a storage bucket); see the README. (While trying Costanza "
              "with the sandbox, `costanza sandbox connect` adds one for you.)").format(
                  file=file))
    if "kind" not in table:
        allowed = either(f'"{k}"' for k in available_kinds())
        raise SettingsError(_("In {file}, [media_host] needs `kind`: {allowed}.").format(
            file=file, allowed=allowed))
    return host_class(table["kind"], file).from_settings(table, settings)


__all__ = ["CheckResult", "MediaHost", "MediaHostUnreachable", "available_kinds",
           "make_media_host", "register"]
