"""`costanza demo`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from costanza.cli.params import Bounded


@click.command()
@click.option("--folder", metavar="DIR",
              help="Where to keep the demo's files (default: a new temporary folder).")
@click.option("--timeout", type=Bounded(1, 3600, "100", whole=False),
              default=100.0, show_default=True,
              help="Give up waiting after this many seconds.")
def demo(folder: str | None, timeout: float) -> None:
    """A guided run against the sandbox: no accounts, no setup, about a minute.

    Costanza queues a few stories with photos and a short video, publishes them
    to a local stand-in for Facebook, Instagram and X, and shows the publish log.

    Example:

    \b
        costanza demo
    """
    from config.errors import CostanzaError
    from costanza.demo.run import run_demo

    logging.getLogger("costanza").setLevel(logging.WARNING)
    result = run_demo(click.echo, Path(folder) if folder else None, timeout=timeout)
    click.echo("")
    click.echo("Publish log:")
    for d in result.deliveries:
        click.echo(f"  post {d['post_id']:<3} {d['network']:<10} {d['state']:<12} "
                   f"{d['permalink'] or d['reason'] or ''}")
    click.echo(f"Done in {result.seconds:.0f} s. To see what the networks received, with "
               f"the pictures: `costanza sandbox --data {result.folder / 'sandbox'}`, then "
               "open http://127.0.0.1:8787 in a browser.")
    if not result.all_published:
        raise CostanzaError("Some demo posts did not go out; the log above says why.")
