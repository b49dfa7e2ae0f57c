"""The browser view: what was published, per network, with its images."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox.comments import comments_under
from costanza.demo.sandbox.messages import Reply, Request
from costanza.demo.sandbox.routes import Route
from costanza.demo.sandbox.timefmt import graph_time

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

TITLES = {"facebook": "Facebook Page", "instagram": "Instagram", "x": "X"}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;
background:#faf8f5}
h1{font-size:1.6rem} h2{border-bottom:2px solid #ddd;padding-bottom:.3rem}
.posts{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:1rem}
.post{background:#fff;border:1px solid #ddd;border-radius:.6rem;padding:1rem}
.post p{white-space:pre-wrap;margin:.4rem 0}
.meta{color:#666;font-size:.85rem}
.media img,.media video{max-width:100%;border-radius:.3rem;margin:.2rem 0}
.comment{border-left:3px solid #ccc;padding-left:.5rem;color:#444;font-size:.9rem;
margin:.3rem 0} .comment p{margin:.1rem 0} .replies{margin-left:1.2rem}
.mine{border-left-color:#c97b2a} .hidden{font-style:italic;opacity:.7}
.deleted{opacity:.5}
"""


def resolve(request: Request) -> Route | None:
    if request.method == "GET" and request.path.rstrip("/") in ("", "/_sandbox"):
        return Route(None, "page", render)
    return None


def _media_html(item: dict[str, Any]) -> str:
    src = f"/_sandbox/media/{escape(item['sha256'] or '')}"
    alt = escape(item.get("alt_text") or "")
    if item.get("kind") == "video":
        return f'<video src="{src}" controls preload="metadata"></video>'
    return f'<img src="{src}" alt="{alt}" loading="lazy">'


def _comment_html(comment: dict[str, Any], replies: dict[str | None, list[dict[str, Any]]],
                  depth: int = 0) -> str:
    author = comment["author"]
    css = "comment mine" if comment["by_account"] else "comment"
    marks = "".join(f" · {word}" for word, flag in (
        ("the account", comment["by_account"]), ("hidden", comment["hidden"]),
        ("deleted", comment["deleted"])) if flag)
    if comment["hidden"]:
        css += " hidden"
    if comment["deleted"]:
        css += " deleted"
    below = "".join(_comment_html(r, replies, depth + 1)
                    for r in replies.get(comment["id"], ())) if depth < 20 else ""
    return (f'<div class="{css}" id="comment-{escape(comment["id"])}">'
            f'<div class="meta">{escape(author.get("name") or "")} '
            f'@{escape(author.get("username") or "")} · '
            f'{escape(graph_time(comment["created_ts"]))}{marks} · id {escape(comment["id"])}'
            f'</div><p>{escape(comment["text"])}</p>'
            + (f'<div class="replies">{below}</div>' if below else "") + "</div>")


def _comments_html(app: Sandbox, post: dict[str, Any]) -> str:
    """The comments under a post, each with its replies below it (deleted ones shown faded)."""
    found = comments_under(app.state, post["network"], post["id"], with_deleted=True)
    ids = {c["id"] for c in found}
    replies: dict[str | None, list[dict[str, Any]]] = {}
    for comment in found:
        parent = comment["parent"] if comment["parent"] in ids else None
        replies.setdefault(parent, []).append(comment)
    return "".join(_comment_html(c, replies) for c in replies.get(None, ()))


def _post_html(app: Sandbox, post: dict[str, Any]) -> str:
    media = "".join(_media_html(m) for m in post["media"] if m.get("sha256"))
    comments = _comments_html(app, post)
    reply = f" · reply to {escape(post['reply_to'])}" if post.get("reply_to") else ""
    css = "post deleted" if post.get("deleted") else "post"
    anchor = escape(f"{post['network']}-{post['id']}")
    return (f'<div class="{css}" id="{anchor}"><div class="meta">{escape(post["account"])} · '
            f'{escape(post["created_time"])}{reply}</div>'
            f'<p>{escape(post["text"] or "")}</p><div class="media">{media}</div>{comments}'
            f'<div class="meta">id {escape(post["id"])} · '
            f'<a href="{escape(post["permalink"])}">permalink</a></div></div>')


def _accounts_html(app: Sandbox) -> str:
    rows = []
    for name, account in app.state["accounts"].items():
        rows.append(f"<li><b>{escape(name)}</b>: X @{escape(account['x']['username'])} "
                    f"(user {escape(account['x']['user_id'])}) · Facebook Page "
                    f"{escape(account['facebook']['page_id'])} · Instagram "
                    f"{escape(account['instagram']['ig_user_id'])}</li>")
    if not rows:
        return ("<p class=meta>No accounts yet: <code>POST /_sandbox/accounts</code> makes "
                "one.</p>")
    return "<ul class=meta>" + "".join(rows) + "</ul>"


def render(app: Sandbox, request: Request) -> Reply:
    with app.state.lock:
        posts = sorted(app.state["posts"].values(), key=lambda p: p["created_ts"],
                       reverse=True)
        sections = []
        for network, title in TITLES.items():
            items = [p for p in posts if p["network"] == network]
            body = "".join(_post_html(app, p) for p in items) or "<p>Nothing published yet.</p>"
            sections.append(f"<h2>{title} ({len(items)})</h2><div class=posts>{body}</div>")
    html = ("<!doctype html><html lang=en><meta charset=utf-8>"
            "<meta http-equiv=refresh content=10>"
            f"<title>Costanza sandbox</title><style>{STYLE}</style>"
            "<h1>Costanza sandbox: what was published, and what people wrote</h1>"
            "<p class=meta>A local stand-in for Facebook, Instagram and X. This page "
            "refreshes every 10 seconds.</p><h2>Accounts</h2>" + _accounts_html(app)
            + "".join(sections))
    return Reply(200, html, content_type="text/html; charset=utf-8")
