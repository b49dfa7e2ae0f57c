"""Click in the artisan's language: its own words, and Costanza's help, translated when shown.

Click marks its messages ("Usage:", "Options:", "Show this message and exit.", its
errors) with the standard library's gettext, which reads only the environment; here they
are pointed at Costanza's catalog and language instead, so that --lang and the settings
file choose them too (the catalog holds click's messages, extracted from its source).

Help texts are written once, at import time, before the command line says which language
to speak: they are marked with ``N_`` and translated when the help is shown, by the
classes `localize` gives every command and option.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

import click

from config import i18n

# The modules of click that translate their words (each imported `gettext as _`).
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion",
                 "termui", "types", "utils", "_termui_impl")
# Click's usage pieces that it does not translate.
i18n.N_("[OPTIONS]")
i18n.N_("COMMAND [ARGS]...")
i18n.N_("[COMMAND] [ARGS]...")  # a group that also runs by itself
# The value names click derives from a parameter's type (its name, upper-cased), and the
# word it puts after an option that must be given ("[required]").
i18n.N_("TEXT")
i18n.N_("INTEGER")
i18n.N_("INTEGER RANGE")
i18n.N_("FLOAT")
i18n.N_("FLOAT RANGE")
i18n.N_("BOOLEAN")
i18n.N_("UUID")
i18n.N_("PATH")
i18n.N_("FILE")
i18n.N_("FILENAME")
i18n.N_("DIRECTORY")
i18n.N_("CHOICE")
i18n.N_("DATETIME")
i18n.N_("required")
# The kinds of number click names when a value is not one ("'zero' is not a valid integer.").
i18n.N_("integer")
i18n.N_("integer range")
i18n.N_("float")
i18n.N_("float range")


def install_click_translations() -> None:
    """Point click's gettext calls at Costanza's catalog (once per process)."""
    for name in CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            with contextlib.suppress(ImportError):
                module = __import__(f"click.{name}", fromlist=["_"])
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = i18n.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = i18n.ngettext  # type: ignore[attr-defined]
    click.types._NumberParamTypeBase.convert = _number_convert  # type: ignore[method-assign]


def _number_convert(self: Any, value: Any, param: click.Parameter | None,
                    ctx: click.Context | None) -> Any:
    """Click's conversion of a number, naming the kind of number in the language spoken
    (click names it by its English type name: "'zero' is not a valid integer.")."""
    try:
        return self._number_class(value)
    except ValueError:
        self.fail(i18n.gettext("{value!r} is not a valid {number_type}.").format(
            value=value, number_type=i18n.gettext(self.name)), param, ctx)


_cleaned: dict[str, dict[str, str]] = {}
_sources: dict[str, dict[str, str]] = {}


_catalogs: dict[str, dict[str, str]] = {}


def _catalog(language: str) -> dict[str, str]:
    if language not in _catalogs:
        catalog = getattr(i18n.translations(language), "_catalog", {})
        _catalogs[language] = {k: v for k, v in catalog.items()
                               if isinstance(k, str) and k and v}
    return _catalogs[language]


def translate(text: str | None) -> str | None:
    """``text`` in the language spoken now. The help of a command may have been written
    while another language was spoken (click builds some of its options lazily), and
    click tidies the indentation of some texts: both are looked up too."""
    if not text:
        return text
    source = _source_of(text)
    translated = i18n.gettext(source)
    if translated is not source or i18n.language() == i18n.SOURCE_LANGUAGE:
        return translated
    language = i18n.language()
    if language not in _cleaned:
        _cleaned[language] = {inspect.cleandoc(k): v for k, v in _catalog(language).items()}
    return _cleaned[language].get(inspect.cleandoc(source), source)


def _source_of(text: str) -> str:
    """The English message a translated text came from (itself when it is English)."""
    for language in i18n.LANGUAGES:
        if language == i18n.SOURCE_LANGUAGE:
            continue
        if text in _catalog(language):
            return text  # an English message (some are their own translation: "FILE")
        if language not in _sources:
            _sources[language] = {v: k for k, v in _catalog(language).items()}
        if text in _sources[language]:
            return _sources[language][text]
    return text


@contextlib.contextmanager
def _translated(obj: Any, *names: str) -> Iterator[None]:
    saved = {name: getattr(obj, name) for name in names}
    for name, value in saved.items():
        setattr(obj, name, translate(value) if isinstance(value, str) else value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(obj, name, value)


class LocalizedCommand(click.Command):
    """A command whose help, epilog and usage line are translated when shown."""

    def get_short_help_str(self, limit: int = 45) -> str:
        with _translated(self, "help", "short_help"):
            return super().get_short_help_str(limit)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, "help"):
            super().format_help_text(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, "epilog"):
            super().format_epilog(ctx, formatter)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [translate(piece) or piece for piece in super().collect_usage_pieces(ctx)]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            localize_param(option)
        return option


class LocalizedGroup(LocalizedCommand, click.Group):
    """A group of commands, translated the same way."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with _translated(self, "subcommand_metavar"):
            super().format_usage(ctx, formatter)


class LocalizedOption(click.Option):
    """An option whose help and value name are translated when shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        with _translated(self, "help", "metavar"):
            return super().get_help_record(ctx)

    def make_metavar(self, ctx: click.Context) -> str:
        return translate_metavar(super().make_metavar(ctx))


class LocalizedArgument(click.Argument):
    """An argument whose name in the usage line is translated."""

    def make_metavar(self, ctx: click.Context) -> str:
        return translate_metavar(super().make_metavar(ctx))


def translate_metavar(metavar: str) -> str:
    """A value's name in the language spoken now: click dresses it ("[TEXT]" for an
    optional argument, "FILE..." for several values, "NAME!" when deprecated), and the
    name inside is translated ("[TESTO]", "FILE...")."""
    if not metavar:
        return metavar
    whole = translate(metavar) or metavar
    if whole != metavar:
        return whole
    core, suffix = metavar, ""
    for end in ("...", "!"):
        if core.endswith(end):
            core, suffix = core[: -len(end)], end + suffix
    opened = core.startswith("[") and core.endswith("]")
    if opened:
        core = core[1:-1]
    core = translate(core) or core
    return (f"[{core}]" if opened else core) + suffix


_MIXINS = ((click.Group, LocalizedGroup), (click.Command, LocalizedCommand),
           (click.Option, LocalizedOption), (click.Argument, LocalizedArgument))
_made: dict[type, type] = {}


def _localized_class(cls: type) -> type:
    for base, mixin in _MIXINS:
        if issubclass(cls, mixin):
            return cls
        if issubclass(cls, base):
            if cls not in _made:
                _made[cls] = type(f"Localized{cls.__name__}", (mixin, cls), {})
            return _made[cls]
    return cls


def localize_param(param: click.Parameter) -> None:
    param.__class__ = _localized_class(type(param))


def localize(command: click.Command) -> click.Command:
    """``command``, its subcommands and their options, translated when shown."""
    command.__class__ = _localized_class(type(command))
    for param in command.params:
        localize_param(param)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            localize(sub)
    return command


# --- which language ----------------------------------------------------------------------

_ROOT_VALUED = ("--config", "--profile", "--lang")


def _option_value(args: list[str], name: str) -> str | None:
    """The value of the root's ``--name VALUE`` or ``--name=VALUE`` (before the command's
    name: a post's text or a subcommand's option may look the same)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
        if arg == "--" or not arg.startswith("-"):
            return None
        index += 2 if arg in _ROOT_VALUED else 1
    return None


def configured_language(config_file: str | None, environ: Mapping[str, str]) -> str | None:
    """The settings file's ``[ui] language``, read without checking the rest of the file
    (a broken file is reported, in the chosen language, by the command that loads it)."""
    from config.paths import resolve_home

    try:
        path = resolve_home(config_file, dict(environ)).config_file
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, TypeError):
        return None
    ui = data.get("ui")
    value = ui.get("language") if isinstance(ui, dict) else None
    return value if isinstance(value, str) else None


def language_for(args: list[str], environ: Mapping[str, str] | None = None) -> str:
    """The language a command line asks for: --lang, COSTANZA_LANG, the settings file's
    ``[ui] language``, the locale variables, else English."""
    environ = os.environ if environ is None else environ
    flag = _option_value(args, "--lang")
    config_file = _option_value(args, "--config") or environ.get("COSTANZA_CONFIG")
    configured = None
    if i18n.normalize(flag) is None and i18n.normalize(environ.get("COSTANZA_LANG")) is None:
        configured = configured_language(config_file, environ)
    return i18n.choose_language(flag, configured, environ)


class LanguageChoice(click.ParamType):
    """--lang: a language Costanza speaks ('it', 'en', 'italiano', 'it_IT.UTF-8')."""

    name = "lang"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        language = i18n.normalize(str(value))
        if language is None:
            self.fail(i18n._("{value!r} is not a language Costanza speaks: use "
                             "\"it\" (italiano) or \"en\" (English).").format(value=value),
                      param, ctx)
        return language


def language_source(args: list[str], environ: Mapping[str, str] | None = None) -> str:
    """Where the language of a command line came from, as `language_for` chose it:
    "--lang", "COSTANZA_LANG", "settings" (the settings file's ``[ui] language``),
    "system" (the locale variables) or "default" (none of them: English)."""
    environ = os.environ if environ is None else environ
    if i18n.normalize(_option_value(args, "--lang")) is not None:
        return "--lang"
    if i18n.normalize(environ.get("COSTANZA_LANG")) is not None:
        return "COSTANZA_LANG"
    config_file = _option_value(args, "--config") or environ.get("COSTANZA_CONFIG")
    if i18n.normalize(configured_language(config_file, environ)) is not None:
        return "settings"
    if i18n.from_environment(environ) is not None:
        return "system"
    return "default"
