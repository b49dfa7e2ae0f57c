"""`costanza comments` (what people wrote under your posts), `comments read`, `comments
hide`, and `costanza reply`."""

from __future__ import annotations

import sys
from typing import Any

import click

from config.i18n import N_, _, ngettext
from costanza.cli.log import NETWORK_CHOICE
from costanza.cli.main import Context
from costanza.cli.output import echo_json, json_option
from costanza.cli.params import COMMENT_ID, POST_ID
from costanza.comment_lines import post_lines
from costanza.formatting import words_for

EPILOG = N_('More in the README, section "Comments and replies".')
NOTHING_SENT = N_("Nothing was sent")  # what a refused piped answer starts with

def _print_post(post: dict[str, Any]) -> None:
    for line in post_lines(post):
        click.echo(line)


def _how_they_arrive(looking: dict[str, Any]) -> str:
    if not looking["max_age_days"]:
        return _("Costanza does not look for comments now: `[comments] max_age_days` is 0 "
                 "in the settings.")
    return ngettext(
        "The daemon (`costanza daemon`) looks for new ones every {minutes} minutes under "
        "the posts it published in the last {days} day.",
        "The daemon (`costanza daemon`) looks for new ones every {minutes} minutes under "
        "the posts it published in the last {days} days.", looking["max_age_days"]).format(
        minutes=looking["every_minutes"], days=looking["max_age_days"])


def problem_lines(problems: list[dict[str, Any]]) -> list[str]:
    """The fetch problems (a lost permission...), one line each (status shows them too)."""
    from posts.networks import network_label

    return [ngettext("Comments on {network} cannot be read ({posts} post): {problem}",
                     "Comments on {network} cannot be read ({posts} posts): {problem}",
                     p["posts"]).format(network=network_label(p["network"]), posts=p["posts"],
                                        problem=p["problem"]) for p in problems]


def _print_listing(data: dict[str, Any]) -> None:
    waiting = data["waiting"]["total"]
    if not data["posts"]:
        click.echo(_("No comment waits for an answer.") if not data["all"] and waiting == 0
                   else _("No comments for this choice."))
        click.echo(_how_they_arrive(data["looking"]))
    else:
        for post in data["posts"]:
            _print_post(post)
        if waiting:
            click.echo(ngettext("{n} comment waits for an answer.",
                                "{n} comments wait for an answer.", waiting).format(n=waiting))
        click.echo(_('To answer one: `costanza reply ID "..."` (ID is the number in brackets). '
                     "To mark it read without answering: `costanza comments read ID`."))
    for line in problem_lines(data["problems"]):
        click.echo(line)


@click.group(invoke_without_command=True, epilog=EPILOG, help=N_("""What people wrote under your
    posts, and the answers.

    Without options: the comments that wait for an answer, grouped by post, the oldest
    first. The number in brackets is what `costanza reply` and `comments read` take.
    With --all also those read, answered, hidden or deleted, each marked.

    Example:

    \b
        costanza comments
        costanza comments --all --network instagram
    """))
@click.option("--all", "everything", is_flag=True,
              help=N_("Also the comments read, answered, hidden or deleted."))
@click.option("--post", "post_id", type=POST_ID, metavar=N_("ID"),
              help=N_("Only the comments under this post."))
@click.option("--network", type=NETWORK_CHOICE, help=N_("Only this network."))
@json_option
@click.pass_context
def comments(ctx: click.Context, everything: bool, post_id: int | None, network: str | None,
             as_json: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    from costanza.services.comments import list_comments

    obj: Context = ctx.obj
    with words_for(as_json):
        data = list_comments(obj.app, everything=everything, post_id=post_id,
                             network=network.lower() if network else None)
        if as_json:
            echo_json(data)
            return
    _print_listing(data)


@comments.command("read", epilog=EPILOG, help=N_("""Mark comments read: they no longer wait for
    an answer (the list shows them again with --all).

    Example:

    \b
        costanza comments read 12 13
    """))
@click.argument("ids", nargs=-1, required=True, type=COMMENT_ID, metavar=N_("ID..."))
@json_option
@click.pass_obj
def read(obj: Context, ids: tuple[int, ...], as_json: bool) -> None:
    from costanza.services.comments import mark_read

    result = mark_read(obj.app, list(ids))
    if as_json:
        echo_json(result)
        return
    n = len(result["ids"])
    click.echo(ngettext("Marked {n} comment read.", "Marked {n} comments read.", n).format(n=n))


def _print_fetched(data: dict[str, Any]) -> None:
    from posts.networks import network_label

    if not data["enabled"]:
        click.echo(data["message"])
        return
    for row in data["networks"]:
        click.echo(ngettext("{network}: {posts} post read", "{network}: {posts} posts read",
                            row["looked"]).format(network=network_label(row["network"]),
                                                  posts=row["looked"])
                   + ", " + ngettext("{n} new comment", "{n} new comments",
                                     row["new"]).format(n=row["new"])
                   + ", " + _("{changed} changed, {deleted} deleted from the network.").format(
            changed=row["changed"], deleted=row["deleted"]))
    groups: dict[tuple[str, str], list[int]] = {}
    for skip in data["skipped"]:
        groups.setdefault((skip["network"], skip["message"]), []).append(skip["post_id"])
    for (network, words), posts in groups.items():
        click.echo(ngettext("Not read now, post {numbers} on {network}: {why}",
                            "Not read now, posts {numbers} on {network}: {why}",
                            len(posts)).format(numbers=", ".join(map(str, sorted(posts))),
                                               network=network_label(network), why=words))
    for problem in data["problems"]:
        click.echo(_("Could not read: {problem}").format(problem=problem))
    click.echo(data["message"])


@comments.command("fetch", epilog=EPILOG, help=N_("""Look for new comments now, without waiting
    for the daemon: under every post Costanza published (in the last `[comments]
    max_age_days`), with the daemon's rules, and say what it found on each network.

    Posts whose account needs attention, is about to publish, or was asked by the network
    to wait are left for later, and the reason is said. On X each post read costs (see
    `costanza costs`).

    Example:

    \b
        costanza comments fetch
    """))
@json_option
@click.pass_obj
def fetch(obj: Context, as_json: bool) -> None:
    from costanza.services.comments_fetch import fetch_now

    with words_for(as_json):
        data = fetch_now(obj.app)
        if as_json:
            echo_json(data)
            return
    _print_fetched(data)


@comments.command("hide", epilog=EPILOG, help=N_("""Hide a comment on Facebook or Instagram: others
    no longer see it (its author still does). Costanza does not hide answers on X: hide
    them in X's own app.

    Example:

    \b
        costanza comments hide 12
    """))
@click.argument("comment_id", type=COMMENT_ID, metavar=N_("ID"))
@json_option
@click.pass_obj
def hide(obj: Context, comment_id: int, as_json: bool) -> None:
    from costanza.services.comments import hide as hide_comment

    result = hide_comment(obj.app, comment_id)
    if as_json:
        echo_json(result)
        return
    click.echo(result["message"])


@click.command(epilog=EPILOG, help=N_("""Answer a comment. COMMENT_ID is the number in brackets
    that `costanza comments` shows; the answer goes out at once, under the comment, on its
    network. With - as TEXT the answer is read from a pipe.

    If the network is busy or its answer is unclear, the answer is saved and the daemon
    checks and sends it once: it never goes out twice. On X an answer is a post, and costs
    like one.

    Example:

    \b
        costanza reply 12 "Grazie! Il telaio è del 1920."
    """))
@click.argument("comment_id", type=COMMENT_ID, metavar=N_("COMMENT_ID"))
@click.argument("text", metavar=N_("TEXT"))
@json_option
@click.pass_obj
def reply(obj: Context, comment_id: int, text: str, as_json: bool) -> None:
    from costanza import text_input
    from costanza.services.comments import reply as send_reply

    if text == text_input.PIPE:
        if sys.stdin.isatty():
            click.echo(_("Type or paste the answer, then press Ctrl-D on a new line:"), err=True)
        text = text_input.read(text_input.TextSource(
            given=text, stdin=getattr(sys.stdin, "buffer", None)), NOTHING_SENT) or ""
    with words_for(as_json):
        result = send_reply(obj.app, comment_id, text)
    if as_json:
        echo_json(result)
    else:
        if result["x_cost_warning"]:
            click.echo(result["x_cost_warning"])
        click.echo(result["message"], err=result["result"] == "failed")
    if result["result"] == "failed":
        sys.stdout.flush()
        raise click.exceptions.Exit(1)
