"""Words that came from outside Costanza's messages (the system's reason for a file it could
not write, click's name for a kind of number), in the language spoken; English unchanged."""

from __future__ import annotations

import errno

from config import i18n
from config.errors import os_reason


def test_the_system_reason_is_translated_and_english_is_the_system_own() -> None:
    refused = NotADirectoryError(errno.ENOTDIR, "Not a directory")
    with i18n.speaking("en"):
        assert os_reason(refused) == "Not a directory"
    with i18n.speaking("it"):
        assert os_reason(refused) == "una parte del percorso è un file, non una cartella"
    unknown = OSError(errno.ENOTSUP, "Operation not supported")
    with i18n.speaking("it"):
        assert os_reason(unknown) == "Operation not supported"  # as the system says it
    with i18n.speaking("it"):
        assert os_reason(OSError("no errno"), "fallback") == "fallback"


def test_a_number_click_refuses_is_named_in_italian(run) -> None:
    english = run("--lang", "en", "post", "move", "1", "--to", "zero")
    italian = run("--lang", "it", "post", "move", "1", "--to", "zero")
    assert english.exit_code == italian.exit_code == 2
    assert "'zero' is not a valid integer." in english.output
    assert "'zero' non è un numero intero valido." in italian.output


def test_a_settings_file_that_is_not_toml_says_where_in_italian(run, home) -> None:
    assert run("init", "--timezone", "Europe/Rome", "--slots", "mon 09:30").exit_code == 0
    config = home / "config.toml"
    config.write_text("[daemon]\npoll_seconds = 1\n[daemon]\n", encoding="utf-8")
    english = run("--lang", "en", "status")
    italian = run("--lang", "it", "status")
    assert english.exit_code == italian.exit_code == 1
    assert "Cannot declare ('daemon',) twice (at line 3, column 8)" in english.output
    assert "(l'errore è alla riga 3, colonna 8)" in italian.output
