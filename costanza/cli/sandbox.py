"""`costanza sandbox`: the local stand-in for Facebook, Instagram and X.

Bare, it runs the sandbox (the options are the server's); `costanza sandbox
connect` connects the current profile to a sandbox that is running.
"""

from __future__ import annotations

from pathlib import Path

import click

from costanza.cli.main import Context
from costanza.cli.params import Bounded

_SERVER_OPTIONS = ("port", "data_dir", "latency_ms")


@click.group(invoke_without_command=True)
@click.option("--port", type=Bounded(1, 65535, "8787"), default=8787, show_default=True,
              help="Port to listen on (127.0.0.1).")
@click.option("--data", "data_dir", metavar="DIR",
              help="Keep what was published in this folder, across restarts.")
@click.option("--latency-ms", type=Bounded(0, 60_000, "200"), default=0, show_default=True,
              help="Delay every answer by this many milliseconds (like a real network).")
@click.pass_context
def sandbox(ctx: click.Context, port: int, data_dir: str | None, latency_ms: int) -> None:
    """Run a local stand-in for Facebook, Instagram and X, to try Costanza safely.

    Point Costanza at it with COSTANZA_PLATFORM_URL=http://127.0.0.1:8787 (or
    `[networks] base_url` in the settings), then connect its accounts with
    `costanza sandbox connect`; open that address in a browser to see what was
    published.

    Example:

    \b
        costanza sandbox --port 8787 --data ./sandbox-data
        costanza sandbox connect
    """
    if ctx.invoked_subcommand is not None:
        given = [name for name in _SERVER_OPTIONS
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(
                f"--{given[0].replace('_dir', '').replace('_', '-')} is for running the "
                f"sandbox (`costanza sandbox --port 8787`), not for `costanza sandbox "
                f"{ctx.invoked_subcommand}`.")
        return
    from config.errors import CostanzaError
    from costanza.demo.sandbox.server import serve

    try:
        serve(port=port, data_dir=Path(data_dir) if data_dir else None, latency_ms=latency_ms)
    except OSError as exc:
        raise CostanzaError(
            f"The sandbox could not listen on port {port} ({exc.strerror or exc}). Another "
            "program may be using it: choose another with --port."
        ) from None


@sandbox.command("connect", short_help="Connect the running sandbox's accounts and media "
                                       "host to your profile.")
@click.pass_obj
def connect(obj: Context) -> None:
    """Connect the running sandbox's X account, Facebook Page and Instagram account
    to your profile, and make the sandbox Instagram's media host (no web server
    needed). Running it again changes nothing.

    The sandbox must be running, and COSTANZA_PLATFORM_URL set to its address.

    Example:

    \b
        costanza sandbox --port 8787 &
        export COSTANZA_PLATFORM_URL=http://127.0.0.1:8787
        costanza sandbox connect
    """
    from costanza.demo.accounts import connect_sandbox

    result = connect_sandbox(obj.app)
    labels = {"x": "X account", "facebook": "Facebook Page", "instagram": "Instagram account"}
    click.echo(f"Sandbox at {result.base_url}, profile '{result.profile}':")
    for a in result.accounts:
        click.echo(f"  {a.name}: {labels[a.network]} {a.display_name}, {a.status}")
    where = f"[media_host] in {result.config_file}"
    click.echo({
        "set": f"Instagram's photos go to the sandbox: wrote kind = \"sandbox\" and its "
               f"address in {where}.",
        "changed": f"Instagram's photos go to the sandbox: updated its address in {where}.",
        "already set": "Instagram's photos already go to the sandbox (the media host).",
        "kept": f"Your media host (kind = \"{result.media_host_kind}\", {where}) is kept: the "
                "sandbox's Instagram fetches photos from it. To use the sandbox instead, "
                "remove that section and run this command again.",
    }[result.media_host])
    if not result.changed:
        click.echo("Everything was already connected: nothing was changed.")
        return
    click.echo("Next: `costanza post add \"Your story\" --photo PHOTO.jpg`, then "
               "`costanza post now ID` and `costanza daemon --once`.")
