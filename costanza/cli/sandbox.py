"""`costanza sandbox`: the local stand-in for Facebook, Instagram and X."""

from __future__ import annotations

from pathlib import Path

import click

from costanza.cli.params import Bounded


@click.command()
@click.option("--port", type=Bounded(1, 65535, "8787"), default=8787, show_default=True,
              help="Port to listen on (127.0.0.1).")
@click.option("--data", "data_dir", metavar="DIR",
              help="Keep what was published in this folder, across restarts.")
@click.option("--latency-ms", type=Bounded(0, 60_000, "200"), default=0, show_default=True,
              help="Delay every answer by this many milliseconds (like a real network).")
def sandbox(port: int, data_dir: str | None, latency_ms: int) -> None:
    """Run a local stand-in for Facebook, Instagram and X, to try Costanza safely.

    Point Costanza at it with COSTANZA_PLATFORM_URL=http://127.0.0.1:8787 (or
    `[networks] base_url` in the settings); open that address in a browser to
    see what was published.

    Example:

        costanza sandbox --port 8787 --data ./sandbox-data
    """
    from costanza.errors import CostanzaError
    from scheduler.sandbox.server import serve

    try:
        serve(port=port, data_dir=Path(data_dir) if data_dir else None, latency_ms=latency_ms)
    except OSError as exc:
        raise CostanzaError(
            f"The sandbox could not listen on port {port} ({exc.strerror or exc}). Another "
            "program may be using it: choose another with --port."
        ) from None
