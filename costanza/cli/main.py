"""The `costanza` command: a thin layer that parses, calls one core function, prints.

Core errors (``CostanzaError``) become one plain paragraph on stderr and exit
code 1 here, in one place. Usage errors are click's (exit code 2).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import click

from config import i18n
from config.errors import CostanzaError, shown
from config.i18n import N_, _
from costanza import __version__
from costanza.cli.i18n import LanguageChoice, install_click_translations, language_for, localize

if TYPE_CHECKING:  # the App is imported only when a command needs it
    from config.clock import Clock
    from costanza.app import App

# Subcommands live in their own modules and are imported only when used, so
# that `costanza post list` never pays for the publishers' libraries.
COMMANDS = {
    "init": ("costanza.cli.setup", "init"),
    "post": ("costanza.cli.post", "post"),
    "queue": ("costanza.cli.schedule", "queue"),
    "cadence": ("costanza.cli.schedule", "cadence"),
    "pause": ("costanza.cli.schedule", "pause"),
    "resume": ("costanza.cli.schedule", "resume"),
    "daemon": ("costanza.cli.daemon", "daemon"),
    "status": ("costanza.cli.daemon", "status"),
    "check": ("costanza.cli.check", "check"),
    "log": ("costanza.cli.log", "log"),
    "retry": ("costanza.cli.log", "retry"),
    "comments": ("costanza.cli.comments", "comments"),
    "reply": ("costanza.cli.comments", "reply"),
    "report": ("costanza.cli.report", "report"),
    "costs": ("costanza.cli.costs", "costs"),
    "account": ("costanza.cli.account", "account"),
    "sandbox": ("costanza.cli.sandbox", "sandbox"),
    "demo": ("costanza.cli.demo", "demo"),
    "service": ("costanza.cli.service", "service"),
    "web": ("costanza.cli.web", "web"),
}


class CostanzaGroup(click.Group):
    """Loads subcommands lazily and turns Costanza's errors into plain messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._load(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[name]
        import importlib

        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        command = getattr(module, attr, None)
        return localize(command) if command is not None else None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # The language comes first: click's own messages about the arguments use it.
        i18n.set_language(language_for(args))
        _refuse_undecodable(args)
        ctx.meta["costanza.raw_args"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        raw = ctx.meta.get("costanza.raw_args", [])
        try:
            return super().invoke(ctx)
        except CostanzaError as exc:
            verbose = bool(ctx.obj and getattr(ctx.obj, "verbose", False))
            if verbose:
                logging.getLogger("costanza").exception("details")
            click.echo(shorten_echoes(exc.message, raw), err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            if getattr(ctx.obj, "saved_changes", lambda: False)():
                click.echo(_("Stopped, but only after a change had been saved. Check what "
                             "was saved (for example with `costanza post list` or `costanza "
                             "status`) before running the command again."), err=True)
            else:
                click.echo(_("Stopped. Nothing was changed."), err=True)
            ctx.exit(130)  # the shell's convention for "stopped by Ctrl-C" (128 + SIGINT)
        except click.ClickException as exc:
            exc.message = shorten_echoes(exc.message, raw)
            raise
        except (click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            verbose = bool(ctx.obj and getattr(ctx.obj, "verbose", False))
            if verbose:
                raise
            click.echo(_(
                "Costanza hit an unexpected problem ({kind}). Nothing else was changed. Run "
                "the same command with --verbose to see the details, and report them if the "
                "problem stays.").format(kind=type(exc).__name__), err=True)
            ctx.exit(1)


def _refuse_undecodable(args: list[str]) -> None:
    """Refuse, before anything runs, an argument that is not valid text: bytes that are
    not UTF-8 would otherwise reach the database and fail there, half-way."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            clean = arg.encode("utf-8", "replace").decode("utf-8")
            raise click.UsageError(_(
                "Word {number} of the command ({word}) holds bytes that are not UTF-8 text "
                "(shown as '?'). Type it again, or save the text as UTF-8.").format(
                    number=number, word=repr(shown(clean)))) from None


def shorten_echoes(message: str, args: list[str]) -> str:
    """``message`` with every long input it repeats cut to a readable length."""
    for arg in sorted(set(args), key=len, reverse=True):
        for value in {arg, arg.strip(), arg.split("=", 1)[-1]}:
            if shown(value) != value:
                message = message.replace(value, shown(value))
    return message


class Context:
    """What every command receives: the options, and the App built on first use."""

    def __init__(self, config: str | None, profile: str | None, verbose: bool,
                 clock: Clock | None = None) -> None:
        self.config = config
        self.profile = profile
        self.verbose = verbose
        self.clock = clock  # None: the real clock; tests pass a fake one
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            from costanza.app import App

            self._app = App.load(self.config, self.profile, clock=self.clock)
        return self._app

    def saved_changes(self) -> bool:
        return self._app is not None and bool(self._app.saved_changes)

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


@click.group(cls=CostanzaGroup, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("""Costanza keeps a steady weekly cadence of posts on your Facebook Page,
    Instagram and X.

    Queue stories with `costanza post add`, let `costanza daemon` publish them
    at your weekly slots, and read `costanza log` to see what went out.

    Example:

    \b
        costanza init --timezone Europe/Rome --slots "mon 09:30, wed 18:00, fri 12:00"
    """))
@click.option("--config", "config", metavar=N_("FILE"), envvar="COSTANZA_CONFIG",
              help=N_("Settings file to use (default: in COSTANZA_HOME or your config "
                      "folder)."))
@click.option("--profile", metavar=N_("NAME"), envvar="COSTANZA_PROFILE",
              help=N_("Which artisan's profile to use (default: 'default')."))
@click.option("--lang", "lang", type=LanguageChoice(), metavar=N_("LANGUAGE"),
              help=N_("The language Costanza speaks: it (italiano) or en (English). Default: "
                      "COSTANZA_LANG, then [ui] language in the settings, then your "
                      "system's language."))
@click.option("-v", "--verbose", is_flag=True, help=N_("Show technical details of errors."))
@click.version_option(__version__, prog_name="costanza")
@click.pass_context
def cli(ctx: click.Context, config: str | None, profile: str | None, lang: str | None,
        verbose: bool) -> None:
    # The language was chosen (and set) while the arguments were parsed: language_for.
    # A caller may hand in the clock (`cli.main(..., obj={"clock": clock})`): the tests
    # run every command on the same fake clock as the rest of the test.
    given = ctx.obj if isinstance(ctx.obj, dict) else {}
    obj = Context(config, profile, verbose, clock=given.get("clock"))
    ctx.obj = obj
    ctx.call_on_close(obj.close)
    if verbose:
        from costanza.logsetup import setup_cli_logging

        setup_cli_logging()


install_click_translations()
localize(cli)


def main() -> None:
    cli(prog_name="costanza")
