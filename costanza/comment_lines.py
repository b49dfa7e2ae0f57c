"""A post's comments as `costanza comments` prints them (the demo shows them the same
way): no click here, only the lines."""

from __future__ import annotations

from typing import Any

from config.i18n import N_, _

# How a comment listed with --all is marked (a waiting one has no mark of its own).
_MARKS = {"mine": N_("your answer"), "read": N_("read"), "answered": N_("answered"),
          "hidden": N_("hidden"), "deleted": N_("deleted from the network")}
_REPLY_MARKS = {"queued": N_("your answer is on its way"),
                "sending": N_("your answer is on its way"),
                "unknown": N_("your answer is on its way"),
                "failed": N_("your answer could not go out")}


def _author(row: dict[str, Any]) -> str:
    if row["mine"]:
        return _("you")
    name, handle = row["author_name"], row["author_handle"]
    if name and handle and name != handle:
        return f"{name} (@{handle})"
    if handle:
        return f"@{handle}"
    return name or _("someone")


def _marks(row: dict[str, Any]) -> list[str]:
    marks = [_(_MARKS[row["state"]])] if row["state"] in _MARKS else []
    if not row["mine"] and row["reply_state"] in _REPLY_MARKS:
        marks.append(_(_REPLY_MARKS[row["reply_state"]]))
    if row["in_reply_to"] is not None:
        marks.append(_("answering comment {id}").format(id=row["in_reply_to"]))
    return marks


def comment_lines(row: dict[str, Any]) -> list[str]:
    """One comment of the listing (``services.comments.list_comments``): who, when, the
    marks, then its text, indented by its depth in the thread."""
    pad = "  " + "    " * row["depth"]
    marks = _marks(row)
    tail = f"  ({'; '.join(marks)})" if marks else ""
    lines = [f"{pad}[{row['id']}] {_author(row)}, {row['written_local']}{tail}"]
    lines.extend(f"{pad}     {line}" for line in (row["text"] or _("(no text)")).split("\n"))
    return lines


def post_lines(post: dict[str, Any]) -> list[str]:
    """One post of the listing with its comments, and a blank line after."""
    from posts.networks import network_label

    lines = [_('Post {number} on {network}, published {when}: "{excerpt}"').format(
        number=post["post_id"], network=network_label(post["network"]),
        when=post["published_local"], excerpt=post["excerpt"])]
    if post["permalink"]:
        lines.append(f"  {post['permalink']}")
    for row in post["comments"]:
        lines.extend(comment_lines(row))
    lines.append("")
    return lines
