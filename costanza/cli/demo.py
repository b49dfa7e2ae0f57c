"""`costanza demo`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from config.i18n import N_, _
from costanza.cli.output import state_words
from costanza.cli.params import Bounded


@click.command(help=N_(
    """A guided run against the sandbox: no accounts, no setup, about a minute.

    Costanza queues a few stories with photos and a short video, publishes them
    to a local stand-in for Facebook, Instagram and X, and shows the publish log;
    then a customer comments under the last story, and the answer goes out.

    Example:

    \b
        costanza demo
    """))
@click.option("--folder", metavar=N_("DIR"),
              help=N_("Where to keep the demo's files (default: a new temporary folder)."))
@click.option("--timeout", type=Bounded(1, 3600, "100", whole=False),
              default=100.0, show_default=True,
              help=N_("Give up waiting after this many seconds."))
def demo(folder: str | None, timeout: float) -> None:
    # Its help is on the decorator.
    from config.errors import CostanzaError
    from costanza.demo.run import run_demo

    logging.getLogger("costanza").setLevel(logging.WARNING)
    result = run_demo(click.echo, Path(folder) if folder else None, timeout=timeout)
    click.echo("")
    click.echo(_("Publish log:"))
    for d in result.deliveries:
        post = _("post {id}").format(id=d["post_id"])
        click.echo(f"  {post:<8} {d['network']:<10} {state_words(d['state']):<12} "
                   f"{d['permalink'] or d['reason'] or ''}")
    click.echo(_("Done in {seconds} s. To see what the networks received, with the pictures: "
                 "`costanza sandbox --data {folder}`, then open http://127.0.0.1:8787 in a "
                 "browser.").format(seconds=f"{result.seconds:.0f}",
                                    folder=result.folder / "sandbox"))
    if not result.all_published:
        raise CostanzaError(_("Some demo posts did not go out; the log above says why."))
    if not result.dialogue or result.dialogue["answers"] != 1:
        raise CostanzaError(_("The answer to the demo's comment did not go out once; the "
                              "lines above say why."))
