"""`costanza post ...`: queue, list, show, edit, move and remove stories."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from config.i18n import N_, _
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option, state_words
from costanza.cli.params import AT_TIME, POST_ID


@click.group(help=N_(
    """Queue stories and look after the queue.

    Example:

    \b
        costanza post add "The wool comes from our valley" --photo wool.jpg --to facebook,x
    """))
def post() -> None:
    """`costanza post`: the queue's commands."""


_TEXT_FILE_HELP = N_("Read the text from this file (- reads it from a pipe).")
_ENCODING_HELP = N_("The text file's encoding when it is not UTF-8, e.g. cp1252 for a file "
                    "from Windows.")


_ADD_HELP = N_(
    """Add a story to the queue. Photos and videos are copied into Costanza's
    media store, so you may move or delete the originals afterwards.

    The text comes in quotes, from a file (--text-file story.txt), from a pipe
    (-), or, when there is neither text nor a photo or video, from your editor
    (VISUAL or EDITOR, else nano).

    Example:

    \b
        costanza post add "La lana arriva dalla Val di Fiemme" --photo gomitoli.heic \\
            --alt "Gomitoli di lana grezza" --to facebook,instagram,x
        costanza post add --text-file storia.txt --photo telaio.jpg
    """)


def _text_source(text: str | None, text_file: str | None, encoding: str | None,
                 option: str) -> Any:
    """Where the text comes from; refuses a text given twice before anything runs."""
    from costanza.text_input import PIPE, TextSource, editor_command

    if text is not None and text_file is not None:
        raise click.UsageError(option)
    from_pipe = PIPE in (text, text_file)
    if encoding and text_file is None and not from_pipe:
        raise click.UsageError(_("--encoding is for a text read with --text-file or from a "
                                 "pipe (-)."))
    if from_pipe and sys.stdin.isatty():
        click.echo(_("Type or paste the text, then press Ctrl-D on a new line:"), err=True)
    return TextSource(given=text, file=text_file, encoding=encoding,
                      stdin=getattr(sys.stdin, "buffer", None),
                      editor=editor_command(os.environ, sys.stdin.isatty()))


@post.command("add", help=_ADD_HELP)
@click.argument("text", required=False)
@click.option("--text-file", metavar=N_("FILE"), help=_TEXT_FILE_HELP)
@click.option("--encoding", metavar=N_("NAME"), help=_ENCODING_HELP)
@click.option("--photo", "photos", multiple=True, metavar=N_("FILE"),
              help=N_("A photo (JPEG, PNG, WEBP, HEIC). Repeat for several."))
@click.option("--video", metavar=N_("FILE"), help=N_("A short video (MP4 or MOV)."))
@click.option("--alt", "alts", multiple=True, metavar=N_("TEXT"),
              help=N_("A description of each photo for people who cannot see it, in order."))
@click.option("--to", "targets", metavar=N_("NETWORKS"),
              help=N_("Where to publish: facebook,instagram,x (default: your connected "
                      "accounts)."))
@click.option("--text-x", metavar=N_("TEXT"), help=N_("A different text for X."))
@click.option("--text-instagram", metavar=N_("TEXT"), help=N_("A different text for Instagram."))
@click.option("--text-facebook", metavar=N_("TEXT"), help=N_("A different text for Facebook."))
@click.option("--first-comment", metavar=N_("TEXT"),
              help=N_("A first comment (Instagram), e.g. hashtags."))
@click.option("--category", metavar=N_("NAME"),
              help=N_("A category of your choice, e.g. 'workshop'."))
@click.option("--at", "at", type=AT_TIME, metavar=N_("TIME"),
              help=N_('Publish at this time: "2026-12-24 10:00".'))
@click.option("--top", is_flag=True,
              help=N_("Put it first in the queue: it takes the next slot."))
@click.option("--thread", is_flag=True, help=N_("On X, split a long text into a thread."))
@click.option("--fit", type=click.Choice(["pad", "crop"]),
              help=N_("How photos are fitted to Instagram's shapes (default from settings)."))
@json_option
@click.pass_obj
def add(obj: Context, text: str | None, text_file: str | None, encoding: str | None,
        photos: tuple[str, ...], video: str | None, alts: tuple[str, ...],
        targets: str | None, text_x: str | None, text_instagram: str | None,
        text_facebook: str | None, first_comment: str | None, category: str | None,
        at: str | None, top: bool, thread: bool, fit: str | None, as_json: bool) -> None:
    # `costanza post add`: queues a story (its help is on the decorator).
    from costanza.services import posts as services

    source = _text_source(text, text_file, encoding, _(
        "Give the text once: either in quotes or with --text-file, not both."))
    app = obj.app
    result = services.add_post(
        app, text=source, photos=[Path(p) for p in photos],
        video=Path(video) if video else None, alts=list(alts), targets=targets,
        texts={"x": text_x, "instagram": text_instagram, "facebook": text_facebook},
        first_comment=first_comment, category=category, at=at, top=top, thread=thread,
        fit=fit)
    if as_json:
        echo_json(result)
        return
    _print_added(result)


def _print_added(result: dict[str, Any]) -> None:
    """What `post add` says: when the post goes out, where, and each network's verdict."""
    networks = ", ".join(result["targets"])
    if result["planned_local"]:
        click.echo(_("Added post {id}. It will go out {when} on {networks}.").format(
            id=result["id"], when=result["planned_local"], networks=networks))
    else:
        click.echo(_("Added post {id}. It will go out when a slot is free (set slots with "
                     "`costanza cadence set`) on {networks}.").format(
                         id=result["id"], networks=networks))
    for network, verdict in result["verdicts"].items():
        click.echo(f"  {network}: {_verdict_line(verdict)}")
    if result["x_cost_warning"]:
        click.echo(result["x_cost_warning"])


def _verdict_line(verdict: dict[str, Any]) -> str:
    if verdict["status"] == "ok":
        return _("ready as it is")
    if verdict["status"] == "fit":
        return _("will be adjusted automatically: {notes}").format(
            notes="; ".join(verdict["notes"]))
    return _("cannot go out: {problems}").format(problems="; ".join(verdict["problems"]))


@post.command("list", help=N_(
    """List the queue in order: when each post goes out, where, with what.

    Example:

    \b
        costanza post list --json
    """))
@click.option("--all", "show_all", is_flag=True, help=N_("Also list posts already sent out."))
@json_option
@click.pass_obj
def list_(obj: Context, show_all: bool, as_json: bool) -> None:
    # `costanza post list`.
    if not show_all:
        from costanza.services import views

        if as_json:
            echo_json(views.list_posts(obj.app))
            return
        lines = views.list_posts(obj.app, lines=True)
        click.echo("\n".join(lines) if lines else
                   _("The queue is empty. Add a story with `costanza post add \"...\"`."))
        _checking_lines(obj)
        return
    from costanza.services import posts as services

    rows = services.list_posts(obj.app, include_done=True)
    if as_json:
        echo_json(rows)
        return
    from costanza.formatting import post_lines

    click.echo("\n".join(line for row in rows for line in post_lines(
        row["id"], row["planned_local"] or row["state"], bool(row["pinned_at"]),
        row["targets"], row["excerpt"], row["media_summary"] or "", row["warnings"])))
    _checking_lines(obj)


def _checking_lines(obj: Context) -> None:
    """The posts sent with no clear answer yet, after the list (they left the queue)."""
    from costanza.services.checking import checking_for, checking_line

    items = checking_for(obj.app)
    if items:
        click.echo(_("Sent, not yet known whether they went out:"))
        for item in items:
            click.echo("  " + checking_line(item))


@post.command("show", help=N_(
    """Show one post: its text per network, media, plan and delivery history.

    Example:

    \b
        costanza post show 3
    """))
@click.argument("post_id", type=POST_ID)
@json_option
@click.pass_obj
def show(obj: Context, post_id: int, as_json: bool) -> None:
    # `costanza post show`.
    from costanza.services import posts as services

    data = services.show_post(obj.app, post_id)
    if as_json:
        echo_json(data)
        return
    click.echo(_("Post {id} ({state})").format(id=data["id"], state=state_words(data["state"])))
    when = data["planned_local"] or "-"
    click.echo(_("  goes out: {when}  (pinned)").format(when=when) if data["pinned_at"]
               else _("  goes out: {when}").format(when=when))
    click.echo(_("  networks: {networks}").format(networks=", ".join(data["targets"])))
    click.echo(_("  text: {text}").format(text=data["text"]))
    for network, text in data["texts"].items():
        click.echo(_("  text on {network}: {text}").format(network=network, text=text))
    if data["first_comment"]:
        click.echo(_("  first comment: {text}").format(text=data["first_comment"]))
    for item in data["media"]:
        alt = f' alt="{item["alt"]}"' if item["alt"] else ""
        kind = {"photo": _("photo"), "video": _("video")}.get(item["kind"], item["kind"])
        click.echo(f"  {kind}: {item['original_name']} {item['width']}x{item['height']} "
                   f"{item['format']}{alt}")
    for network, verdict in data["verdicts"].items():
        click.echo(f"  {network}: {_verdict_line(verdict)}")
    for delivery in data["deliveries"]:
        line = f"  {delivery['network']}: {state_words(delivery['state'])}"
        if delivery["permalink"]:
            line += f" {delivery['permalink']}"
        if delivery["reason"]:
            line += f" ({delivery['reason']})"
        click.echo(line)
        for attempt in delivery["attempts"]:
            click.echo(f"     {attempt['local_time']}  {attempt['action']} -> "
                       f"{attempt['outcome']}" + (f": {attempt['message']}"
                                                 if attempt["message"] else ""))


@post.command("edit", help=N_(
    """Change a post that is still waiting in the queue. With nothing to change
    given, your editor opens on its text.

    Example:

    \b
        costanza post edit 3 --text "The scarf, finished" --to facebook,x
        costanza post edit 3 --text-file storia.txt
    """))
@click.argument("post_id", type=POST_ID)
@click.option("--text", metavar=N_("TEXT"), help=N_("The new text (- reads it from a pipe)."))
@click.option("--text-file", metavar=N_("FILE"), help=_TEXT_FILE_HELP)
@click.option("--encoding", metavar=N_("NAME"), help=_ENCODING_HELP)
@click.option("--text-x", metavar=N_("TEXT"), help=N_("A different text for X ('' to drop it)."))
@click.option("--text-instagram", metavar=N_("TEXT"),
              help=N_("A different text for Instagram ('' to drop it)."))
@click.option("--text-facebook", metavar=N_("TEXT"),
              help=N_("A different text for Facebook ('' to drop it)."))
@click.option("--to", "targets", metavar=N_("NETWORKS"),
              help=N_("Where to publish: facebook,instagram,x."))
@click.option("--first-comment", metavar=N_("TEXT"),
              help=N_("The first comment ('' to drop it)."))
@click.option("--category", metavar=N_("NAME"), help=N_("The category ('' to drop it)."))
@click.option("--alt", "alts", multiple=True, metavar=N_("TEXT"),
              help=N_("New photo descriptions."))
@click.option("--at", "at", type=AT_TIME, metavar=N_("TIME"),
              help=N_('Pin it to a time: "2026-12-24 10:00".'))
@click.option("--unpin", is_flag=True, help=N_("Let it take its turn in the queue again."))
@click.option("--thread/--no-thread", default=None,
              help=N_("Split a long text into a thread on X."))
@click.option("--fit", type=click.Choice(["pad", "crop"]), help=N_("How photos fit Instagram."))
@click.pass_obj
def edit(obj: Context, post_id: int, **options: Any) -> None:
    # `costanza post edit`.
    from costanza.services import posts as services

    source = _text_source(options.pop("text"), options.pop("text_file"),
                          options.pop("encoding"), _(
                              "Give the text once: either with --text or with --text-file, "
                              "not both."))
    data = services.edit_post(obj.app, post_id, options, source)
    if not data["changed"]:
        click.echo(_("Nothing was changed: the text of post {id} is the same as "
                     "before.").format(id=post_id))
        return
    click.echo(_("Post {id} changed. It will go out {when}.").format(
        id=post_id, when=data["planned_local"] or "-"))
    if data["x_cost_warning"]:
        click.echo(data["x_cost_warning"])


@post.command("remove", help=N_(
    """Take a post out of the queue (what already went out stays online).

    Example:

    \b
        costanza post remove 3
    """))
@click.argument("post_id", type=POST_ID)
@click.pass_obj
def remove(obj: Context, post_id: int) -> None:
    # `costanza post remove`.
    from costanza.services import posts as services

    services.remove_post(obj.app, post_id)
    click.echo(_("Post {id} removed from the queue. The posts after it move up.").format(
        id=post_id))


@post.command("move", help=N_(
    """Move a post to another place in the queue.

    Example:

    \b
        costanza post move 7 --to 1
    """))
@click.argument("post_id", type=POST_ID)
@click.option("--to", "to", type=int, required=True, metavar="N",
              help=N_("New place in the queue: 1 is the next post to go out."))
@click.pass_obj
def move(obj: Context, post_id: int, to: int) -> None:
    # `costanza post move`.
    from costanza.services import posts as services

    data = services.move_post(obj.app, post_id, to)
    words = {"id": post_id, "position": data["position"], "when": data["planned_local"] or "-"}
    if data["last"]:
        click.echo(_("Post {id} is now last in the queue (number {position}) and goes out "
                     "{when}.").format(**words))
    else:
        click.echo(_("Post {id} is now number {position} in the queue and goes out "
                     "{when}.").format(**words))


@post.command("now", help=N_(
    """Publish a queued post as soon as possible (the daemon sends it within seconds).

    Example:

    \b
        costanza post now 3
    """))
@click.argument("post_id", type=POST_ID)
@click.pass_obj
def now(obj: Context, post_id: int) -> None:
    # `costanza post now`.
    from costanza.services import posts as services

    services.publish_now(obj.app, post_id)
    click.echo(_("Post {id} will go out within a few seconds, if the daemon is running "
                 "(`costanza status` tells).").format(id=post_id))
