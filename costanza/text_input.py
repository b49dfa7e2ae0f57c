"""Where a post's text comes from: in quotes, a file, a pipe, or an editor.

A story is often written somewhere else first (a notes app, Word on Windows, an
email), so Costanza reads it from a file or a pipe, or opens an editor as
`git commit` does. Whatever the source, the text that reaches the queue is
alike: decoded as UTF-8 (or the encoding asked for), without a byte-order mark,
with plain "\\n" line ends and without blank space around it. A file that is not
UTF-8 is refused with the way out, never guessed at: a wrong guess would be
published for everyone to see, and a post cannot be taken back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from config.errors import TextUnreadable, os_reason
from config.i18n import N_, _, gettext

PIPE = "-"
# A post is a few thousand characters at most; a bigger "text" is another kind of file.
MAX_BYTES = 1_000_000
# What a refusal starts with (marked here, translated when refused).
NOTHING_ADDED = N_("Nothing was added")
NOTHING_CHANGED = N_("Nothing was changed")


class _Template(str):
    """An editor template, translated when it is used: ``.format`` gives the template in
    the language spoken now, and so does `from_editor` for one not formatted."""

    def format(self, *args: object, **kwargs: object) -> str:
        return gettext(str(self)).format(*args, **kwargs)


# Translators: every note line must start with "# " (a hash and a space): those lines
# are left out of the post.
ADD_TEMPLATE = _Template(N_("""
# Write your story above these lines, then save and close the editor.
# Lines that start with "# " (a hash and a space) are notes for you and are
# left out; hashtags such as #handmade are kept. To add nothing, leave it empty.
"""))

# Translators: every note line must start with "# " (a hash and a space): those lines
# are left out of the post.
EDIT_TEMPLATE = _Template(N_("""
# Change the text of post {post_id} above these lines, then save and close the editor.
# Lines that start with "# " (a hash and a space) are notes for you and are
# left out; hashtags such as #handmade are kept. To change nothing, close it as it is.
"""))


@dataclass(frozen=True)
class TextSource:
    """What the command line was given for a post's text.

    ``given`` is the text typed in quotes (``"-"`` reads the pipe instead), ``file``
    a text file (``"-"`` also reads the pipe), ``editor`` the editor command to open
    when no text is given (None when there is none to open, such as without a
    terminal). ``stdin`` is the pipe, as bytes, so that it is decoded like a file.
    """

    given: str | None = None
    file: str | None = None
    encoding: str | None = None
    stdin: BinaryIO | None = None
    editor: str | None = None


def editor_command(environ: Mapping[str, str], interactive: bool) -> str | None:
    """The editor to open, as git chooses it: VISUAL, then EDITOR, then a default.

    Without a terminal (a script, cron) only an editor the person named is opened:
    a default one would wait for keys that never come. nano comes before vi because
    it shows its keys on screen.
    """
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            return value
    if not interactive:
        return None
    if os.name == "nt":
        return "notepad"
    for name in ("sensible-editor", "nano"):
        if shutil.which(name):
            return name
    return "vi"


# The labels of the texts that services give `typed` (translated there, when they can be).
N_("the text given with --text")

# The labels below go into the messages as {label} (in Italian each one is masculine
# singular: "il testo ...", "il file ...").


def read(source: TextSource, nothing: str) -> str | None:
    """The text in quotes, in the file or in the pipe; None when none was given.

    ``nothing`` is `NOTHING_ADDED` or `NOTHING_CHANGED` (translated here)."""
    if source.file == PIPE or (source.file is None and source.given == PIPE):
        raw = source.stdin.read(MAX_BYTES + 1) if source.stdin is not None else b""
        return _checked(raw, source.encoding, _("the text from the pipe"), nothing)
    if source.file is not None:
        path = Path(source.file)
        return _checked(_read_file(path), source.encoding,
                        _("the file {path}").format(path=path), nothing)
    if source.given is not None:
        return typed(source.given, _("the text given on the command line"))
    return None


def typed(value: str, label: str) -> str:
    """A text typed on the command line, refused plainly if the terminal sent bytes
    that are not UTF-8 (Python keeps them as stand-ins that cannot be saved).

    ``label`` says which text, already in the language spoken ("the text given with
    --text")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise TextUnreadable(_(
            "{label} is not in UTF-8: your terminal may be set to another encoding. "
            "Set it to UTF-8, or put the text in a file and give it with --text-file FILE "
            "(adding --encoding cp1252 if the file comes from Windows). Nothing was changed."
        ).format(label=_cap(gettext(label)))) from None
    return value


def from_editor(command: str | None, start: str, template: str, nothing: str) -> str:
    """Open the editor on ``start`` and the template; the text saved, notes left out."""
    nothing = gettext(nothing)
    if command is None:
        raise TextUnreadable(_(
            "{nothing}: no text was given, and there is no terminal to open an editor in. "
            'Give the text in quotes ("..."), with --text-file FILE, or with - to read it '
            "from a pipe.").format(nothing=nothing))
    with tempfile.TemporaryDirectory(prefix="costanza-") as folder:
        path = Path(folder) / "post.txt"
        path.write_text(f"{start}\n{gettext(template)}", encoding="utf-8")
        _run_editor(command, path, nothing)
        raw = path.read_bytes()
    text = strip_notes(decode(raw, None, _("the text saved in the editor")))
    if not text:
        raise TextUnreadable(_("{nothing}: the text was empty.").format(nothing=nothing))
    return text


def strip_notes(text: str) -> str:
    """Leave out the template's lines: "#" alone or "# " and more. A line of
    hashtags ("#lana #fattoamano") is part of the story and stays."""
    kept = [line for line in text.split("\n")
            if line.rstrip() != "#" and not line.startswith("# ")]
    return "\n".join(kept).strip()


def decode(raw: bytes, encoding: str | None, label: str) -> str:
    """Bytes from a file, the pipe or the editor as the text of a post."""
    if b"\x00" in raw:
        raise TextUnreadable(_(
            "{label} does not look like text (it may be a photo or another kind of "
            "file). Give a plain text file, such as one saved as .txt. Nothing was changed."
        ).format(label=_cap(label)))
    try:
        text = raw.decode(encoding or "utf-8-sig")
    except LookupError:
        raise TextUnreadable(_(
            "Costanza does not know the text encoding '{encoding}'. Use --encoding utf-8 "
            "(the usual one), cp1252 (Windows) or latin-1. Nothing was changed."
        ).format(encoding=encoding)) from None
    except UnicodeDecodeError as exc:
        raise TextUnreadable(_undecodable(raw, exc, encoding, label)) from None
    return normalise(text)


def normalise(text: str) -> str:
    """No byte-order mark, "\\n" line ends (Windows writes "\\r\\n", old Macs "\\r"),
    no blank space around the text."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _checked(raw: bytes, encoding: str | None, label: str, nothing: str) -> str:
    nothing = gettext(nothing)
    if len(raw) > MAX_BYTES:
        raise TextUnreadable(_(
            "{label} is too big for the text of a post (more than 1 MB; a post is a "
            "few thousand characters at most). Check that it is the right file. "
            "{nothing}.").format(label=_cap(label), nothing=nothing))
    text = decode(raw, encoding, label)
    if not text:
        raise TextUnreadable(_("{nothing}: {label} was empty.").format(nothing=nothing,
                                                                       label=label))
    return text


def _read_file(path: Path) -> bytes:
    reason = ""
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        message = _("The text file {path} was not found. Check its name and its folder. "
                    "Nothing was changed.")
    except IsADirectoryError:
        message = _("The text file {path} is a folder, not a file. Give the file with the "
                    "story, such as story.txt. Nothing was changed.")
    except PermissionError:
        message = _("The text file {path} cannot be opened: you do not have permission to "
                    "read it. Nothing was changed.")
    except OSError as exc:
        message = _("The text file {path} cannot be read ({reason}). Nothing was changed.")
        reason = os_reason(exc, _("the system refused"))
    raise TextUnreadable(message.format(path=path, reason=reason))


def _undecodable(raw: bytes, exc: UnicodeDecodeError, encoding: str | None,
                 label: str) -> str:
    line = raw[:exc.start].count(b"\n") + 1
    words = {"label": _cap(label), "line": line, "byte": f"0x{raw[exc.start]:02X}",
             "encoding": encoding}
    if encoding:
        return _("{label} cannot be read as {encoding} (line {line} has the byte {byte}, "
                 "which {encoding} does not use). Try --encoding utf-8 or --encoding cp1252, "
                 "or leave --encoding out. Nothing was changed.").format(**words)
    try:
        guess = raw.decode("cp1252")
    except UnicodeDecodeError:
        return _("{label} is not in UTF-8, and not in another text encoding Costanza "
                 "knows either (line {line} has the byte {byte}). Save it as plain text in "
                 "UTF-8 and try again. Nothing was changed.").format(**words)
    lines = guess.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sample = lines[min(line, len(lines)) - 1].strip()
    sample = sample if len(sample) <= 60 else sample[:57] + "..."
    return _("{label} is not in UTF-8, the text encoding Costanza reads (line {line} has "
             "the byte {byte}). It looks like Windows or Latin-1 text, where line {line} "
             "reads: {sample}\n"
             "If that is right, run the same command again with --encoding cp1252. Or save "
             "the text as UTF-8 (in most editors: Save as, then the encoding UTF-8) and try "
             "again. Nothing was changed.").format(sample=sample, **words)


def _run_editor(command: str, path: Path, nothing: str) -> None:
    """Run the editor as git does, through the shell, so that EDITOR may carry options
    ("code --wait")."""
    if os.name == "nt":
        args: str | list[str] = f'{command} "{path}"'
    else:
        args = ["/bin/sh", "-c", f'{command} "$@"', command, str(path)]
    try:
        code = subprocess.run(args, shell=os.name == "nt", check=False).returncode
    except OSError as exc:
        code, detail = 127, (os_reason(exc) if exc.strerror else None)
    else:
        detail = None
    if code == 127:
        if detail:
            message = _("{nothing}: the editor '{command}' could not be started ({detail}). "
                        "Set EDITOR to an editor you have (for example `export EDITOR=nano`), "
                        "or give the text in quotes or with --text-file FILE.")
        else:
            message = _("{nothing}: the editor '{command}' could not be started. Set EDITOR "
                        "to an editor you have (for example `export EDITOR=nano`), or give "
                        "the text in quotes or with --text-file FILE.")
        raise TextUnreadable(message.format(nothing=nothing, command=command, detail=detail))
    if code != 0:
        raise TextUnreadable(_(
            "{nothing}: the editor '{command}' stopped with an error (exit code {code}). "
            "Try again, or give the text in quotes or with --text-file FILE."
        ).format(nothing=nothing, command=command, code=code))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
