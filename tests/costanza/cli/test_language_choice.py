"""Which language Costanza speaks (issue 17, part 2).

--lang beats COSTANZA_LANG, which beats the settings file's ``[ui] language``, which
beats the system's LANGUAGE, LC_ALL, LC_MESSAGES and LANG (read in that order, as gettext
reads them). A bad ``[ui] language`` is a settings error (exit 1); `init` writes the
language it chose under ``[ui]``; exit codes never change with the language.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from config.i18n import choose_language, from_environment, normalize
from costanza.cli.i18n import language_for

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture
def clean_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No COSTANZA_LANG (the autouse `english` fixture sets it) and no locale variable."""
    for name in ("COSTANZA_LANG", *LOCALE_VARIABLES):
        monkeypatch.delenv(name, raising=False)


# --- the rules, as functions --------------------------------------------------------------

@pytest.mark.parametrize(("code", "language"), [
    ("it", "it"), ("it_IT.UTF-8", "it"), ("it-IT", "it"), ("it_CH", "it"), ("Italiano", "it"),
    ("italian", "it"), ("en", "en"), ("en_GB.UTF-8", "en"), ("English", "en"),
    ("inglese", "en"), ("de_DE.UTF-8", None), ("klingon", None), ("", None), (None, None),
    ("it_IT@euro", "it"),
])
def test_normalize(code: str | None, language: str | None) -> None:
    assert normalize(code) == language


@pytest.mark.parametrize(("environ", "language"), [
    ({}, None),
    ({"LANG": "it_IT.UTF-8"}, "it"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_MESSAGES": "it_IT.UTF-8", "LANG": "en_US.UTF-8"}, "it"),
    ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "it_IT.UTF-8"}, "en"),
    ({"LANGUAGE": "it", "LC_ALL": "en_US.UTF-8"}, "it"),
    ({"LANGUAGE": "it:en", "LANG": "en_US.UTF-8"}, "it"),
    ({"LANGUAGE": "en:it", "LANG": "it_IT.UTF-8"}, "en"),
    ({"LANGUAGE": "de:it:en"}, "it"),  # the first one Costanza speaks
    ({"LANGUAGE": "de:fr", "LANG": "it_IT.UTF-8"}, "it"),  # none spoken: the next variable
    ({"LANGUAGE": "", "LANG": "it_IT.UTF-8"}, "it"),  # empty is unset
    ({"LC_ALL": "C"}, "en"),
    ({"LC_ALL": "POSIX", "LANG": "it_IT.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "de_DE.UTF-8"}, "en"),  # a locale Costanza does not speak: the source
    ({"LC_ALL": "de_DE.UTF-8", "LANG": "it_IT.UTF-8"}, "en"),
])
def test_from_environment(environ: dict[str, str], language: str | None) -> None:
    assert from_environment(environ) == language


@pytest.mark.parametrize(("flag", "configured", "environ", "language"), [
    ("it", "en", {"COSTANZA_LANG": "en", "LANG": "en_US.UTF-8"}, "it"),
    ("en", "it", {"COSTANZA_LANG": "it", "LANG": "it_IT.UTF-8"}, "en"),
    (None, "en", {"COSTANZA_LANG": "it", "LANG": "en_US.UTF-8"}, "it"),
    (None, "it", {"COSTANZA_LANG": "en", "LANG": "it_IT.UTF-8"}, "en"),
    (None, "it", {"LANG": "en_US.UTF-8", "LANGUAGE": "en"}, "it"),
    (None, "en", {"LANG": "it_IT.UTF-8"}, "en"),
    (None, None, {"LANG": "it_IT.UTF-8"}, "it"),
    (None, None, {"LANGUAGE": "it:en"}, "it"),
    (None, None, {}, "en"),
    (None, None, {"LC_ALL": "C"}, "en"),
    ("klingon", None, {"COSTANZA_LANG": "it"}, "it"),  # an unknown value is no choice
    (None, "klingon", {"COSTANZA_LANG": "xx", "LANG": "it_IT.UTF-8"}, "it"),
])
def test_choose_language_order(flag: str | None, configured: str | None,
                               environ: dict[str, str], language: str) -> None:
    assert choose_language(flag, configured, environ) == language


def _settings(home: Path, language: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(f'[ui]\nlanguage = "{language}"\n', encoding="utf-8")
    return path


def test_language_for_reads_the_command_line_then_the_settings(clean_environment: None,
                                                               home: Path) -> None:
    _settings(home, "it")
    environ = {"COSTANZA_HOME": str(home), "LANG": "en_US.UTF-8"}
    assert language_for(["status"], environ) == "it"
    assert language_for(["--lang", "en", "status"], environ) == "en"
    assert language_for(["--lang=en", "status"], environ) == "en"
    assert language_for(["status"], {**environ, "COSTANZA_LANG": "en"}) == "en"
    # --lang after the command's name is the command's business (a post's text, say).
    assert language_for(["post", "add", "--lang", "en"], environ) == "it"
    other = _settings(home / "altrove", "en")
    assert language_for(["--config", str(other), "status"], environ) == "en"
    assert language_for(["status"], {**environ, "COSTANZA_CONFIG": str(other)}) == "en"


def test_language_for_ignores_a_broken_settings_file(clean_environment: None,
                                                     home: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("[ui\nlanguage = ", encoding="utf-8")
    assert language_for(["status"], {"COSTANZA_HOME": str(home), "LANG": "it_IT"}) == "it"


# --- the rules, as the artisan meets them ------------------------------------------------------

def test_every_source_chooses_the_help_language(clean_environment: None, run, home: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def usage(*args: str) -> str:
        result = run(*args, "--help")
        assert result.exit_code == 0, result.output
        return result.output.split()[0]

    assert usage() == "Usage:"
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    assert usage() == "Uso:"
    monkeypatch.setenv("LANGUAGE", "en:it")
    assert usage() == "Usage:"
    _settings(home, "it")
    assert usage() == "Uso:"
    monkeypatch.setenv("COSTANZA_LANG", "en")
    assert usage() == "Usage:"
    assert usage("--lang", "it") == "Uso:"
    monkeypatch.setenv("COSTANZA_LANG", "it")
    assert usage("--lang", "en") == "Usage:"
    assert usage("--lang", "italiano") == "Uso:"


def test_an_unknown_lang_is_refused_with_exit_2(run, monkeypatch: pytest.MonkeyPatch) -> None:
    for lang in ("en", "it"):
        monkeypatch.setenv("COSTANZA_LANG", lang)
        result = run("--lang", "klingon", "status")
        assert result.exit_code == 2, result.output
        assert "klingon" in result.output


@pytest.mark.parametrize("value", ["klingon", "", "de"])
def test_a_bad_ui_language_is_a_settings_error(clean_environment: None, run, home: Path,
                                               app, value: str) -> None:
    path = home / "config.toml"
    text = path.read_text(encoding="utf-8")
    assert "[ui]" in text
    path.write_text(text.replace('language = "en"', f'language = "{value}"'), encoding="utf-8")
    assert f'language = "{value}"' in path.read_text(encoding="utf-8")
    for lang in ("en", "it"):
        result = run("--lang", lang, "cadence", "show")
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert "language" in result.output and "config.toml" in result.output


def test_a_ui_language_that_is_not_text_is_a_settings_error(clean_environment: None, run,
                                                             home: Path, app) -> None:
    path = home / "config.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('language = "en"', "language = 7"), encoding="utf-8")
    result = run("cadence", "show")
    assert result.exit_code == 1, result.output
    assert "language" in result.output


def _written_language(home: Path) -> object:
    data = tomllib.loads((home / "config.toml").read_text(encoding="utf-8"))
    return data["ui"]["language"]


@pytest.mark.parametrize(("args", "env", "language"), [
    (("--lang", "it"), {}, "it"),
    (("--lang", "en"), {"LANG": "it_IT.UTF-8"}, "en"),
    ((), {"LANG": "it_IT.UTF-8"}, "it"),
    ((), {"COSTANZA_LANG": "it"}, "it"),
    ((), {"LANGUAGE": "it:en", "LANG": "en_US.UTF-8"}, "it"),
    ((), {}, "en"),
    ((), {"LC_ALL": "C", "LANG": "it_IT.UTF-8"}, "en"),
])
def test_init_writes_the_language_it_chose(clean_environment: None, run, home: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          args: tuple[str, ...], env: dict[str, str],
                                          language: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = run(*args, "init", "--timezone", "Europe/Rome")
    assert result.exit_code == 0, result.output
    assert _written_language(home) == language
    text = (home / "config.toml").read_text(encoding="utf-8")
    assert text.index("[ui]") < text.index(f'language = "{language}"')
    assert text.index(f'language = "{language}"') < text.index("[database]")


def test_after_init_the_settings_keep_the_language(clean_environment: None, run, home: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("--lang", "it", "init", "--timezone", "Europe/Rome").exit_code == 0
    result = run("cadence", "--help")  # no --lang, no variable: the settings speak
    assert result.output.startswith("Uso:"), result.output


@pytest.mark.parametrize("args", [
    ("--version",), ("--help",), ("nope",), ("post", "nope"), ("post", "show", "999"),
    ("post", "show", "uno"), ("queue", "--limit", "many"), ("cadence", "show"),
    ("post", "add", "x", "--to", "myspace"), ("pause", "--from", "the 8th"),
], ids=" ".join)
def test_exit_codes_do_not_change_with_the_language(run, app, args: tuple[str, ...]) -> None:
    codes = {lang: run("--lang", lang, *args).exit_code for lang in ("en", "it")}
    assert codes["en"] == codes["it"], codes
