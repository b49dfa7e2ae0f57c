"""`costanza sandbox`: the local stand-in for Facebook, Instagram and X.

Bare, it runs the sandbox (the options are the server's); `costanza sandbox
connect` connects the current profile to a sandbox that is running.
"""

from __future__ import annotations

from pathlib import Path

import click

from config.errors import os_reason
from config.i18n import N_, _
from costanza.cli.main import Context
from costanza.cli.params import Bounded

_SERVER_OPTIONS = ("port", "data_dir", "latency_ms")


@click.group(invoke_without_command=True, help=N_(
    """Run a local stand-in for Facebook, Instagram and X, to try Costanza safely.

    Point Costanza at it with COSTANZA_PLATFORM_URL=http://127.0.0.1:8787 (or
    `[networks] base_url` in the settings), then connect its accounts with
    `costanza sandbox connect`; open that address in a browser to see what was
    published.

    Example:

    \b
        costanza sandbox --port 8787 --data ./sandbox-data
        costanza sandbox connect
    """))
@click.option("--port", type=Bounded(1, 65535, "8787"), default=8787, show_default=True,
              help=N_("Port to listen on (127.0.0.1)."))
@click.option("--data", "data_dir", metavar=N_("DIR"),
              help=N_("Keep what was published in this folder, across restarts."))
@click.option("--latency-ms", type=Bounded(0, 60_000, "200"), default=0, show_default=True,
              help=N_("Delay every answer by this many milliseconds (like a real network)."))
@click.pass_context
def sandbox(ctx: click.Context, port: int, data_dir: str | None, latency_ms: int) -> None:
    # Its help is on the decorator.
    if ctx.invoked_subcommand is not None:
        given = [name for name in _SERVER_OPTIONS
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(_(
                "--{option} is for running the sandbox (`costanza sandbox --port 8787`), not "
                "for `costanza sandbox {command}`.").format(
                    option=given[0].replace("_dir", "").replace("_", "-"),
                    command=ctx.invoked_subcommand))
        return
    from config.errors import CostanzaError
    from costanza.demo.sandbox.server import serve

    try:
        serve(port=port, data_dir=Path(data_dir) if data_dir else None, latency_ms=latency_ms,
              announce=_announce)
    except OSError as exc:
        raise CostanzaError(_(
            "The sandbox could not listen on port {port} ({reason}). Another program may be "
            "using it: choose another with --port.").format(port=port,
                                                            reason=os_reason(exc))
        ) from None


@sandbox.command("connect", short_help=N_("Connect the running sandbox's accounts and media "
                                          "host to your profile."), help=N_(
    """Connect the running sandbox's X account, Facebook Page and Instagram account
    to your profile, and make the sandbox Instagram's media host (no web server
    needed). Running it again changes nothing.

    The sandbox must be running, and COSTANZA_PLATFORM_URL set to its address.

    Example:

    \b
        costanza sandbox --port 8787 &
        export COSTANZA_PLATFORM_URL=http://127.0.0.1:8787
        costanza sandbox connect
    """))
@click.pass_obj
def connect(obj: Context) -> None:
    # Its help is on the decorator.
    from costanza.demo.accounts import connect_sandbox

    result = connect_sandbox(obj.app)
    labels = {"x": N_("X account"), "facebook": N_("Facebook Page"),
              "instagram": N_("Instagram account")}
    click.echo(_("Sandbox at {url}, profile '{profile}':").format(url=result.base_url,
                                                                  profile=result.profile))
    statuses = {"connected": N_("connected"), "reconnected": N_("reconnected"),
                "already connected": N_("already connected")}
    for a in result.accounts:
        status = _(statuses[a.status]) if a.status in statuses else a.status
        click.echo(f"  {a.name}: {_(labels[a.network])} {a.display_name}, {status}")
    words = {"file": result.config_file, "kind": result.media_host_kind}
    click.echo({
        "set": _("Instagram's photos go to the sandbox: wrote kind = \"sandbox\" and its "
                 "address in [media_host] in {file}."),
        "changed": _("Instagram's photos go to the sandbox: updated its address in "
                     "[media_host] in {file}."),
        "already set": _("Instagram's photos already go to the sandbox (the media host)."),
        "kept": _("Your media host (kind = \"{kind}\", [media_host] in {file}) is kept: the "
                  "sandbox's Instagram fetches photos from it. To use the sandbox instead, "
                  "remove that section and run this command again."),
    }[result.media_host].format(**words))
    if not result.changed:
        click.echo(_("Everything was already connected: nothing was changed."))
        return
    click.echo(_("Next: `costanza post add \"Your story\" --photo PHOTO.jpg`, then "
                 "`costanza post now ID` and `costanza daemon --once`."))


def _announce(url: str) -> None:
    click.echo(_("Sandbox running at {url} — open it in a browser to see what was published. "
                 "Ctrl-C stops it.").format(url=url))
