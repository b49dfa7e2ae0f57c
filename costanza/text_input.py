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

from config.errors import TextUnreadable

PIPE = "-"
# A post is a few thousand characters at most; a bigger "text" is another kind of file.
MAX_BYTES = 1_000_000
NOTHING_ADDED = "Nothing was added"
NOTHING_CHANGED = "Nothing was changed"

ADD_TEMPLATE = """
# Write your story above these lines, then save and close the editor.
# Lines that start with "# " (a hash and a space) are notes for you and are
# left out; hashtags such as #handmade are kept. To add nothing, leave it empty.
"""

EDIT_TEMPLATE = """
# Change the text of post {post_id} above these lines, then save and close the editor.
# Lines that start with "# " (a hash and a space) are notes for you and are
# left out; hashtags such as #handmade are kept. To change nothing, close it as it is.
"""


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


def read(source: TextSource, nothing: str) -> str | None:
    """The text in quotes, in the file or in the pipe; None when none was given."""
    if source.file == PIPE or (source.file is None and source.given == PIPE):
        raw = source.stdin.read(MAX_BYTES + 1) if source.stdin is not None else b""
        return _checked(raw, source.encoding, "the text from the pipe", nothing)
    if source.file is not None:
        path = Path(source.file)
        return _checked(_read_file(path), source.encoding, f"the file {path}", nothing)
    if source.given is not None:
        return typed(source.given, "the text given on the command line")
    return None


def typed(value: str, label: str) -> str:
    """A text typed on the command line, refused plainly if the terminal sent bytes
    that are not UTF-8 (Python keeps them as stand-ins that cannot be saved)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise TextUnreadable(
            f"{_cap(label)} is not in UTF-8: your terminal may be set to another encoding. "
            "Set it to UTF-8, or put the text in a file and give it with --text-file FILE "
            "(adding --encoding cp1252 if the file comes from Windows). Nothing was changed."
        ) from None
    return value


def from_editor(command: str | None, start: str, template: str, nothing: str) -> str:
    """Open the editor on ``start`` and the template; the text saved, notes left out."""
    if command is None:
        raise TextUnreadable(
            f"{nothing}: no text was given, and there is no terminal to open an editor in. "
            'Give the text in quotes ("..."), with --text-file FILE, or with - to read it '
            "from a pipe.")
    with tempfile.TemporaryDirectory(prefix="costanza-") as folder:
        path = Path(folder) / "post.txt"
        path.write_text(f"{start}\n{template}", encoding="utf-8")
        _run_editor(command, path, nothing)
        raw = path.read_bytes()
    text = strip_notes(decode(raw, None, "the text saved in the editor"))
    if not text:
        raise TextUnreadable(f"{nothing}: the text was empty.")
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
        raise TextUnreadable(
            f"{_cap(label)} does not look like text (it may be a photo or another kind of "
            "file). Give a plain text file, such as one saved as .txt. Nothing was changed.")
    try:
        text = raw.decode(encoding or "utf-8-sig")
    except LookupError:
        raise TextUnreadable(
            f"Costanza does not know the text encoding '{encoding}'. Use --encoding utf-8 "
            "(the usual one), cp1252 (Windows) or latin-1. Nothing was changed.") from None
    except UnicodeDecodeError as exc:
        raise TextUnreadable(_undecodable(raw, exc, encoding, label)) from None
    return normalise(text)


def normalise(text: str) -> str:
    """No byte-order mark, "\\n" line ends (Windows writes "\\r\\n", old Macs "\\r"),
    no blank space around the text."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def _checked(raw: bytes, encoding: str | None, label: str, nothing: str) -> str:
    if len(raw) > MAX_BYTES:
        raise TextUnreadable(
            f"{_cap(label)} is too big for the text of a post (more than 1 MB; a post is a "
            "few thousand characters at most). Check that it is the right file. "
            f"{nothing}.")
    text = decode(raw, encoding, label)
    if not text:
        raise TextUnreadable(f"{nothing}: {label} was empty.")
    return text


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        problem = "was not found. Check its name and its folder"
    except IsADirectoryError:
        problem = "is a folder, not a file. Give the file with the story, such as story.txt"
    except PermissionError:
        problem = "cannot be opened: you do not have permission to read it"
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or 'the system refused'})"
    raise TextUnreadable(f"The text file {path} {problem}. Nothing was changed.")


def _undecodable(raw: bytes, exc: UnicodeDecodeError, encoding: str | None,
                 label: str) -> str:
    line = raw[:exc.start].count(b"\n") + 1
    where = f"line {line} has the byte 0x{raw[exc.start]:02X}"
    if encoding:
        return (f"{_cap(label)} cannot be read as {encoding} ({where}, which {encoding} "
                "does not use). Try --encoding utf-8 or --encoding cp1252, or leave "
                "--encoding out. Nothing was changed.")
    try:
        guess = raw.decode("cp1252")
    except UnicodeDecodeError:
        return (f"{_cap(label)} is not in UTF-8, and not in another text encoding Costanza "
                f"knows either ({where}). Save it as plain text in UTF-8 and try again. "
                "Nothing was changed.")
    lines = guess.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sample = lines[min(line, len(lines)) - 1].strip()
    sample = sample if len(sample) <= 60 else sample[:57] + "..."
    return (f"{_cap(label)} is not in UTF-8, the text encoding Costanza reads ({where}). "
            f"It looks like Windows or Latin-1 text, where line {line} reads: {sample}\n"
            "If that is right, run the same command again with --encoding cp1252. Or save "
            "the text as UTF-8 (in most editors: Save as, then the encoding UTF-8) and try "
            "again. Nothing was changed.")


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
        code, detail = 127, exc.strerror
    else:
        detail = None
    if code == 127:
        raise TextUnreadable(
            f"{nothing}: the editor '{command}' could not be started"
            f"{f' ({detail})' if detail else ''}. Set EDITOR to an editor you have "
            "(for example `export EDITOR=nano`), or give the text in quotes or with "
            "--text-file FILE.")
    if code != 0:
        raise TextUnreadable(
            f"{nothing}: the editor '{command}' stopped with an error (exit code {code}). "
            "Try again, or give the text in quotes or with --text-file FILE.")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
