"""X API v2: posts (tweets), the signed-in user and a user's recent posts.

Strictness, as on X: bodies are checked against the OpenAPI schema; text is
at most 280 weighted characters (``twitter_text``); identical text from the
same user is refused with the duplicate-content 403; media ids must exist,
be processed, belong to the poster and not be expired; a reply needs an
existing post (and, when ``x_self_replies_allowed`` is off, is refused as
under X's 2026 reply restriction; the audience's replies, and the account's answers to
them, are in ``x_conversations``); POST /2/tweets is rate limited per user
(15-minute window and 24 hours) with the ``x-rate-limit-*`` headers.

Where the references leave a choice open, the sandbox picks one and says so:
a post over 280 weighted characters gets 403 Forbidden with "Tweet needs to
be a bit shorter" (the deployed status is unverified); a reply to one's own
post is allowed unless ``x_self_replies_allowed`` is false (unverified on X).
"""

from __future__ import annotations

import binascii
import unicodedata
from typing import TYPE_CHECKING, Any

from costanza.demo.sandbox import x_conversations, x_errors, x_media, x_oauth
from costanza.demo.sandbox.messages import ApiError, Reply, Request
from costanza.demo.sandbox.routes import Route
from costanza.demo.sandbox.schema import SchemaError, validate
from costanza.demo.sandbox.timefmt import parse_iso, x_time
from costanza.demo.sandbox.x_auth import Caller, authenticate
from costanza.demo.sandbox.x_conversations import fields_of as _fields
from costanza.demo.sandbox.x_conversations import page_of, tweet_json
from costanza.demo.sandbox.x_limits import (
    DAY_HEADERS,
    DAY_SECS,
    WINDOW_HEADERS,
    WINDOW_SECS,
    limit_headers,
    window,
)
from posts.x_weight import weight

if TYPE_CHECKING:
    from costanza.demo.sandbox.routes import Sandbox

DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


def resolve(request: Request) -> Route | None:
    parts = [p for p in request.path.split("/") if p]
    method = request.method
    if parts[:1] == ["oauth"]:
        return x_oauth.resolve(request)
    if parts[:1] == ["1.1"]:
        return Route("x", "v1", legacy_v1)
    if parts[:1] != ["2"]:
        return None
    rest = parts[1:]
    if rest == ["tweets"] and method == "POST":
        return Route("x", "tweets", create_tweet)
    if rest == ["tweets", "search", "recent"] and method == "GET":
        return Route("x", "search_recent", x_conversations.search_recent)
    if len(rest) == 3 and rest[0] == "tweets" and rest[2] == "hidden" and method == "PUT":
        return Route("x", "hide_reply", x_conversations.hide_reply, {"id": rest[1]})
    if len(rest) == 2 and rest[0] == "tweets" and method in ("GET", "DELETE"):
        handler = get_tweet if method == "GET" else delete_tweet
        return Route("x", "tweet", handler, {"id": rest[1]})
    if rest == ["oauth2", "token"] and method == "POST":
        return Route("x", "oauth2_token", x_oauth.oauth2_token)
    if rest == ["users", "me"] and method == "GET":
        return Route("x", "users_me", users_me)
    if len(rest) == 3 and rest[0] == "users" and rest[2] == "tweets" and method == "GET":
        return Route("x", "user_tweets", user_tweets, {"id": rest[1]})
    return x_media.resolve(rest, method)


def legacy_v1(app: Sandbox, request: Request) -> Reply:
    """v1.1 (media/upload.json and the rest) is closed to self-serve tiers."""
    authenticate(app.state, request, user_context=False)
    raise ApiError(Reply(403, {"errors": [{
        "message": "You currently have access to a subset of X API V2 endpoints only. If you "
                   "need access to this endpoint, you may need a different access level.",
        "code": 453}]}))


# -- POST /2/tweets -------------------------------------------------------


def create_tweet(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    body = request.json
    if request.json_error or not isinstance(body, dict):
        raise x_errors.invalid("Request body must be a JSON object.")
    try:
        validate(body, "CreatePostsRequest")
    except SchemaError as exc:
        raise x_errors.invalid(exc.message, exc.parameter) from exc
    text = unicodedata.normalize("NFC", body.get("text", ""))
    media_ids = (body.get("media") or {}).get("media_ids") or []
    if not text.strip() and not media_ids:
        raise x_errors.invalid("Post text or media is required.", "text", "")
    if text and weight(text) > 280:
        raise x_errors.forbidden("Tweet needs to be a bit shorter. Your Tweet text is longer "
                                 "than 280 weighted characters.")
    state = app.state
    with state.change():
        headers = _take_rate_limit(app, caller)
        media = x_media.claim_for_post(app, caller, media_ids)
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        parent = x_conversations.reply_parent(state, caller, reply_to) if reply_to else None
        if text.strip() and _is_duplicate(app, caller, text, request.received_at):
            raise ApiError(Reply(403, {"detail": DUPLICATE, "type": "about:blank",
                                       "title": "Forbidden", "status": 403},
                                 headers, content_type=x_errors.PROBLEM))
        tweet_id = state.new_id("x")
        account = state["accounts"][caller.account]["x"]
        now = state.now()
        state.add_post(f"x:{tweet_id}", {
            "network": "x",
            "account": caller.account,
            "account_id": caller.user_id,
            "id": tweet_id,
            "text": text,
            "media": media,
            "created_ts": now,
            "created_time": x_time(now),
            "permalink": f"https://x.com/{account['username']}/status/{tweet_id}",
            "reply_to": reply_to,
            "conversation_id": parent["conversation_id"] if parent else tweet_id,
            "parent_id": None,
            "comments": [],
            "deleted": False,
        })
        if parent:
            x_conversations.record_answer(state, caller, parent, tweet_id, text)
    data = {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}
    return Reply(201, {"data": data}, headers)


def _is_duplicate(app: Sandbox, caller: Caller, text: str,
                  received_at: float | None = None) -> bool:
    """Is ``text`` posted already (by the time a held request arrived, when given)?"""
    for post in app.state.posts_of("x", caller.user_id):
        if received_at is not None and post["created_ts"] > received_at:
            continue
        if not post.get("deleted") and post["text"].strip() == text.strip():
            return True
    return False


def _take_rate_limit(app: Sandbox, caller: Caller) -> dict[str, str]:
    """Count one POST /2/tweets; raise 429 when a window is used up."""
    state, now = app.state, app.state.now()
    limits = (("window", WINDOW_SECS, state.settings["x_tweets_per_window"]),
              ("day", DAY_SECS, state.settings["x_tweets_per_day"]))
    headers: dict[str, str] = {}
    counters = []
    for name, length, limit in limits:
        counter, reset = window(state, f"x:tweets:{name}:{caller.user_id}", length, now)
        if counter["count"] >= limit:
            error = x_errors.too_many_requests(reset, limit)
            if name != "window":
                error.reply.headers.update(limit_headers(DAY_HEADERS, limit, 0, reset))
            raise error
        counters.append((name, counter, limit, reset))
    for name, counter, limit, reset in counters:
        counter["count"] += 1
        prefix = WINDOW_HEADERS if name == "window" else DAY_HEADERS
        headers.update(limit_headers(prefix, limit, limit - counter["count"], reset))
    return headers


# -- reading ---------------------------------------------------------------

def get_tweet(app: Sandbox, request: Request) -> Reply:
    authenticate(app.state, request, user_context=False)
    tweet_id = request.args["id"]
    post = app.state["posts"].get(f"x:{tweet_id}")
    fields = _fields(request)
    if not post or post.get("deleted"):
        comment = x_conversations.comment_of(app.state, tweet_id)
        if comment is None:
            raise x_errors.not_found(f"Could not find tweet with id: [{tweet_id}].", "tweet",
                                     tweet_id, "id")
        return Reply(200, {"data": x_conversations.comment_json(app.state, comment, fields)})
    return Reply(200, {"data": tweet_json(app.state, post, fields)})


def delete_tweet(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    tweet_id = request.args["id"]
    with app.state.change():
        post = app.state["posts"].get(f"x:{tweet_id}")
        if not post or post.get("deleted"):
            raise x_errors.not_found(f"Could not find tweet with id: [{tweet_id}].", "tweet",
                                     tweet_id, "id")
        if post["account"] != caller.account:
            raise x_errors.forbidden("You are not authorized to delete this Tweet.")
        post["deleted"] = True
    return Reply(200, {"data": {"deleted": True}})


def users_me(app: Sandbox, request: Request) -> Reply:
    caller = authenticate(app.state, request, user_context=True)
    account = app.state["accounts"][caller.account]
    data = {"id": caller.user_id, "name": account["name"],
            "username": account["x"]["username"]}
    if "created_at" in request.query.get("user.fields", ""):
        data["created_at"] = x_time(0)
    return Reply(200, {"data": data})


def _tweet_id_param(query: dict[str, str], name: str) -> int:
    try:
        return int(query[name])
    except ValueError as exc:
        raise x_errors.invalid(f"The `{name}` query parameter value [{query[name]}] is not a "
                               "tweet id", name, query[name]) from exc


def user_tweets(app: Sandbox, request: Request) -> Reply:
    authenticate(app.state, request, user_context=False)
    user_id = request.args["id"]
    fields = _fields(request)
    try:
        max_results = int(request.query.get("max_results", "10"))
    except ValueError:
        max_results = -1
    if not 5 <= max_results <= 100:
        raise x_errors.invalid("The `max_results` query parameter value "
                               f"[{request.query.get('max_results')}] is not between 5 and 100",
                               "max_results", request.query.get("max_results"))
    owner = next((a for a in app.state["accounts"].values() if a["x"]["user_id"] == user_id),
                 None)
    if owner is None:
        raise x_errors.not_found(f"Could not find user with id: [{user_id}].", "user",
                                 user_id, "id")
    posts = [p for p in app.state.posts_of("x", user_id) if not p.get("deleted")]
    posts.sort(key=lambda p: int(p["id"]), reverse=True)
    query = request.query
    if "since_id" in query:
        since_id = _tweet_id_param(query, "since_id")
        posts = [p for p in posts if int(p["id"]) > since_id]
    if "until_id" in query:
        until_id = _tweet_id_param(query, "until_id")
        posts = [p for p in posts if int(p["id"]) < until_id]
    start = parse_iso(query["start_time"]) if "start_time" in query else None
    if start is not None:
        posts = [p for p in posts if p["created_ts"] >= start]
    end = parse_iso(query["end_time"]) if "end_time" in query else None
    if end is not None:
        posts = [p for p in posts if p["created_ts"] <= end]
    if "exclude" in query and "replies" in query["exclude"]:
        posts = [p for p in posts if not p.get("reply_to")]
    token = query.get("pagination_token")
    if token:
        try:
            before = int(binascii.unhexlify(token).decode())
        except (ValueError, binascii.Error) as exc:
            raise x_errors.invalid("The `pagination_token` query parameter value is invalid",
                                   "pagination_token", token) from exc
        posts = [p for p in posts if int(p["id"]) < before]
    page, meta = page_of(posts, max_results,
                         lambda last: binascii.hexlify(last.encode()).decode())
    body: dict[str, Any] = {"meta": meta}
    if page:
        body["data"] = [tweet_json(app.state, p, fields) for p in page]
    return Reply(200, body)
