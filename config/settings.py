"""Load and check ``config.toml``.

Every key has a default, so an empty file is a valid configuration. A bad
value is reported with its key, its file and what is allowed.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from config import graph_versions, i18n
from config.errors import SettingsError, shown
from config.i18n import N_, _
from config.paths import Home, resolve_home
from config.settings_file import read_file

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
# The most posts one daemon sends at a time, and one network takes at a time: more
# threads than this only queue up for the database and the networks' rate limits.
MAX_CONCURRENCY = 256
MAX_GRACE = timedelta(days=30)


def parse_duration(text: str) -> timedelta:
    """Parse "90s", "15m", "2h" or "7d"."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(text)
    seconds = float(match.group(1)) * _UNITS[match.group(2).lower()]
    if not math.isfinite(seconds) or seconds > timedelta.max.total_seconds() / 2:
        raise ValueError(text)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Settings:
    home: Home
    database_url: str
    busy_timeout_ms: int = 10_000
    grace_period: timedelta = timedelta(hours=2)
    runway_warning_days: int = 7
    poll_seconds: float = 2.0
    lease_seconds: int = 300
    max_attempts: int = 8
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 6 * 3600.0
    per_network_concurrency: int = 8
    fit: str = "pad"
    facebook_chunk_mb: int = 20
    networks_base_url: str | None = None
    # The HTTP timeout of every call to a network, and how long after a call that may
    # have created a post an answer "not found" is trusted (see posts.settle).
    networks_timeout_seconds: float = 30.0
    graph_api_version: str = graph_versions.DEFAULT  # in every Graph API address
    settle_seconds_x: float = 120.0
    settle_seconds_facebook: float = 120.0
    settle_seconds_instagram: float = 120.0
    media_host: dict[str, Any] = field(default_factory=dict)
    notify: dict[str, Any] = field(default_factory=dict)
    log_format: str = "text"
    log_keep_days: int = 365
    keep_originals: timedelta | None = timedelta(days=30)
    # [ui] language: "it" or "en"; None lets COSTANZA_LANG or the system's locale choose.
    language: str | None = None
    # [x]: US dollars over the price table of posts.x_prices, and a monthly budget (or none).
    x_price_post: float | None = None
    x_price_post_with_url: float | None = None
    x_monthly_budget: float | None = None
    x_price_read: float | None = None  # a post read (the comments' fetch), over the table
    # [comments]: how often the daemon looks under a post by its age, and until what age.
    comments_new_minutes: int = 15  # in its first day
    comments_week_minutes: int = 120  # until it is a week old
    comments_old_hours: int = 12  # after that
    comments_max_age_days: int = 30  # 0: never look
    comments_x_max_age_days: int = 7  # X bills reads, and its recent search covers 7 days
    # [web]: `costanza daemon` serves the page too (costanza.web.beside), on host:port.
    web_enabled: bool = False
    web_host: str = "127.0.0.1"
    web_port: int = 8765

    @property
    def media_dir(self) -> Path:
        return self.home.media_dir


# (section, key) -> (description of what is allowed, converter)
def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError
    return value


def _int_in(low: int, high: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError
        return value

    return convert


def _number_in(low: float, high: float) -> Callable[[Any], float]:
    """A finite number in [low, high]: TOML also spells nan, inf and 1e400 (= inf)."""
    def convert(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError
        number = float(value)
        if not math.isfinite(number) or not low <= number <= high:
            raise ValueError
        return number

    return convert


def _duration(value: Any) -> timedelta:
    if not isinstance(value, str):
        raise ValueError
    duration = parse_duration(value)
    if duration > MAX_GRACE:
        raise ValueError
    return duration


def _keep(value: Any) -> timedelta | None:
    if value == "never":
        return None
    return _duration(value)


def _choice(*allowed: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in allowed:
            raise ValueError
        return str(value)

    return convert


def _language(value: Any) -> str:
    language = i18n.normalize(value) if isinstance(value, str) else None
    if language is None:
        raise ValueError
    return language


def _graph_version(value: Any) -> str:
    if not isinstance(value, str) or not graph_versions.FORM.match(value):
        raise ValueError
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError
    return value


def _host(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^[0-9A-Za-z.:-]+$", value):
        raise ValueError
    return value


def _url(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        raise ValueError
    return value.rstrip("/")


_KEYS: dict[tuple[str, str], tuple[str, Callable[[Any], Any]]] = {
    ("storage", "data_dir"): (N_("a folder path in quotes"), _str),
    ("database", "url"): (N_('a database URL such as "sqlite:///path/costanza.db" or '
                          '"postgresql+psycopg://user@host/db"'), _str),
    ("database", "busy_timeout_ms"): (N_("a whole number of milliseconds from 1 to 600000"),
                                      _int_in(1, 600_000)),
    ("daemon", "grace_period"): (N_('a duration such as "30m" or "2h", at most "30d"'), _duration),
    ("daemon", "runway_warning_days"): (N_("a whole number of days from 1 to 365"),
                                        _int_in(1, 365)),
    ("daemon", "poll_seconds"): (N_("a number of seconds from 0.05 to 3600"),
                                 _number_in(0.05, 3600)),
    ("daemon", "lease_seconds"): (N_("a whole number of seconds from 1 to 86400"),
                                  _int_in(1, 86_400)),
    ("daemon", "max_attempts"): (N_("a whole number from 1 to 1000"), _int_in(1, 1000)),
    ("daemon", "retry_base_seconds"): (N_("a number of seconds from 0.01 to 86400"),
                                       _number_in(0.01, 86_400)),
    ("daemon", "retry_max_seconds"): (N_("a number of seconds from 0.01 to 604800 (a week)"),
                                      _number_in(0.01, 7 * 86_400)),
    ("daemon", "per_network_concurrency"): (N_("a whole number from 1 to {max}"),
                                            _int_in(1, MAX_CONCURRENCY)),
    ("media", "fit"): (N_('"pad" or "crop"'), _choice("pad", "crop")),
    ("media", "keep_originals"): (N_('a duration such as "30d", or "never"'), _keep),
    ("media", "facebook_chunk_mb"): (N_("a whole number of megabytes from 1 to 1024"),
                                     _int_in(1, 1024)),
    ("networks", "base_url"): (N_('an address such as "http://127.0.0.1:8787"'), _url),
    ("networks", "timeout_seconds"): (N_("a number of seconds from 0.1 to 600"),
                                      _number_in(0.1, 600)),
    ("networks", "graph_api_version"): (N_('a Graph API version such as "v27.0" (the form '
                                          '"vNN.0")'), _graph_version),
    ("networks", "settle_seconds_x"): (N_("a number of seconds from 0.2 to 86400"),
                                       _number_in(0.2, 86_400)),
    ("networks", "settle_seconds_facebook"): (N_("a number of seconds from 0.2 to 86400"),
                                              _number_in(0.2, 86_400)),
    ("networks", "settle_seconds_instagram"): (N_("a number of seconds from 0.2 to 86400"),
                                               _number_in(0.2, 86_400)),
    ("log", "format"): (N_('"text" or "json"'), _choice("text", "json")),
    ("log", "keep_days"): (N_("a whole number of days from 1 to 36500"), _int_in(1, 36_500)),
    ("ui", "language"): (N_('"it" (italiano) or "en" (English)'), _language),
    ("x", "price_post"): (N_("an amount in US dollars from 0 to 100, such as 0.015"),
                          _number_in(0, 100)),
    ("x", "price_post_with_url"): (N_("an amount in US dollars from 0 to 100, such as 0.015"),
                                   _number_in(0, 100)),
    ("x", "monthly_budget"): (N_("an amount in US dollars from 0 to 100000, such as 5"),
                              _number_in(0, 100_000)),
    ("x", "price_read"): (N_("an amount in US dollars from 0 to 100, such as 0.005"),
                          _number_in(0, 100)),
    ("comments", "new_minutes"): (N_("a whole number of minutes from 1 to 1440"), _int_in(1, 1440)),
    ("comments", "week_minutes"): (N_("a whole number of minutes from 1 to 10080"),
                                   _int_in(1, 10_080)),
    ("comments", "old_hours"): (N_("a whole number of hours from 1 to 720"), _int_in(1, 720)),
    ("comments", "max_age_days"): (N_("a whole number of days from 0 to 365"), _int_in(0, 365)),
    ("comments", "x_max_age_days"): (N_("a whole number of days from 0 to 7"), _int_in(0, 7)),
    ("web", "enabled"): (N_("true or false"), _bool),
    ("web", "host"): (N_('an address of this computer in quotes, such as "127.0.0.1"'), _host),
    ("web", "port"): (N_("a whole number from 1 to 65535"), _int_in(1, 65_535)),
}
_FREE_SECTIONS = {"media_host", "notify"}
# Keys read specially in load_settings; every other key is the Settings field of its name,
# or the one named here.
_SPECIAL = {("storage", "data_dir"), ("database", "url"), ("networks", "base_url")}
_FIELDS = {("log", "format"): "log_format", ("log", "keep_days"): "log_keep_days",
           ("networks", "timeout_seconds"): "networks_timeout_seconds",
           **{("x", k): f"x_{k}" for k in ("price_post", "price_post_with_url", "monthly_budget",
                                             "price_read")},
           **{("comments", k): f"comments_{k}" for k in ("new_minutes", "week_minutes",
                                                         "old_hours", "max_age_days",
                                                         "x_max_age_days")},
           **{("web", k): f"web_{k}" for k in ("enabled", "host", "port")}}
SETTLE_KEYS = ("settle_seconds_x", "settle_seconds_facebook", "settle_seconds_instagram")


def _checked_values(raw: dict[str, Any], path: Path) -> dict[tuple[str, str], Any]:
    """Every known key of the file, converted; an unknown key or a bad value is refused."""
    values: dict[tuple[str, str], Any] = {}
    for section, table in raw.items():
        if not isinstance(table, dict):
            raise SettingsError(_(
                "In {path}, `{section}` should be a section like [{section}], not a single value."
            ).format(path=path, section=section))
        if section in _FREE_SECTIONS:
            continue
        for key, value in table.items():
            spec = _KEYS.get((section, key))
            if spec is None:
                known = sorted(k for s, k in _KEYS if s == section)
                sentence = (_("In {path}, the setting `{section}.{key}` is unknown. Known keys "
                              "in [{section}]: {known}.") if known else
                            _("In {path}, the setting `{section}.{key}` is unknown. There is no "
                              "[{section}] section in Costanza's settings."))
                raise SettingsError(sentence.format(path=path, section=section, key=key,
                                                    known=", ".join(known)))
            allowed, convert = spec
            try:
                values[(section, key)] = convert(value)
            except (ValueError, TypeError, OverflowError):
                raise SettingsError(_(
                    "In {path}, the setting `{section}.{key}` = {value} is not allowed: use "
                    "{allowed}.").format(path=path, section=section, key=key,
                                          value=shown(repr(value)),
                                          allowed=_(allowed).format(max=MAX_CONCURRENCY))
                ) from None
    return values


def load_settings(config_file: str | os.PathLike[str] | None = None,
                  env: dict[str, str] | None = None, *, today: date | None = None) -> Settings:
    """Read the settings; a missing file means all defaults. ``today`` (the clock's day, in
    UTC): also refuse a Graph API version retired by then."""
    env = dict(os.environ) if env is None else env
    home = resolve_home(config_file, env)
    path = home.config_file
    raw = read_file(path, config_file)
    values = _checked_values(raw, path)
    if ("storage", "data_dir") in values and not env.get("COSTANZA_HOME"):
        home = Home(config_file=home.config_file,
                    data_dir=Path(values[("storage", "data_dir")]).expanduser())
    base_url = env.get("COSTANZA_PLATFORM_URL") or values.get(("networks", "base_url"))
    if env.get("COSTANZA_PLATFORM_URL"):
        try:
            base_url = _url(base_url)
        except ValueError:
            raise SettingsError(_(
                "COSTANZA_PLATFORM_URL = {value} is not an address: "
                'use one such as "http://127.0.0.1:8787".'
            ).format(value=repr(base_url))) from None
    # Every other key maps to a Settings field; a key not given keeps the field's default.
    given = {_FIELDS.get(key, key[1]): value for key, value in values.items()
             if key not in _SPECIAL}
    database_url = _database_url(env, values, home, path)
    _check_settle(given, path)
    if today is not None and "graph_api_version" in given:
        graph_versions.refuse_retired(given["graph_api_version"], path, today)
    return Settings(
        home=home,
        database_url=database_url,
        networks_base_url=base_url,
        media_host=dict(raw.get("media_host", {})),
        notify=dict(raw.get("notify", {})),
        **given,
    )


def _check_settle(given: dict[str, Any], path: Path) -> None:
    """Each network's settle period must outlast the timeout: a request still in flight
    when it ends could create the post after Costanza decided it had not gone out."""
    defaults = Settings.__dataclass_fields__
    timeout = given.get("networks_timeout_seconds", defaults["networks_timeout_seconds"].default)
    for key in SETTLE_KEYS:
        settle = given.get(key, defaults[key].default)
        if settle <= timeout:
            raise SettingsError(_(
                "In {path}, `networks.{key}` = {settle} must be longer than "
                "`networks.timeout_seconds` = {timeout}: a post sent just before the "
                "timeout can still appear on the network after it. Make it at least "
                "{least}, or lower the timeout.").format(
                path=path, key=key, settle=f"{settle:g}", timeout=f"{timeout:g}",
                least=f"{timeout * 2:g}"))


def settle_seconds(settings: Settings, network: str) -> float:
    """How long after its last request an unanswered post is looked for before Costanza
    concludes it did not go out (``[networks] settle_seconds_<network>``)."""
    key = f"settle_seconds_{network}"
    if key not in SETTLE_KEYS:  # a network without its own setting: the longest
        return max(float(getattr(settings, k)) for k in SETTLE_KEYS)
    return float(getattr(settings, key))


def _database_url(env: dict[str, str], values: dict[tuple[str, str], Any], home: Home,
                  path: Path) -> str:
    """The database address, checked now rather than by the first command that opens it:
    an address SQLAlchemy cannot read, or a SQLite file in a folder that does not exist
    (a typo would otherwise create folders silently and start an empty queue there)."""
    if env.get("COSTANZA_DATABASE_URL"):
        url, where = env["COSTANZA_DATABASE_URL"], "COSTANZA_DATABASE_URL"
    elif ("database", "url") in values:
        url, where = values[("database", "url")], _("In {path}, `database.url`").format(
            path=path)
    else:
        return home.default_database_url
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError):
        raise SettingsError(_(
            "{where} = {value} is not a database address: use one such as "
            '"sqlite:////home/you/costanza/costanza.db" or '
            '"postgresql+psycopg://user@host/db".').format(
            where=where, value=repr(shown(url)))) from None
    database = parsed.database
    if backend == "sqlite" and database and database != ":memory:" \
            and not database.startswith("file:"):
        file = Path(database).expanduser()
        if file != home.database_file and not file.parent.is_dir():
            raise SettingsError(_(
                "{where} names the database file {file}, but the folder "
                "{folder} does not exist. Create that folder, or correct "
                "the address.").format(where=where, file=shown(str(file)),
                                       folder=shown(str(file.parent))))
    return url
