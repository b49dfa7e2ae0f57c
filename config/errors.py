"""One exception root for Costanza.

Every error a person can meet is a ``CostanzaError`` whose message is a plain
sentence saying what happened and what to do next. The command line turns
them into a paragraph on stderr and exit code 1, in one place.
"""

from __future__ import annotations

import errno

from config.i18n import N_, _, gettext, number

# How much of a person's input an error message repeats: enough to recognise it.
SHOWN_CHARS = 200  # a long file path stays whole; a pasted page does not


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to a readable length for a message, saying how long it really was.

    An error repeats what was typed so that the person sees which input is meant;
    a 5,000-character value repeated in full buries the sentence that says what to do.
    """
    if len(text) <= limit:
        return text
    return _("{text}... ({n} characters)").format(text=text[:limit], n=number(len(text)))


# The reasons the system gives for a file it could not read or write, as the system says
# them in English (its `strerror`: always English here), so that they can be translated.
_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.EISDIR: N_("Is a directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EROFS: N_("Read-only file system"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EEXIST: N_("File exists"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.EIO: N_("Input/output error"),
    errno.EADDRINUSE: N_("Address already in use"),
}


def os_reason(exc: OSError, fallback: str | None = None) -> str:
    """Why the system refused, for a message: ``exc``'s reason in the language spoken
    (in English, the system's own words, unchanged); ``fallback`` when it gave none."""
    english = _OS_REASONS.get(exc.errno) if exc.errno is not None else None
    if english is not None:
        translated = gettext(english)
        if translated != english:
            return translated
    return exc.strerror or fallback or str(exc)


class CostanzaError(Exception):
    """Something went wrong in Costanza.

    ``default`` is the message when none is given (marked for the catalog, translated
    when the error is raised).
    """

    default = N_("Something went wrong in Costanza.")

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or gettext(self.default))

    @property
    def message(self) -> str:
        return str(self.args[0])


class SettingsError(CostanzaError):
    """The settings file has a problem."""

    default = N_("The settings file has a problem.")


class NotSetUp(CostanzaError):
    """Costanza is not set up yet. Run `costanza init` first."""

    default = N_("Costanza is not set up yet. Run `costanza init` first.")


class InputError(CostanzaError):
    """The command was given something it cannot use."""

    default = N_("The command was given something it cannot use.")


class TextUnreadable(InputError):
    """The text of the post could not be read. Nothing was changed."""

    default = N_("The text of the post could not be read. Nothing was changed.")


class TimezoneNeeded(InputError):
    """Costanza cannot tell your time zone. Run `costanza init --timezone Europe/Rome`
    (with your own zone)."""

    default = N_("Costanza cannot tell your time zone. Run `costanza init --timezone "
                 "Europe/Rome` (with your own zone).")


class MediaRejected(InputError):
    """A photo or video cannot be used."""

    default = N_("A photo or video cannot be used.")


class NotFound(InputError):
    """There is no such item."""

    default = N_("There is no such item.")


class StoreError(CostanzaError):
    """The database could not be used."""

    default = N_("The database could not be used.")


class DaemonRunning(CostanzaError):
    """Another Costanza daemon is already running on this database."""

    default = N_("Another Costanza daemon is already running on this database.")


class MediaHostUnreachable(CostanzaError):
    """Instagram will not be able to fetch your photos from the media host."""

    default = N_("Instagram will not be able to fetch your photos from the media host.")


class PublishError(CostanzaError):
    """A network did not accept a post."""

    default = N_("A network did not accept a post.")


class AuthExpired(PublishError):
    """The account needs to be connected again: its token expired or was revoked."""

    default = N_("The account needs to be connected again: its token expired or was revoked.")

    def __init__(self, message: str | None = None, http_status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code


class PublishFailed(PublishError):
    """The network refused the post; trying again unchanged will not help."""

    default = N_("The network refused the post; trying again unchanged will not help.")

    def __init__(self, message: str | None = None, http_status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code


class RetryLater(PublishError):
    """The network did not take the post this time; it is safe to try again later.

    ``retry_at`` is the time the network asked us to wait until, when it said.
    """

    default = N_("The network did not take the post this time; it is safe to try again later.")

    def __init__(self, message: str | None = None, retry_at: object = None,
                 http_status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.http_status = http_status
        self.code = code


class OutcomeUnknown(PublishError):
    """The request was sent but no clear answer came back: the post may or may not be out."""

    default = N_("The request was sent but no clear answer came back: the post may or may not be "
                 "out.")

    def __init__(self, message: str | None = None, http_status: int | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.code = code


class RateLimited(RetryLater):
    """The network asked us to slow down."""

    default = N_("The network asked us to slow down.")
