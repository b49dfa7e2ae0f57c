"""What "English left" means in a text shown under ``--lang it``.

A word is English left when it belongs to the vocabulary of Costanza's English messages
(every msgid of the template: Costanza's and click's) and is neither an Italian word that
English shares (`SHARED`) nor a name (`NAMES`: networks, formats, Costanza's own words
for things that Italian keeps, the names of commands and options). Before the words are
read, what is not prose is set aside: example command lines (`costanza ...`,
``export NAME=value``), the commands a line
names (``costanza post add``; the first word of a "Commands:" list's line), spans in
backticks (and the half of one that a wrapped line carries), literal values in straight
double quotes (``"never"``, ``"pad"``: what the person types, or a label of a network's
own English page such as ``"Read and write"``, also when a wrapped line splits one;
a value Costanza repeats in single quotes, ``'default'``),
settings as they are written (``language = "it"``: the key before ``=``), options
(``--slots``, ``-h``), and chunks holding digits or the marks of file names, paths, zones
and addresses (``secrets.toml``, ``Europe/Rome``, ``09:30``, ``e.g.``); an option that the
wrapper broke at a hyphen is joined again (``--app-`` / ``secret)``). An example command
continued on the next line with a trailing backslash is an example there too. Italian
elisions (``all'indirizzo``, ``dell'app``) are read as the word after the apostrophe: the
elided article is not the English "all"; an English contraction (``don't``,
``Costanza's``) is read whole.

The vocabulary also holds the words of the same text under ``--lang en`` when the test
gives it (a message nobody marked for the catalog yet is English all the same).
`english_left(text, english)` returns the offending lines, each with its English words, so that a
failing test says where the English is.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[3]

# Names that stay as they are in Italian text.
NAMES = {
    "costanza", "facebook", "instagram", "meta", "graph", "page", "pages", "twitter",
    "json", "toml", "csv", "png", "svg", "jpeg", "jpg", "webp", "heic", "mp", "mov",
    "utf", "url", "urls", "http", "https", "api", "pin", "oauth", "id", "ids", "uuid",
    "sqlite", "postgresql", "postgres", "systemd", "sigterm", "ctrl", "nano", "visual",
    "editor", "bash", "windows", "linux", "macos", "readme", "xdg", "iana", "utc",
    "token", "tokens", "post", "sandbox", "daemon", "account", "demo", "hashtag",
    "hashtags", "email", "webhook", "webhooks", "smtp", "s3", "cdn", "ok", "stop",
    "lang", "dir", "ui", "tls", "starttls",
    # Sections of the settings file, named as they are written: "[notify]".
    "notify",
    # Formats, units and programs, as Italian writes them.
    "gif", "avif", "aac", "txt", "mb", "gb", "khz", "byte",
    "systemctl", "sudo", "ssh", "journald", "explorer",
    # The languages, as --lang names them: "it (italiano) or en (English)".
    "it", "en", "italiano", "english",
}
# Words spelled the same in Italian and English (as Italian prose uses them).
SHARED = {
    "in", "no", "come", "file", "video", "social", "online", "offline", "web", "link",
    "server", "computer", "browser", "password", "standard", "status", "report", "log",
    "backup", "media", "pipe", "font", "fine", "idea", "data", "area", "chat",
    "app", "login", "test", "solo", "era", "ore", "pure", "dove", "lo", "la", "ad",
    "mi", "ha", "ma", "da", "di", "se", "non", "un", "una", "ti", "il", "per", "me",
    "note", "base", "tempo", "volume",
    "date",  # the plural of "data": "Costanza usa date dal 1970 al 9998"
    # English words that Italian uses unchanged (computers and social networks), and
    # Italian words spelled like English ones ("due" = two, "pause" = plural of pausa).
    "database", "proxy", "bucket", "driver", "script", "internet", "emoji", "thread",
    "due", "pause",
    "serve",  # Italian "it serves/is needed"; English "to serve .jpg files as image/jpeg"
}
# Input that both languages accept, shown in examples ("mon 9:30, wed 18:00").
INPUT_FORMS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}


@cache
def english_vocabulary() -> frozenset[str]:
    """The words of every English message (Costanza's and click's), lowercased."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("costanza_i18n_script",
                                                  ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    words: set[str] = set()
    for message in script.extract():
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        for text in ids:
            # Examples hold what the person types, in any language ("La lana viene...").
            words |= set(w for line in _prose_lines(str(text)) for w in _words(_prose(line)))
    return frozenset(words)


@cache
def command_names() -> frozenset[str]:
    """The names of Costanza's commands and options, and the words they are made of."""
    from costanza.cli.main import cli

    names: set[str] = set()

    def walk(command: click.Command) -> None:
        for param in command.params:
            for opt in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())):
                names.update(re.findall(r"[a-z]+", opt.lower()))
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    names.add(name)
                    walk(sub)

    walk(cli)
    return frozenset(names)


_BACKTICKS = re.compile(r"`[^`]*`")
_QUOTED = re.compile(r'"[^"\n]*"')
# A value in single quotes, as Costanza repeats it ('default', {value!r}): the quotes are
# not apostrophes (no letter before the first, none after the second: not "dell'app").
_SINGLE_QUOTED = re.compile(r"(?<![^\W\d_])'[^'\n]*'(?![^\W\d_])")
_SETTING = re.compile(r"[^\W\d]\w*\s*=(?!=)")
_CODE_MARKS = re.compile(r"[0-9/\\._=@:<>|#~$%{}\[\]`]")


def _literals_aside(text: str) -> str:
    """``text`` without spans in backticks, literal values in straight quotes (double, or
    single around a value: ``'default'``) and the keys of settings written out
    (``kind = "sandbox"``)."""
    text = _QUOTED.sub(" ", _BACKTICKS.sub(" ", text))
    return _SETTING.sub(" ", _SINGLE_QUOTED.sub(" ", text))


def _prose(text: str) -> str:
    """``text`` without what is not prose (see the module's docstring)."""
    text = _literals_aside(text)
    kept = []
    for chunk in text.split():
        core = chunk.strip(".,;:!?()[]\"'«»“”‘’")
        if not core or core.startswith("-") or _CODE_MARKS.search(core):
            continue
        kept.append(core)
    return " ".join(kept)


# A word, with the apostrophe that follows it when a letter comes next ("all'indirizzo").
_WORD = re.compile(r"[^\W\d_]+(?:['’](?=[^\W\d_]))?")
# What follows the apostrophe of an English contraction: "don't", "it's", "we're".
_CONTRACTION = re.compile(r"['’](?:t|s|re|ll|ve|d|m)(?![^\W\d_])", re.IGNORECASE)


def _words(text: str) -> list[str]:
    """The words of ``text``, lowercased, without the elided Italian word before an
    apostrophe (``dell'``, ``all'``, ``l'``); an English contraction stays whole."""
    words = []
    for match in _WORD.finditer(text):
        word = match.group()
        if word[-1] in "'’":
            if not _CONTRACTION.match(text, match.end() - 1):
                continue  # an Italian elision: the word after it is read on its own
            word = word[:-1]
        if len(word) > 1:
            words.append(word.lower())
    return words


_EXPORT = re.compile(r"export [A-Z_][A-Z0-9_]*=")  # a shell line: export COSTANZA_LANG=it


def _example(line: str) -> bool:
    stripped = line.strip().lstrip("$ ")
    return (stripped.startswith(("costanza ", "cli ")) or stripped in ("costanza", "cli")
            or bool(_EXPORT.match(stripped)))


# An option that click's wrapper broke at one of its hyphens ("--app-" / "secret)").
_BROKEN_OPTION = re.compile(r"(?<!\S)(--?[^\W\d_][\w-]*-)\n[ \t]*(?=[^\W\d_])")


def _wrapped_quotes_aside(text: str) -> str:
    """``text`` with the inside of each quoted value that a wrapped line split in two
    ("Keys and" / "tokens") blanked; quotes pair up in order, the lines stay."""
    marks = [i for i, c in enumerate(text) if c == '"']
    chars = list(text)
    for start, end in zip(marks[::2], marks[1::2], strict=False):
        if "\n" in text[start:end]:
            for i in range(start + 1, end):
                if chars[i] != "\n":
                    chars[i] = " "
    return "".join(chars)


def _prose_lines(text: str) -> list[str]:
    """The lines of ``text`` that are not examples: neither an example command nor the
    continuation of one (the line after an example ending with a backslash). An option
    broken at a hyphen at the end of a line is joined again with its second half."""
    kept, continued = [], False
    for line in _wrapped_quotes_aside(_BROKEN_OPTION.sub(r"\1", text)).splitlines():
        example = continued or _example(line)
        continued = example and line.rstrip().endswith("\\")
        if not example:
            kept.append(line)
    return kept


def allowed() -> frozenset[str]:
    return frozenset(NAMES | SHARED | INPUT_FORMS)


def _without_command_names(line: str) -> str:
    """``line`` without the commands it names: ``costanza post add`` anywhere, and the
    name that starts a line of a "Commands:" list (``  add   Connect an account...``).
    The names of commands and options are words of the program, in any language; as
    prose they are English (``--failed`` is a name, "failed" in a sentence is not)."""
    names = command_names()
    listed = re.match(r"^\s+(\S+)\s{2,}", line)
    if listed and listed.group(1).lower() in names:
        line = line[listed.end():]
    kept: list[str] = []
    in_command = False
    for word in line.split():
        bare = word.strip(".,;:!?()[]\"'`«»“”‘’").lower()
        if bare in ("costanza", "cli"):
            in_command = True
            continue
        if in_command and bare in names:
            continue
        in_command = False
        kept.append(word)
    return " ".join(kept)


def reference_words(english: str) -> frozenset[str]:
    """The prose words of an English text (the same help or error, under ``en``)."""
    return frozenset(w for line in _prose_lines(english)
                     for w in _words(_prose(_without_command_names(line))))


def english_words(line: str, extra: frozenset[str] = frozenset()) -> list[str]:
    """The English words of one line of text shown under ``it``; ``extra`` adds words to
    the vocabulary (those of the same text in English: a message not yet marked for the
    catalog is English too)."""
    if _example(line):
        return []
    vocabulary, ok = english_vocabulary() | extra, allowed()
    prose = _prose(_without_command_names(_literals_aside(line)))
    return [w for w in _words(prose) if w in vocabulary and w not in ok]


def english_left(text: str, english: str = "", typed: tuple[str, ...] = ()) -> list[str]:
    """Each line of ``text`` that holds English, with its English words; ``english`` is
    the same text under ``--lang en``, whose words count as English too, less the words
    the person typed (``typed``: the command's arguments, which a refusal repeats)."""
    extra = reference_words(english) - {w for arg in typed for w in _words(arg)}
    return [f"{line.strip()!r}: {', '.join(words)}" for line in _prose_lines(text)
            if (words := english_words(line, extra))]
