"""Network failures below HTTP, told apart by one question: did the request leave?

- never sent (connection refused, name not found, connect timeout): nothing can
  have happened on the platform, so it is safe to try again (``RetryLater``);
- sent, then the reply was lost (read timeout, dropped connection): if the call
  could have created something, nobody knows whether it did (``OutcomeUnknown``);
  if it only read or uploaded loose media, trying again is safe (``RetryLater``).

``what`` words the message for the call: a post (the default), or the dialogue's calls
(``DIALOGUE``): reading the comments (Costanza reads them again later), answering one
(the answer's own guarantee: looked up before it is ever sent again), hiding one.
"""

from __future__ import annotations

from collections.abc import Iterable

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
)

from config.errors import OutcomeUnknown, PublishError, RetryLater
from config.i18n import _
from posts.networks import network_label
from scheduler.http.routing import redact

network_name = network_label  # the name the publishers' messages use


def never_sent(exc: BaseException) -> bool:
    """True when ``exc`` proves the request never reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        seen: set[int] = set()
        stack: list[BaseException | None] = [exc]
        while stack:
            item = stack.pop()
            if item is None or id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, NewConnectionError | NameResolutionError | ConnectTimeoutError
                          | ConnectionRefusedError):
                return True
            reason = getattr(item, "reason", None)
            stack.extend([reason if isinstance(reason, BaseException) else None,
                          item.__cause__, item.__context__])
            stack.extend(a for a in getattr(item, "args", ()) if isinstance(a, BaseException))
    return False


# The dialogue's calls, worded for what they do: "comments" reads, "reply", "hide".
DIALOGUE = frozenset({"comments", "reply", "hide"})


def transport_error(
    exc: BaseException,
    *,
    network: str,
    creates: bool,
    secrets: Iterable[str | None] = (),
    what: str = "post",
) -> PublishError:
    """Turn a ``requests`` failure into one of our errors (``what``: the kind of call)."""
    name = network_name(network)
    detail = redact(type(exc).__name__, secrets)
    if what in DIALOGUE:
        return _dialogue_error(exc, name, detail, creates, what)
    if never_sent(exc):
        return RetryLater(
            _("Costanza could not reach {network} (the connection was refused or the address "
              "was not found), so nothing was sent. It will try again; check the internet "
              "connection if this keeps happening. ({detail})").format(
                network=name, detail=detail),
            code="not_sent",
        )
    if creates:
        return OutcomeUnknown(
            (_("The post was sent to {network} but no answer came back (it took too long). "
               "Costanza will check whether it went out before trying again. ({detail})")
             if _is_timeout(exc) else
             _("The post was sent to {network} but no answer came back (the connection "
               "dropped). Costanza will check whether it went out before trying again. "
               "({detail})")).format(network=name, detail=detail),
            code="no_reply",
        )
    return RetryLater(
        _("{network} did not answer in time. Nothing was posted; Costanza will try again. "
          "({detail})").format(network=name, detail=detail),
        code="no_reply",
    )


def _dialogue_error(exc: BaseException, name: str, detail: str, creates: bool,
                    what: str) -> PublishError:
    """``transport_error`` for reading the comments, answering one or hiding one."""
    timed_out = _is_timeout(exc)
    if never_sent(exc):
        message = {
            "comments": _("Costanza could not reach {network} (the connection was refused "
                          "or the address was not found), so the comments were not read. "
                          "Costanza tries again later; check the internet connection if "
                          "this keeps happening. ({detail})"),
            "reply": _("Costanza could not reach {network} (the connection was refused or "
                       "the address was not found), so your answer was not sent. Costanza "
                       "tries again later; check the internet connection if this keeps "
                       "happening. ({detail})"),
        }.get(what, _("Costanza could not reach {network} (the connection was refused or "
                      "the address was not found). ({detail})"))
        return RetryLater(message.format(network=name, detail=detail), code="not_sent")
    if what == "reply" and creates:
        return OutcomeUnknown(
            (_("Your answer was sent to {network} but no answer came back (it took too "
               "long), so it may or may not be there. Costanza looks for it before sending "
               "it again: it is never sent twice. ({detail})") if timed_out else
             _("Your answer was sent to {network} but the connection dropped before the "
               "answer came back, so it may or may not be there. Costanza looks for it "
               "before sending it again: it is never sent twice. ({detail})")).format(
                network=name, detail=detail),
            code="no_reply")
    if what == "comments":
        message = (_("{network} did not answer in time while Costanza read the comments. "
                     "Costanza tries again later. ({detail})") if timed_out else
                   _("The connection to {network} dropped while Costanza read the "
                     "comments. Costanza tries again later. ({detail})"))
    else:
        message = (_("{network} did not answer in time. ({detail})") if timed_out else
                   _("The connection to {network} dropped before it answered. ({detail})"))
    return RetryLater(message.format(network=name, detail=detail), code="no_reply")


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, requests.exceptions.Timeout)
