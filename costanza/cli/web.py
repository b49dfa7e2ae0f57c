"""`costanza web`: the week and the log as a page in the browser."""

from __future__ import annotations

import click

from config.i18n import N_, _
from costanza.cli.main import Context
from costanza.cli.params import Bounded


@click.command(help=N_("""Show your week and the publish log as a page in your browser.

    Prints one address to open; it works once, in one browser, and only while this
    command runs (Ctrl-C stops it). The page is for this computer only, unless
    --host says otherwise. When the daemon shows the page (`enabled = true` in [web] of
    the settings), it prints a new address of the daemon's page instead, and stops.

    Example:

    \b
        costanza web --open
        costanza web --port 8800
    """))
@click.option("--port", type=Bounded(1, 65535, "8765"), default=8765, show_default=True,
              help=N_("Port to listen on."))
@click.option("--host", default="127.0.0.1", show_default=True, metavar=N_("ADDRESS"),
              help=N_("Address to listen on. Anything but 127.0.0.1 lets other computers "
                      "reach the page: put it behind a web server with HTTPS (README)."))
@click.option("--open", "open_browser", is_flag=True,
              help=N_("Open the page in your browser as well."))
@click.pass_obj
def web(obj: Context, port: int, host: str, open_browser: bool) -> None:
    from costanza.web.auth import is_loopback
    from costanza.web.beside import fresh_address
    from costanza.web.server import prepare, serve

    app = obj.app
    app.store  # noqa: B018  (not set up: say so now, before anything is served)
    address = fresh_address(app)
    if address is not None:
        click.echo(_("The daemon shows the page. Open this address in your browser (it "
                     "works once):"))
        click.echo(f"  {address}")
        if open_browser:
            _open(address)
        return
    served = prepare(host, port)
    if not is_loopback(host):
        click.echo(_(
            "Warning: the page listens on {host}, so other computers can reach it, and "
            "nothing it sends is encrypted. Put it behind a web server with HTTPS (see the "
            "README, \"A page in the browser\"), or leave out --host.").format(host=host),
            err=True)

    def ready() -> None:
        click.echo(_("Open this address in your browser (it works once):"))
        click.echo(f"  {served.address}")
        click.echo(_("Ctrl-C stops the page."))
        if open_browser:
            _open(served.address)

    try:
        serve(app, served, ready=ready)
    except KeyboardInterrupt:
        pass
    click.echo(_("The page is stopped."))


def _open(address: str) -> None:
    import webbrowser

    if not webbrowser.open(address):
        click.echo(_("No browser could be opened here: open the address above yourself."),
                   err=True)
