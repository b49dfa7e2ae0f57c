"""The text of a post from a file, a pipe or an editor, through the real command line.

The editor is a real program: a small Python script set as EDITOR that records
what it was shown and writes the reply it was given into the file, as a person
would before saving.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from costanza.app import App
from costanza.text_input import editor_command
from tests.costanza.cli.test_post_cli import count_posts, media_files
from tests.factories.media import make_jpeg

EDITOR_SCRIPT = """#!{python}
import pathlib, sys
here = pathlib.Path(__file__).parent
target = pathlib.Path(sys.argv[-1])
(here / "seen.txt").write_bytes(target.read_bytes())
(here / "args.txt").write_text(repr(sys.argv[1:]))
reply = here / "reply.txt"
if reply.exists():
    target.write_bytes(reply.read_bytes())
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes | None], Path]:
    """Set EDITOR to a script that saves ``reply`` (None: closes without a change);
    returns the folder where it leaves seen.txt, what it was shown."""
    folder = tmp_path / "editor"
    folder.mkdir()
    script = folder / "edit.py"
    script.write_text(EDITOR_SCRIPT.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))

    def set_reply(reply: bytes | None) -> Path:
        (folder / "reply.txt").unlink(missing_ok=True)
        if reply is not None:
            (folder / "reply.txt").write_bytes(reply)
        return folder

    return set_reply


def shown(run, post_id: int = 1) -> dict:  # type: ignore[no-untyped-def, type-arg]
    result = run("post", "show", str(post_id), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_add_from_a_file_drops_the_bom_and_windows_line_ends(run, app: App,
                                                             tmp_path: Path) -> None:
    story = tmp_path / "storia.txt"
    story.write_bytes("\ufeffLa lana arriva dalla Val di Fiemme.\r\n\r\nCaffè e "
                      "#lana\r\n".encode())
    result = run("post", "add", "--text-file", str(story), "--to", "x")
    assert result.exit_code == 0, result.output
    assert shown(run)["text"] == "La lana arriva dalla Val di Fiemme.\n\nCaffè e #lana"
    old_mac = tmp_path / "vecchio.txt"
    old_mac.write_bytes(b"Prima riga\rSeconda riga\r")
    assert run("post", "add", "--text-file", str(old_mac), "--to", "x").exit_code == 0
    assert shown(run, 2)["text"] == "Prima riga\nSeconda riga"


def test_add_from_the_pipe(run, app: App) -> None:
    result = run("post", "add", "-", "--to", "x",
                 input="\ufeffDal telaio\r\nalla sciarpa\r\n".encode())  # type: ignore[arg-type]
    assert result.exit_code == 0, result.output
    assert shown(run)["text"] == "Dal telaio\nalla sciarpa"
    result = run("post", "add", "--text-file", "-", "--to", "x", input="Il filo\n")
    assert result.exit_code == 0, result.output
    assert shown(run, 2)["text"] == "Il filo"
    result = run("post", "add", "-", "--to", "x", input="  \n\n")
    assert result.exit_code == 1
    assert "Nothing was added: the text from the pipe was empty." in result.output
    assert count_posts(app) == 2


def test_add_opens_the_editor_and_leaves_its_notes_out(run, app: App, editor) -> None:  # type: ignore[no-untyped-def]
    folder = editor(b"La lana grezza\r\n\n#lana #fattoamano\n# a note for me\n#\n")
    result = run("post", "add", "--to", "x")
    assert result.exit_code == 0, result.output
    assert shown(run)["text"] == "La lana grezza\n\n#lana #fattoamano"
    seen = (folder / "seen.txt").read_text(encoding="utf-8")
    assert "# Write your story above these lines" in seen
    assert "hashtags such as #handmade are kept" in seen
    assert ast.literal_eval((folder / "args.txt").read_text())[0].endswith(".txt")


def test_an_empty_editor_adds_nothing(run, app: App, editor, home: Path) -> None:  # type: ignore[no-untyped-def]
    editor(None)  # closed as it was opened: only the notes
    result = run("post", "add", "--to", "x")
    assert result.exit_code == 1
    assert result.output.strip() == "Nothing was added: the text was empty."
    editor(b"\n   \n# only a note\n")
    result = run("post", "add", "--to", "x")
    assert result.exit_code == 1
    assert "Nothing was added: the text was empty." in result.output
    assert count_posts(app) == 0


def test_no_editor_is_opened_when_a_photo_has_no_text(run, app: App, editor,  # type: ignore[no-untyped-def]
                                                     tmp_path: Path) -> None:
    folder = editor(b"should not be used")
    photo = make_jpeg(tmp_path / "telaio.jpg", size=(800, 800))
    assert run("post", "add", "--photo", str(photo), "--to", "x").exit_code == 0
    assert shown(run)["text"] == ""
    assert not (folder / "seen.txt").exists()


def test_an_editor_that_fails_or_is_missing_changes_nothing(run, app: App,
                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EDITOR", "false")
    result = run("post", "add", "--to", "x")
    assert result.exit_code == 1
    assert "the editor 'false' stopped with an error (exit code 1)" in result.output
    monkeypatch.setenv("VISUAL", "no-such-editor-here")
    result = run("post", "add", "--to", "x")
    assert result.exit_code == 1
    assert "the editor 'no-such-editor-here' could not be started" in result.output
    assert "EDITOR" in result.output
    assert count_posts(app) == 0


def test_edit_from_a_file_the_pipe_and_the_editor(run, app: App, editor,  # type: ignore[no-untyped-def]
                                                  tmp_path: Path) -> None:
    assert run("post", "add", "La lana", "--to", "x").exit_code == 0
    story = tmp_path / "storia.txt"
    story.write_bytes(b"\xef\xbb\xbfLa lana, filata\r\n")
    assert run("post", "edit", "1", "--text-file", str(story)).exit_code == 0
    assert shown(run)["text"] == "La lana, filata"
    result = run("post", "edit", "1", "--text", "-", input="Dal tubo\n")
    assert result.exit_code == 0, result.output
    assert shown(run)["text"] == "Dal tubo"
    folder = editor(b"Dal tubo, e poi il telaio\n# note\n")
    result = run("post", "edit", "1")
    assert result.exit_code == 0, result.output
    assert "Post 1 changed" in result.output
    assert shown(run)["text"] == "Dal tubo, e poi il telaio"
    seen = (folder / "seen.txt").read_text(encoding="utf-8")
    assert seen.startswith("Dal tubo\n") and "# Change the text of post 1" in seen


def test_edit_in_the_editor_without_a_change_or_emptied(run, app: App, editor) -> None:  # type: ignore[no-untyped-def]
    assert run("post", "add", "La lana", "--to", "x").exit_code == 0
    before = shown(run)
    editor(None)
    result = run("post", "edit", "1")
    assert result.exit_code == 0, result.output
    assert "Nothing was changed: the text of post 1 is the same as before." in result.output
    editor(b"# everything removed\n")
    result = run("post", "edit", "1")
    assert result.exit_code == 1
    assert result.output.strip() == "Nothing was changed: the text was empty."
    assert shown(run) == before


def test_edit_with_other_changes_does_not_open_the_editor(run, app: App, editor) -> None:  # type: ignore[no-untyped-def]
    folder = editor(b"not wanted")
    assert run("post", "add", "La lana", "--to", "x").exit_code == 0
    assert run("post", "edit", "1", "--to", "facebook").exit_code == 0
    assert shown(run)["text"] == "La lana"
    assert not (folder / "seen.txt").exists()
    assert run("post", "edit", "9").exit_code == 1  # no such post: no editor either
    assert not (folder / "seen.txt").exists()


def test_text_given_twice_is_refused(run, app: App, tmp_path: Path) -> None:
    story = tmp_path / "storia.txt"
    story.write_text("La lana\n", encoding="utf-8")
    result = run("post", "add", "Il telaio", "--text-file", str(story))
    assert result.exit_code == 2
    assert "Give the text once: either in quotes or with --text-file, not both." in result.output
    assert run("post", "add", "Il telaio", "--to", "x").exit_code == 0
    result = run("post", "edit", "1", "--text", "nuovo", "--text-file", str(story))
    assert result.exit_code == 2
    assert "either with --text or with --text-file" in result.output
    result = run("post", "add", "Il telaio", "--encoding", "cp1252")
    assert result.exit_code == 2 and "--encoding is for a text read" in result.output
    assert count_posts(app) == 1
    assert shown(run)["text"] == "Il telaio"


def test_a_file_from_windows_is_refused_with_the_way_out(run, app: App, home: Path,
                                                         tmp_path: Path) -> None:
    photo = make_jpeg(tmp_path / "tazza.jpg", size=(800, 800))
    cp1252 = tmp_path / "caffè.txt"
    cp1252.write_bytes(b"Il nostro caff\xe8\r\n\x93fatto a mano\x94 dalla nonna\r\n")
    result = run("post", "add", "--text-file", str(cp1252), "--photo", str(photo), "--to", "x")
    assert result.exit_code == 1
    assert f"The file {cp1252} is not in UTF-8" in result.output
    assert "line 1 has the byte 0xE8" in result.output
    assert "line 1 reads: Il nostro caffè" in result.output
    assert "--encoding cp1252" in result.output
    assert "unexpected problem" not in result.output and "Unicode" not in result.output
    assert count_posts(app) == 0 and media_files(home) == []
    result = run("post", "add", "--text-file", str(cp1252), "--encoding", "cp1252",
                 "--photo", str(photo), "--to", "x")
    assert result.exit_code == 0, result.output
    assert shown(run)["text"] == "Il nostro caffè\n“fatto a mano” dalla nonna"


def test_latin1_file_and_other_encodings(run, app: App, tmp_path: Path) -> None:
    latin1 = tmp_path / "lana.txt"
    latin1.write_bytes("Però la lana è più calda\n".encode("latin-1"))
    result = run("post", "add", "--text-file", str(latin1), "--to", "x")
    assert result.exit_code == 1
    assert "line 1 reads: Però la lana è più calda" in result.output
    assert run("post", "add", "--text-file", str(latin1), "--encoding", "latin-1",
               "--to", "x").exit_code == 0
    assert shown(run)["text"] == "Però la lana è più calda"
    result = run("post", "add", "--text-file", str(latin1), "--encoding", "klingon")
    assert result.exit_code == 1
    assert "does not know the text encoding 'klingon'" in result.output
    result = run("post", "add", "--text-file", str(latin1), "--encoding", "ascii")
    assert result.exit_code == 1
    assert "cannot be read as ascii (line 1 has the byte 0xF2" in result.output
    garbage = tmp_path / "strano.txt"
    garbage.write_bytes(b"ciao \x81\x8d\xff\n")
    result = run("post", "add", "--text-file", str(garbage), "--to", "x")
    assert result.exit_code == 1
    assert "not in another text encoding Costanza knows" in result.output
    result = run("post", "edit", "1", "--text", "-", input=b"\x93s\xec\x94\n")  # type: ignore[arg-type]
    assert result.exit_code == 1
    assert "The text from the pipe is not in UTF-8" in result.output
    assert count_posts(app) == 1
    assert shown(run)["text"] == "Però la lana è più calda"


def test_missing_empty_binary_and_folder_files(run, app: App, tmp_path: Path) -> None:
    missing = tmp_path / "non c'è.txt"
    empty = tmp_path / "vuoto.txt"
    empty.write_bytes(b"\xef\xbb\xbf\r\n")
    photo = make_jpeg(tmp_path / "foto.jpg")
    cases = [
        (missing, f"The text file {missing} was not found."),
        (empty, f"Nothing was added: the file {empty} was empty."),
        (photo, "does not look like text"),
        (tmp_path, "is a folder, not a file"),
    ]
    for path, words in cases:
        result = run("post", "add", "--text-file", str(path), "--to", "x")
        assert result.exit_code == 1, (path, result.output)
        assert words in result.output, (path, result.output)
    assert count_posts(app) == 0


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="file permissions do not stop root")
def test_an_unreadable_file(run, app: App, tmp_path: Path) -> None:
    secret = tmp_path / "privato.txt"
    secret.write_text("La lana\n", encoding="utf-8")
    secret.chmod(0)
    result = run("post", "add", "--text-file", str(secret), "--to", "x")
    assert result.exit_code == 1
    assert "you do not have permission to read it" in result.output
    assert count_posts(app) == 0


def test_bytes_that_are_not_utf8_on_the_command_line(home: Path, app: App) -> None:
    """A real process: Python keeps such argv bytes as stand-ins that cannot be saved."""
    env = {k: v for k, v in os.environ.items() if k not in ("VISUAL", "EDITOR")}
    env.update(COSTANZA_HOME=str(home), LC_ALL="C.UTF-8")
    for args, word in (([b"Il caff\xe8 della nonna"], "Word 3"),
                       (["Il caffè", "--text-x", b"caff\xe8"], "Word 5")):
        result = subprocess.run([sys.executable, "-m", "costanza", "post", "add", *args,
                                 "--to", "x"],
                                env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, result.stderr  # a mistake in the command itself
        assert f"{word} of the command" in result.stderr and "not UTF-8" in result.stderr
        assert "unexpected problem" not in result.stderr
    assert count_posts(app) == 0


def test_the_editor_is_chosen_as_git_does() -> None:
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "vim"}, False) == "code --wait"
    assert editor_command({"VISUAL": " ", "EDITOR": "vim"}, False) == "vim"
    assert editor_command({}, False) is None
    assert editor_command({}, True) in {"sensible-editor", "nano", "vi", "notepad"}
