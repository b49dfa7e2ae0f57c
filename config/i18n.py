"""The words Costanza says, in the artisan's language (gettext, catalogs built with Babel).

At the bottom of the house, so that every layer marks its messages the same way:

    from config.i18n import _, N_, ngettext

    raise InputError(_("There is no post {number}.").format(number=number))

``_`` translates now, into the language chosen for this process (`set_language`);
``N_`` only marks a string for the catalog, for text that is translated later, when it is
shown (click's help, a class's default message). English is the source language: a
message with no translation is shown as written. The catalogs live in ``config/locale``
(``costanza.po``, compiled to ``costanza.mo`` by ``scripts/i18n``).

One language per process: a command reads it from --lang, COSTANZA_LANG, the settings
file's ``[ui] language`` or the system's locale variables (`choose_language`); the daemon
from the same settings, so its log lines, notifications and stored reasons share it.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "costanza"
LOCALE_DIR = Path(__file__).with_name("locale")
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "it")
# The names a person may write for each language, in either language.
_NAMES = {
    "en": "en", "english": "en", "inglese": "en",
    "it": "it", "italian": "it", "italiano": "it",
}
# The standard variables, in the order gettext reads them.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translations: dict[str, _gettext.NullTranslations] = {}
_active: _gettext.NullTranslations = _gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def normalize(code: str | None) -> str | None:
    """'it', 'it_IT.UTF-8', 'it-IT', 'Italiano' -> 'it'; None for a language Costanza does
    not speak (or no language at all)."""
    if not code:
        return None
    base = code.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return _NAMES.get(base)


def from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the system's locale variables ask for, when Costanza speaks it.

    Read as gettext reads them: the first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is
    set; LANGUAGE may list several (``it:en``), the first one Costanza speaks wins. The
    "C" and "POSIX" locales mean the source language."""
    environ = os.environ if environ is None else environ
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if value in ("C", "POSIX") or value.startswith("C."):
            return SOURCE_LANGUAGE
        for part in value.split(":"):
            if (language := normalize(part)) is not None:
                return language
        if variable != "LANGUAGE":  # a locale Costanza does not speak: its source language
            return SOURCE_LANGUAGE
    return None


def choose_language(flag: str | None = None, configured: str | None = None,
                    environ: Mapping[str, str] | None = None) -> str:
    """The language for this process: ``--lang``, then COSTANZA_LANG, then the settings
    file's ``[ui] language``, then the system's locale variables, else English."""
    environ = os.environ if environ is None else environ
    for candidate in (flag, environ.get("COSTANZA_LANG"), configured):
        if (language := normalize(candidate)) is not None:
            return language
    return from_environment(environ) or SOURCE_LANGUAGE


def translations(language: str) -> _gettext.NullTranslations:
    """The catalog of ``language`` (the source language has none: its words are the
    messages themselves)."""
    if language not in _translations:
        if language == SOURCE_LANGUAGE:
            _translations[language] = _gettext.NullTranslations()
        else:
            _translations[language] = _gettext.translation(
                DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    return _translations[language]


def set_language(language: str) -> None:
    """Speak ``language`` from now on, in this whole process."""
    global _active, _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    _active = translations(language)
    _language = language


def language() -> str:
    """The language spoken now ('en' or 'it')."""
    return _language


def gettext(message: str) -> str:
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things: ``ngettext("{n} post", "{n} posts", n)``."""
    return _active.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is used (a short word, a label)."""
    return _active.pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet."""
    return message


_ = gettext


def number(value: float, decimals: int = 0) -> str:
    """A number as the language writes it: '1,250.5' in English, '1.250,5' in Italian."""
    text = f"{value:,.{decimals}f}"
    if _language == "it":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


# While a command prints JSON, the words inside its data stay in the source language:
# JSON is read by programs, and its output never changes with the language. Messages to
# the person (errors, warnings on stderr) are still translated.
_machine = False


class machine_readable:
    """Within this block, `L_`, `nL_` and the time labels of `config.localtime` give English."""

    def __enter__(self) -> None:
        global _machine
        self._before = _machine
        _machine = True

    def __exit__(self, *exc: object) -> None:
        global _machine
        _machine = self._before


def for_machines() -> bool:
    """True inside `machine_readable` (a command printing JSON)."""
    return _machine


def L_(message: str) -> str:
    """A word that goes into a listing's data (a state, a summary): translated for people,
    English in JSON."""
    return message if _machine else _active.gettext(message)


def nL_(singular: str, plural: str, n: int) -> str:
    """`L_` with a plural form."""
    if _machine:
        return singular if n == 1 else plural
    return _active.ngettext(singular, plural, n)


class speaking:
    """Speak ``language`` within this block, then the language spoken before."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __enter__(self) -> None:
        self._before = _language
        set_language(self.language)

    def __exit__(self, *exc: object) -> None:
        set_language(self._before)
