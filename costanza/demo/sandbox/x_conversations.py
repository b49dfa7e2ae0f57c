"""X conversations: the audience's replies under the account's posts, and the account's
answers to them (routed from ``x_api``).

On X a comment is a tweet replying to a post (or to another reply) in the post's
conversation. The audience's replies are the records of ``state["comments"]`` (network
"x", see ``comments.py``), written by their ``author``; the account's answers are posts
of the account *and* records there (``by_account``), so a search finds them both.

- ``GET /2/tweets/search/recent?query=conversation_id:ID``: the conversation's tweets of
  the last 7 days (sandbox time), newest first, deleted ones left out; ``max_results``
  10..100, ``next_token`` / ``pagination_token``, ``since_id``, ``start_time``,
  ``tweet.fields`` (or the spec's ``post.fields``), ``expansions=author_id``,
  ``user.fields``. Only the ``conversation_id:`` operator is understood: any other query
  is a 400. Its own rate limit: ``x_search_per_window`` calls (450, as X allows an app
  for search/recent) per 15 minutes per app (consumer key or bearer token).
- ``PUT /2/tweets/{id}/hidden`` ``{"hidden": true|false}``: the conversation's owner
  hides (or shows again) a reply in it (``{"data": {"hidden": ...}}``).

Choices the references leave open: the search lists the conversation's replies, the
later parts of a thread included (a client tells them apart) but not the post that
started it (as X's search is reported to do), and hidden replies too (X keeps them
readable behind a link); the account may answer any reply in its own conversation (the
audience engaged it), while a reply to one of its own tweets stays under
``x_self_replies_allowed``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import x_errors
from costanza.demo.sandbox.comments import add_comment
from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.oauth1 import OAuthError, parse_header
from costanza.demo.sandbox.timefmt import parse_iso, x_time
from costanza.demo.sandbox.x_auth import Caller, authenticate
from costanza.demo.sandbox.x_limits import WINDOW_HEADERS, WINDOW_SECS, limit_headers, window

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox
    from costanza.demo.sandbox.state import SandboxState

RECENT_SECS = 7 * 24 * 3600
QUERY = re.compile(r"^\s*conversation_id:(\d{1,19})\s*$")
TWEET_FIELDS = {"created_at", "author_id", "conversation_id", "in_reply_to_user_id",
                "referenced_tweets", "attachments", "edit_history_tweet_ids", "id", "text",
                "public_metrics", "lang", "possibly_sensitive", "reply_settings", "source",
                "entities", "note_tweet", "edit_controls"}
USER_FIELDS = {"id", "name", "username", "created_at", "description", "location",
               "profile_image_url", "protected", "public_metrics", "url", "verified",
               "verified_type"}
EXPANSIONS = {"author_id", "in_reply_to_user_id", "referenced_tweets.id",
              "attachments.media_keys", "entities.mentions.username"}
NOT_VISIBLE = "You attempted to reply to a Tweet that is deleted or not visible to you."
NOT_ALLOWED = ("Reply to this conversation is not allowed because you have not been "
               "mentioned or otherwise engaged by the author of the post you are replying to.")


# -- what a comment is, as a tweet --------------------------------------------------


def comment_of(state: SandboxState, tweet_id: str) -> dict[str, Any] | None:
    """The live X comment with this id, or None."""
    record = state["comments"].get(str(tweet_id))
    if record is None or record["network"] != "x" or record["deleted"]:
        return None
    return record


def conversation_of(state: SandboxState, record: dict[str, Any]) -> str:
    post = state["posts"].get(f"x:{record['post']}") or {}
    return str(post.get("conversation_id") or record["post"])


def author_of(state: SandboxState, tweet_id: str | None) -> dict[str, str] | None:
    """``{"id", "name", "username"}`` of a tweet's author (a post's or a comment's)."""
    if not tweet_id:
        return None
    post = state["posts"].get(f"x:{tweet_id}")
    if post is not None:
        account = state["accounts"].get(post["account"]) or {}
        return {"id": str(post["account_id"]), "name": account.get("name", ""),
                "username": (account.get("x") or {}).get("username", "")}
    record = state["comments"].get(str(tweet_id))
    return dict(record["author"]) if record else None


def comment_json(state: SandboxState, record: dict[str, Any], fields: set[str]
                 ) -> dict[str, Any]:
    """A comment as X shows a tweet (the fields asked for, as ``x_api`` shows posts)."""
    replied = record["parent"] or record["post"]
    data: dict[str, Any] = {"id": record["id"], "text": record["text"],
                            "edit_history_tweet_ids": [record["id"]]}
    if "created_at" in fields:
        data["created_at"] = x_time(record["created_ts"])
    if "author_id" in fields:
        data["author_id"] = record["author"]["id"]
    if "conversation_id" in fields:
        data["conversation_id"] = conversation_of(state, record)
    parent_author = author_of(state, replied)
    if "in_reply_to_user_id" in fields and parent_author:
        data["in_reply_to_user_id"] = parent_author["id"]
    if "referenced_tweets" in fields:
        data["referenced_tweets"] = [{"type": "replied_to", "id": replied}]
    return data


def tweet_json(state: SandboxState, post: dict[str, Any], fields: set[str]
               ) -> dict[str, Any]:
    """One of the sandbox's posts as X shows a tweet, with the fields asked for."""
    data: dict[str, Any] = {"id": post["id"], "text": post["text"],
                            "edit_history_tweet_ids": [post["id"]]}
    if "created_at" in fields:
        data["created_at"] = post["created_time"]
    if "author_id" in fields:
        data["author_id"] = post["account_id"]
    if "conversation_id" in fields:
        data["conversation_id"] = post.get("conversation_id", post["id"])
    if post.get("reply_to"):
        parent = author_of(state, post["reply_to"])
        if "in_reply_to_user_id" in fields and parent:
            data["in_reply_to_user_id"] = parent["id"]
        if "referenced_tweets" in fields:
            data["referenced_tweets"] = [{"type": "replied_to", "id": post["reply_to"]}]
    if "attachments" in fields and post["media"]:
        data["attachments"] = {"media_keys": [m["media_key"] for m in post["media"]]}
    if "public_metrics" in fields:
        data["public_metrics"] = {"retweet_count": 0, "reply_count": 0, "like_count": 0,
                                  "quote_count": 0, "bookmark_count": 0,
                                  "impression_count": 0}
    return data


def fields_of(request: Request) -> set[str]:
    """The tweet fields asked for (``tweet.fields``, or the spec's ``post.fields``)."""
    fields = _list(request.query, "tweet.fields") | _list(request.query, "post.fields")
    unknown = fields - TWEET_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise x_errors.invalid(f"The `tweet.fields` query parameter value [{name}] is not one "
                               f"of {sorted(TWEET_FIELDS)}", "tweet.fields", name)
    return fields


# -- the account answering: POST /2/tweets with a reply ------------------------------


def reply_parent(state: SandboxState, caller: Caller, reply_to: str) -> dict[str, Any]:
    """What a new tweet replies to: ``{"post": the parent post or None, "comment": the
    comment answered or None, "conversation_id"}``; raises X's 403 when it may not."""
    post = state["posts"].get(f"x:{reply_to}")
    comment = comment_of(state, reply_to)
    if post is not None and post.get("deleted"):
        post = None
    if post is None and comment is None:
        raise x_errors.forbidden(NOT_VISIBLE)
    if post is not None:  # one of a user's own tweets (a thread's part, an answer)
        if post["account"] != caller.account or not state.settings["x_self_replies_allowed"]:
            raise x_errors.forbidden(NOT_ALLOWED)
        conversation = post.get("conversation_id", post["id"])
    else:  # the audience's reply: the account may answer it in its own conversation
        assert comment is not None
        root = state["posts"].get(f"x:{comment['post']}")
        if root is None or root["account"] != caller.account:
            raise x_errors.forbidden(NOT_ALLOWED)
        conversation = conversation_of(state, comment)
    return {"post": post, "comment": comment, "conversation_id": conversation}


def record_answer(state: SandboxState, caller: Caller, parent: dict[str, Any],
                  tweet_id: str, text: str) -> None:
    """The account's new tweet is a comment too when it answers one (the caller holds
    ``state.change()``)."""
    comment = parent["comment"]
    if comment is None:
        return
    account = state["accounts"][caller.account]
    author = {"id": str(caller.user_id), "name": account.get("name", ""),
              "username": account["x"]["username"]}
    add_comment(state, "x", comment["post"], text, author=author, by_account=True,
                parent=comment["id"], comment_id=tweet_id)


# -- GET /2/tweets/search/recent -----------------------------------------------------


def search_recent(app: Sandbox, request: Request) -> Reply:
    authenticate(app.state, request, user_context=False)
    state = app.state
    with state.change():
        headers = _take_search_limit(state, request)
    try:
        body = _search(app, request)
    except ApiError as exc:
        exc.reply.headers.update(headers)
        raise
    return Reply(200, body, headers)


def page_of(items: list[dict[str, Any]], max_results: int, token: Callable[[str], str]
            ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The first ``max_results`` of ``items`` (newest first) and X's ``meta`` for them:
    ``result_count``, ``newest_id``, ``oldest_id`` and, when more follow, ``next_token``
    (``token`` of the last id shown)."""
    page, rest = items[:max_results], items[max_results:]
    meta: dict[str, Any] = {"result_count": len(page)}
    if page:
        meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
    if rest:
        meta["next_token"] = token(page[-1]["id"])
    return page, meta


def _search(app: Sandbox, request: Request) -> dict[str, Any]:
    state, query = app.state, request.query
    match = QUERY.match(query.get("query", ""))
    if not match:
        raise x_errors.invalid(
            "The sandbox understands only `conversation_id:ID` in the `query` parameter "
            f"[{query.get('query', '')}]", "query", query.get("query", ""))
    fields = fields_of(request)
    expansions, user_fields = _list(query, "expansions"), _list(query, "user.fields")
    _check(expansions, EXPANSIONS, "expansions")
    _check(user_fields, USER_FIELDS, "user.fields")
    max_results = _max_results(query.get("max_results", "10"))
    tweets = _filtered(state, match.group(1), query)
    page, meta = page_of(tweets, max_results, _token)
    body: dict[str, Any] = {"meta": meta}
    if not page:
        return body
    body["data"] = [comment_json(state, t["comment"], fields) if t["comment"]
                    else tweet_json(state, t["post"], fields) for t in page]
    if "author_id" in expansions:
        users: dict[str, dict[str, str]] = {}
        for item in page:
            who = author_of(state, item["id"])
            if who:
                users.setdefault(who["id"], who)
        body["includes"] = {"users": list(users.values())}
    return body


def _filtered(state: SandboxState, conversation: str, query: dict[str, str]
              ) -> list[dict[str, Any]]:
    """The conversation's live tweets of the last 7 days, after ``since_id``,
    ``start_time`` and the page token, newest first."""
    now = state.now()
    oldest = now - RECENT_SECS
    start = query.get("start_time")
    if start is not None:
        moment = parse_iso(start)
        if moment is None or moment < oldest:
            raise x_errors.invalid(
                f"Invalid 'start_time':'{start}'. 'start_time' must be on or after "
                f"{x_time(oldest)}", "start_time", start)
        oldest = moment
    found: dict[str, dict[str, Any]] = {}
    for record in state["comments"].values():
        if (record["network"] == "x" and not record["deleted"]
                and conversation_of(state, record) == conversation):
            found[record["id"]] = {"id": record["id"], "ts": record["created_ts"],
                                   "comment": record, "post": None}
    for post in state["posts"].values():
        if (post["network"] == "x" and not post.get("deleted") and post["id"] not in found
                and post["id"] != conversation
                and str(post.get("conversation_id", post["id"])) == conversation):
            found[post["id"]] = {"id": post["id"], "ts": post["created_ts"],
                                 "comment": None, "post": post}
    tweets = [t for t in found.values() if oldest <= t["ts"] <= now]
    since = _id_param(query, "since_id")
    before = _untoken(query.get("next_token") or query.get("pagination_token"))
    tweets = [t for t in tweets if (since is None or int(t["id"]) > since)
              and (before is None or int(t["id"]) < before)]
    return sorted(tweets, key=lambda t: int(t["id"]), reverse=True)


def _list(query: dict[str, str], name: str) -> set[str]:
    return {item for item in query.get(name, "").split(",") if item}


def _check(values: set[str], allowed: set[str], name: str) -> None:
    unknown = sorted(values - allowed)
    if unknown:
        raise x_errors.invalid(f"The `{name}` query parameter value [{unknown[0]}] is not one "
                               f"of {sorted(allowed)}", name, unknown[0])


def _max_results(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 10 <= value <= 100:
        raise x_errors.invalid(f"The `max_results` query parameter value [{raw}] is not "
                               "between 10 and 100", "max_results", raw)
    return value


def _id_param(query: dict[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not re.fullmatch(r"\d{1,19}", raw):
        raise x_errors.invalid(f"The `{name}` query parameter value [{raw}] is not a tweet id",
                               name, raw)
    return int(raw)


def _token(tweet_id: str) -> str:
    """A base32hex page token (as the spec describes X's) naming the last id shown."""
    return base64.b32hexencode(tweet_id.encode()).decode().rstrip("=").lower()


def _untoken(token: str | None) -> int | None:
    if not token:
        return None
    padded = token.upper() + "=" * (-len(token) % 8)
    try:
        return int(base64.b32hexdecode(padded).decode())
    except (ValueError, binascii.Error) as exc:
        raise x_errors.invalid("The `next_token` query parameter value is invalid",
                               "next_token", token) from exc


def _app_of(request: Request) -> str:
    """The app a call counts against: its consumer key (OAuth 1.0a) or bearer token."""
    header = request.headers.get("Authorization") or ""
    if header.lower().startswith("oauth "):
        try:
            return parse_header(header).get("oauth_consumer_key") or ""
        except OAuthError:
            return ""
    return header.split(None, 1)[1].strip() if " " in header else ""


def _take_search_limit(state: SandboxState, request: Request) -> dict[str, str]:
    """Count one search call in the app's 15-minute window; 429 once it is spent."""
    now, limit = state.now(), int(state.settings["x_search_per_window"])
    key = f"x:search:window:{_app_of(request)}"
    counter, reset = window(state, key, WINDOW_SECS, now)
    if counter["count"] >= limit:
        raise x_errors.too_many_requests(reset, limit)
    counter["count"] += 1
    return limit_headers(WINDOW_HEADERS, limit, limit - counter["count"], reset)


# -- PUT /2/tweets/{id}/hidden --------------------------------------------------------


def hide_reply(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    body = request.json
    if (request.json_error or not isinstance(body, dict) or set(body) != {"hidden"}
            or not isinstance(body["hidden"], bool)):
        raise x_errors.invalid("The body must be a JSON object with one boolean `hidden`.",
                               "hidden")
    state, tweet_id = app.state, request.args["id"]
    with state.change():
        record = comment_of(state, tweet_id)
        if record is None:
            raise x_errors.not_found(f"Could not find tweet with id: [{tweet_id}].", "tweet",
                                     tweet_id, "id")
        root = state["posts"].get(f"x:{record['post']}") or {}
        if root.get("account") != caller.account:
            raise x_errors.forbidden("You can only hide replies to conversations you started.")
        if record["by_account"]:
            raise x_errors.forbidden("You cannot hide your own replies.")
        record["hidden"] = body["hidden"]
    return Reply(200, {"data": {"hidden": body["hidden"]}})
