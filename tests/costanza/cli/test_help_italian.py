"""Every command's --help in Italian, with no English left (issue 17, parts 2 and 5).

The whole command tree is walked from `costanza` itself (groups included), and each
help is read under ``--lang it`` and under ``LANG=it_IT.UTF-8`` (COSTANZA_LANG removed):
"English left" is defined in tests/costanza/cli/english.py, and a failure names the
offending lines. Under ``--lang en`` the help stays the English it always was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from costanza.cli.main import cli
from tests.costanza.cli.english import english_left, english_vocabulary
from tests.costanza.cli.tree import commands

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


PATHS = sorted(path for path, _ in commands(cli))


def costanza(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="costanza", catch_exceptions=False)


def help_of(path: tuple[str, ...], *root: str) -> str:
    result = costanza(*root, *path, "--help")
    assert result.exit_code == 0, result.output
    return result.output


def _no_english(text: str, where: str, english: str) -> None:
    left = english_left(text, english)
    assert not left, f"English left in `{where}`:\n" + "\n".join(left)


# --- the checker itself --------------------------------------------------------------

def test_the_vocabulary_holds_the_english_messages() -> None:
    vocabulary = english_vocabulary()
    assert {"usage", "options", "show", "message", "exit", "commands"} <= vocabulary
    assert "costanza" in vocabulary  # in the messages, and allowed as a name


def test_the_checker_finds_english_and_names_the_line() -> None:
    left = english_left("Uso: costanza [OPZIONI]\n  -h, --help  Show this message and exit.\n")
    assert len(left) == 1
    assert "Show this message and exit." in left[0]
    assert "message" in left[0] and "exit" in left[0]


def test_the_english_text_adds_its_words_to_the_vocabulary() -> None:
    assert english_left("  Knit a scarf.") == []  # words no message has (yet)
    left = english_left("  Knit a scarf.", english="  Knit a scarf.")
    assert left and "knit" in left[0] and "scarf" in left[0]


def test_the_checker_accepts_italian_names_and_examples() -> None:
    text = """\
Uso: costanza post add [OPZIONI] [TESTO]

  Aggiunge un post alla coda. Le foto e i video vanno nell'archivio dei file.

      costanza init --timezone Europe/Rome --slots "mon 09:30, wed 18:00, fri 12:00"

  Il token del tuo account Facebook resta in secrets.toml; il daemon pubblica
  su Instagram e X agli orari della `costanza cadence show`.
  --text-file FILE  Legge il testo da questo file (JSON, TOML, UTF-8).
"""
    assert english_left(text) == []


def test_the_checker_sets_aside_literals_elisions_and_wrapped_examples() -> None:
    text = """\
  Imposta i permessi dell'app su "Read and write" e scrivi fit = "pad" all'inizio
  dell'elenco, nella pagina "Keys and
  tokens"; per cambiarla, scrivi language = "en" sotto [ui].
      costanza account add facebook --user-token EAAB... \\
          --app-id 123 --app-secret abc
  export COSTANZA_PLATFORM_URL=http://127.0.0.1:8787
  Il segreto della tua app (vedi --app-
  secret) resta tuo. Il profilo 'default' c'è; 'many' non è un numero.
"""
    english = ("  The app's secret: abc. Read and write keys and tokens for all of them,\n"
               "  by default many.\n")
    assert english_left(text, english) == []


def test_the_checker_still_finds_english_around_literals() -> None:
    english = "  Show all the keys, and don't write them.\n"
    for line, word in [("  Mostra all the chiavi \"pad\".", "all"),
                       ('  Scrivi "pad" and poi "crop".', "and"),
                       ("  Le chiavi don't si scrivono.", "don"),
                       ("  Scrivi fit = keys.", "keys"),
                       ("  Dell'app 'x' e l'altra many.", "many"),
                       ("  --app-secret  The app's secret.", "secret")]:
        left = english_left(line, english)
        assert left and word in left[0], (line, left)


# --- every help, in Italian ------------------------------------------------------------

@pytest.fixture
def no_language_chosen(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No COSTANZA_LANG, no settings file, no locale variable: the test chooses."""
    for name in ("COSTANZA_LANG", *LOCALE_VARIABLES):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "costanza")
def test_help_under_lang_it_has_no_english_left(home: Path, path: tuple[str, ...]) -> None:
    text = help_of(path, "--lang", "it")
    assert text.startswith("Uso: costanza"), text
    _no_english(text, " ".join(("costanza --lang it", *path, "--help")),
                help_of(path, "--lang", "en"))


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "costanza")
def test_help_under_the_italian_locale_has_no_english_left(
        no_language_chosen: None, monkeypatch: pytest.MonkeyPatch,
        path: tuple[str, ...]) -> None:
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    text = help_of(path)
    assert text.startswith("Uso: costanza"), text
    _no_english(text, " ".join(("LANG=it_IT.UTF-8 costanza", *path, "--help")),
                help_of(path, "--lang", "en"))


def test_the_root_help_speaks_italian(home: Path) -> None:
    text = help_of((), "--lang", "it")
    assert "Uso: costanza [OPZIONI] COMANDO [ARGOMENTI]..." in text
    assert "\nOpzioni:\n" in text and "\nComandi:\n" in text
    assert "Mostra questo aiuto ed esce." in text
    assert "Mostra la versione ed esce." in text


def test_click_value_names_are_italian(home: Path) -> None:
    assert "[OPZIONI] [TESTO]" in help_of(("post", "add"), "--lang", "it")
    assert "--limit NUMERO" in help_of(("queue",), "--lang", "it")
    assert "[predefinito: 20]" in " ".join(help_of(("queue",), "--lang", "it").split())


# --- English unchanged -------------------------------------------------------------------

@pytest.mark.parametrize("root", [("--lang", "en"), ()], ids=["--lang en", "COSTANZA_LANG=en"])
def test_help_in_english_is_unchanged(home: Path, root: tuple[str, ...]) -> None:
    help_of(("report",), "--lang", "it")  # Italian first, in the same process
    text = help_of((), *root)
    assert text.startswith("Usage: costanza [OPTIONS] COMMAND [ARGS]...\n")
    assert "\nOptions:\n" in text and "\nCommands:\n" in text
    assert "  -h, --help" in text and "Show this message and exit.\n" in text
    assert "Show the version and exit." in text
    assert "Costanza keeps a steady weekly cadence of posts on your Facebook Page," in text
    # Value names that Italian writes alike ("FILE") or merges ("NUMERO") stay English.
    assert "--config FILE " in text and "--profile NAME " in text
    assert "--weeks INTEGER RANGE" in help_of(("report",), *root)
    post_add = help_of(("post", "add"), *root)
    assert post_add.startswith("Usage: costanza post add [OPTIONS] [TEXT]\n")
    assert "--alt TEXT" in post_add
    queue = help_of(("queue",), *root)
    assert "--limit INTEGER" in queue and "[default: 20]" in queue


def test_the_c_locale_speaks_english(no_language_chosen: None,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    monkeypatch.setenv("LC_ALL", "C")
    assert help_of(()).startswith("Usage: costanza [OPTIONS]")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "costanza")
def test_help_exits_0_in_both_languages(home: Path, path: tuple[str, ...]) -> None:
    for lang in ("en", "it"):
        assert costanza("--lang", lang, *path, "--help").exit_code == 0
