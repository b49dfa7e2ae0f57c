"""How notifications reach the artisan: an email over SMTP, a JSON POST to a webhook.

The ``[notify]`` section of the settings file (every key optional)::

    [notify]
    email_to = "maria@example.org"        # or a list of addresses
    email_from = "costanza@example.org"   # default: smtp_user when it is an address
    smtp_host = "smtp.example.org"
    smtp_port = 587                        # default 587 with STARTTLS, else 25; 465 = TLS
    smtp_user = "maria@example.org"
    smtp_starttls = true                   # default: true when smtp_user is set
    webhook_url = "https://example.org/hooks/costanza"

The SMTP password is a secret, kept with the account secrets under the name
``notify`` and the key ``smtp_password`` (``COSTANZA_SECRET_NOTIFY_SMTP_PASSWORD``,
or ``[notify] smtp_password`` in secrets.toml). A webhook address that holds a
token may live there too, as ``webhook_url``; it then wins over the setting.

Every call has a timeout of a few seconds. A failure is a ``ChannelError``
whose message is plain and never holds a password or a webhook path.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlsplit

import requests

from config.errors import SettingsError
from config.i18n import N_, _
from config.settings import Settings
from scheduler.http.hygiene import QuietAdapter, install_log_filters, remember_secrets

SECRET_ACCOUNT = "notify"
SMTP_TIMEOUT = 5.0
WEBHOOK_TIMEOUT = (3.0, 5.0)

_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")
_HOST = re.compile(r"^[A-Za-z0-9.:\[\]-]+$")


class ChannelError(Exception):
    """A notification could not be sent on one channel; the message says why, plainly."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class NotifyConfig:
    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_starttls: bool = False
    webhook_url: str | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels that are set up, in the order they are tried."""
        names = []
        if self.email_to:
            names.append("email")
        if self.webhook_url:
            names.append("webhook")
        return tuple(names)


@dataclass(frozen=True)
class Outgoing:
    """One notification as the channels see it."""

    id: int
    kind: str
    subject: str
    body: str
    payload: dict[str, Any]
    created_at: str


# key -> what is allowed, in words
ALLOWED = {
    "email_to": N_('an email address in quotes, or a list of them: ["a@example.org", ...]'),
    "email_from": N_('an email address in quotes, such as "costanza@example.org"'),
    "smtp_host": N_('the mail server\'s name in quotes, such as "smtp.example.org"'),
    "smtp_port": N_("a whole number from 1 to 65535 (587 with STARTTLS, 465 for TLS, 25)"),
    "smtp_user": N_("the mail account's login name in quotes"),
    "smtp_starttls": N_("true or false"),
    "webhook_url": N_('an address such as "https://example.org/hooks/costanza"'),
}


def _problem(settings: Settings, key: str, value: Any, extra: str = "") -> SettingsError:
    path = settings.home.config_file
    shown = _("(hidden)") if key == "webhook_url" else repr(value)
    return SettingsError(
        _("In {path}, the setting `notify.{key}` = {value} is not allowed: "
          "use {allowed}.").format(path=path, key=key, value=shown, allowed=_(ALLOWED[key]))
        + extra)


def load_notify_config(settings: Settings) -> NotifyConfig:
    """Check the ``[notify]`` section; a bad key raises ``SettingsError`` naming it."""
    raw = dict(settings.notify or {})
    path = settings.home.config_file
    for key in raw:
        if key not in ALLOWED:
            raise SettingsError(
                _("In {path}, the setting `notify.{key}` is unknown. Known keys in [notify]: "
                  "{keys}.").format(path=path, key=key, keys=", ".join(ALLOWED)))
    email_to = raw.get("email_to")
    addresses: tuple[str, ...] = ()
    if email_to is not None:
        items = [email_to] if isinstance(email_to, str) else email_to
        if (not isinstance(items, list) or not items
                or not all(isinstance(a, str) and _ADDRESS.match(a.strip()) for a in items)):
            raise _problem(settings, "email_to", email_to)
        addresses = tuple(a.strip() for a in items)
    for key in ("email_from",):
        value = raw.get(key)
        if value is not None and not (isinstance(value, str) and _ADDRESS.match(value.strip())):
            raise _problem(settings, key, value)
    host = raw.get("smtp_host")
    if host is not None and not (isinstance(host, str) and _HOST.match(host.strip())):
        raise _problem(settings, "smtp_host", host)
    user = raw.get("smtp_user")
    if user is not None and not (isinstance(user, str) and user.strip()):
        raise _problem(settings, "smtp_user", user)
    starttls = raw.get("smtp_starttls", bool(user))
    if not isinstance(starttls, bool):
        raise _problem(settings, "smtp_starttls", starttls)
    port = raw.get("smtp_port", 587 if starttls else 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise _problem(settings, "smtp_port", port)
    url = raw.get("webhook_url")
    if url is not None and not (isinstance(url, str)
                                and re.match(r"^https?://[^\s/]+", url.strip())):
        raise _problem(settings, "webhook_url", url)
    if addresses and not host:
        raise SettingsError(
            _("In {path}, `notify.email_to` is set but `notify.smtp_host` is not: add the "
              "mail server, such as smtp_host = \"smtp.example.org\", or remove email_to."
              ).format(path=path))
    sender = raw.get("email_from") or (user if user and _ADDRESS.match(user) else None)
    if addresses and not sender:
        raise SettingsError(
            _("In {path}, `notify.email_from` is needed to send email: use "
              "{allowed}.").format(path=path, allowed=_(ALLOWED["email_from"])))
    return NotifyConfig(email_to=addresses, email_from=sender.strip() if sender else None,
                        smtp_host=host.strip() if host else None, smtp_port=port,
                        smtp_user=user.strip() if user else None, smtp_starttls=starttls,
                        webhook_url=url.strip() if url else None)


# -- email -------------------------------------------------------------------
def build_email(cfg: NotifyConfig, item: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"Costanza: {item.subject}"
    message["From"] = cfg.email_from or ""
    message["To"] = ", ".join(cfg.email_to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"costanza-{item.id}")
    message["X-Costanza-Kind"] = item.kind
    message.set_content(item.body + "\n\n-- \n" + _("Sent by Costanza, your post scheduler.")
                        + "\n")
    return message


_SMTP_HINT = N_("If this keeps happening, check `notify.smtp_host` and `notify.smtp_port` in "
                "the settings file.")
_WEBHOOK_HINT = N_("If this keeps happening, check `notify.webhook_url` in the settings file.")


def _hinted(message: str, hint: str) -> str:
    """A message and the hint that follows it (two whole sentences)."""
    return f"{message} {_(hint)}"


def send_email(cfg: NotifyConfig, item: Outgoing, password: str | None,
               timeout: float = SMTP_TIMEOUT) -> None:
    """Send one notification by email; raise ``ChannelError`` in plain words."""
    where = f"{cfg.smtp_host}:{cfg.smtp_port}"
    if cfg.smtp_user and not password:
        raise ChannelError(
            _("No password is saved for the mail account {user}: save it as the "
              "secret `{secret}` (see the README).").format(
                user=cfg.smtp_user, secret=f"{SECRET_ACCOUNT}.smtp_password"))
    try:
        if cfg.smtp_port == 465:
            client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host or "", cfg.smtp_port,
                                                    timeout=timeout,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(cfg.smtp_host or "", cfg.smtp_port, timeout=timeout)
        with client:
            if cfg.smtp_starttls:
                client.starttls(context=ssl.create_default_context())
            if cfg.smtp_user:
                client.login(cfg.smtp_user, password or "")
            client.send_message(build_email(cfg, item))
    except smtplib.SMTPAuthenticationError as exc:
        raise ChannelError(_("The mail server {server} refused the login of {user} "
                             "(code {code}). Check the user and the saved password.").format(
            server=where, user=cfg.smtp_user, code=exc.smtp_code)) from None
    except smtplib.SMTPRecipientsRefused:
        raise ChannelError(_("The mail server {server} refused the address "
                             "{addresses}. Check `notify.email_to` in the "
                             "settings file.").format(
            server=where, addresses=", ".join(cfg.email_to))) from None
    except smtplib.SMTPResponseException as exc:
        raise ChannelError(_hinted(_("The mail server {server} answered with an error "
                                     "(code {code}).").format(server=where, code=exc.smtp_code),
                                   _SMTP_HINT)) from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise ChannelError(_hinted(_("Talking to the mail server {server} failed "
                                     "({error}).").format(server=where,
                                                          error=type(exc).__name__),
                                   _SMTP_HINT)) from None
    except TimeoutError:
        raise ChannelError(_hinted(_("The mail server {server} did not answer in time."
                                     ).format(server=where), _SMTP_HINT)) from None
    except OSError as exc:
        raise ChannelError(_hinted(_("Costanza could not reach the mail server {server} "
                                     "({error}).").format(
            server=where, error=exc.strerror or type(exc).__name__), _SMTP_HINT)) from None


# -- webhook -----------------------------------------------------------------
def webhook_document(item: Outgoing) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "subject": item.subject, "text": item.body,
            "created_at": item.created_at, "data": item.payload}


def _site(url: str) -> str:
    """Scheme and host only: a webhook path often holds a token, so it is never shown."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def post_webhook(url: str, item: Outgoing,
                 timeout: tuple[float, float] = WEBHOOK_TIMEOUT,
                 session: requests.Session | None = None) -> None:
    """POST one notification as JSON; any answer but 2xx is a ``ChannelError``."""
    site = _site(url)
    # The path may hold a token: keep it out of library logs and debug printing.
    remember_secrets(urlsplit(url).path, urlsplit(url).query)
    install_log_filters()
    own = session is None
    poster = session or _quiet_session()
    try:
        reply = poster.post(url, json=webhook_document(item), timeout=timeout,
                            allow_redirects=False,
                            headers={"User-Agent": "Costanza notifications"})
    except requests.Timeout:
        raise ChannelError(_hinted(_("The webhook at {site} did not answer in time."
                                     ).format(site=site), _WEBHOOK_HINT)) from None
    except requests.RequestException as exc:
        raise ChannelError(_hinted(_("Costanza could not reach the webhook at {site} "
                                     "({error}).").format(site=site, error=type(exc).__name__),
                                   _WEBHOOK_HINT)) from None
    finally:
        if own:
            poster.close()
    if not 200 <= reply.status_code < 300:
        raise ChannelError(_("The webhook at {site} answered {status} "
                             "instead of accepting the message.").format(
            site=site, status=reply.status_code))


def _quiet_session() -> requests.Session:
    session = requests.Session()
    session.mount("http://", QuietAdapter())
    session.mount("https://", QuietAdapter())
    return session
