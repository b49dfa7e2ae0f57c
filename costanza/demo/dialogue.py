"""The demo's last act: a customer comments under a post, Costanza reads it and the
artisan answers, once.

Giulia Rossi writes under the long story on Facebook through the sandbox's control API
(``POST /_sandbox/comments``), as anyone on the network would; then the same services
as `costanza comments fetch`, `costanza comments` and `costanza reply` do their part,
and the sandbox's own record shows the answer under her comment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.i18n import _, ngettext

CUSTOMER = "Giulia Rossi"
QUESTION = "Che bello! Quanto costa la sciarpa?"
ANSWER = "Grazie Giulia! Costa 85 euro, te la spedisco in tutta Italia."


def run_dialogue(app: Any, base_url: str, post_id: int,
                 say: Callable[[str], None]) -> dict[str, Any]:
    """The comment and its answer under ``post_id`` on Facebook; what happened: the
    comment's id on the network, the answer's result, and how many times the answer is
    under the comment in the sandbox (1)."""
    from costanza.comment_lines import post_lines
    from costanza.demo.sandbox.control import SandboxClient
    from costanza.services.comments import list_comments, reply
    from costanza.services.comments_fetch import fetch_now

    remote_id = _facebook_id(app, post_id)
    sandbox = SandboxClient(base_url)
    say("")
    say(_("{customer} writes under post {number} on Facebook: \"{text}\"").format(
        customer=CUSTOMER, number=post_id, text=QUESTION))
    written = sandbox.add_comment("facebook", remote_id, QUESTION, author=CUSTOMER)
    fetched = fetch_now(app)
    on_facebook = sum(r["new"] for r in fetched["networks"] if r["network"] == "facebook")
    say(_("Costanza looks for new comments (`costanza comments fetch`): {n} new on "
          "Facebook.").format(n=on_facebook))
    listing = list_comments(app, post_id=post_id, network="facebook")
    say(_("What `costanza comments` shows:"))
    for post in listing["posts"]:
        for line in post_lines(post):
            say("  " + line if line else line)
    mine = next(c for p in listing["posts"] for c in p["comments"]
                if c["author_name"] == CUSTOMER)
    say(_("The answer (`costanza reply {id} \"...\"`): \"{text}\"").format(
        id=mine["id"], text=ANSWER))
    said = reply(app, mine["id"], ANSWER)
    say("  " + said["message"])
    under = [c for c in sandbox.comments("facebook", post=remote_id)
             if c["by_account"] and c["parent"] == written["id"] and c["text"] == ANSWER]
    say(ngettext("In the sandbox, under {customer}'s comment: your answer, {n} time.",
                 "In the sandbox, under {customer}'s comment: your answer, {n} times.",
                 len(under)).format(customer=CUSTOMER, n=len(under)))
    return {"comment": written["id"], "comment_id": mine["id"], "result": said["result"],
            "answers": len(under)}


def _facebook_id(app: Any, post_id: int) -> str:
    from sqlalchemy import select

    from posts.models import Delivery

    with app.store.read() as db:
        remote_id = db.scalar(select(Delivery.remote_id).where(
            Delivery.post_id == post_id, Delivery.network == "facebook",
            Delivery.state == "published"))
    if remote_id is None:
        from config.errors import CostanzaError

        raise CostanzaError(_("Post {number} is not on Facebook: the demo cannot show a "
                              "comment under it.").format(number=post_id))
    return str(remote_id)
