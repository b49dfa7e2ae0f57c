"""X conversations in the sandbox: the audience's replies found by the recent search, the
account's answers to them, hidden replies; driven by tweepy and plain requests."""

from __future__ import annotations

from typing import Any

import pytest
import tweepy

from costanza.demo.sandbox.timefmt import x_time

SEARCH = "https://api.x.com/2/tweets/search/recent"
TWEETS = "https://api.x.com/2/tweets"
FIELDS = "author_id,created_at,conversation_id,in_reply_to_user_id,referenced_tweets"


def search(session, auth, conversation: str, **params: Any):
    query = {"query": f"conversation_id:{conversation}", "tweet.fields": FIELDS,
             "expansions": "author_id", "user.fields": "name,username", **params}
    return session.get(SEARCH, params=query, auth=auth)


@pytest.fixture
def post(x_client) -> str:
    return x_client.create_tweet(text="Il nuovo telaio è arrivato", user_auth=True).data["id"]


def test_a_conversation_reads_in_pages_newest_first(control, session, x_auth, post) -> None:
    ids = [control.add_comment("x", post, f"Bello {n}!", author=f"Cliente {n}")["id"]
           for n in range(25)]
    seen: list[str] = []
    pages = 0
    token = None
    while True:
        reply = search(session, x_auth, post, max_results=10,
                       **({"next_token": token} if token else {}))
        assert reply.status_code == 200
        body = reply.json()
        pages += 1
        assert body["meta"]["result_count"] == len(body["data"])
        assert body["meta"]["newest_id"] == body["data"][0]["id"]
        assert body["meta"]["oldest_id"] == body["data"][-1]["id"]
        seen += [t["id"] for t in body["data"]]
        token = body["meta"].get("next_token")
        if not token:
            break
    assert pages == 3
    assert seen == list(reversed(ids))
    # pagination_token is the same token under another name.
    first = search(session, x_auth, post, max_results=10).json()
    second = search(session, x_auth, post, max_results=10,
                    pagination_token=first["meta"]["next_token"]).json()
    assert [t["id"] for t in second["data"]] == seen[10:20]


def test_a_comment_is_a_tweet_of_its_author(control, session, x_auth, post, creds) -> None:
    top = control.add_comment("x", post, "Quanto costa?", author="Giulia Rossi")
    under = control.add_comment("x", post, "Anche io vorrei saperlo", author="Marco Bianchi",
                                parent=top["id"])
    body = search(session, x_auth, post).json()
    by_id = {t["id"]: t for t in body["data"]}
    assert by_id[top["id"]] == {
        "id": top["id"], "text": "Quanto costa?", "edit_history_tweet_ids": [top["id"]],
        "created_at": x_time(top["created_ts"]), "author_id": top["author"]["id"],
        "conversation_id": post, "in_reply_to_user_id": creds["x"]["user_id"],
        "referenced_tweets": [{"type": "replied_to", "id": post}]}
    assert by_id[under["id"]]["referenced_tweets"] == [{"type": "replied_to", "id": top["id"]}]
    assert by_id[under["id"]]["in_reply_to_user_id"] == top["author"]["id"]
    users = {u["id"]: u for u in body["includes"]["users"]}
    assert users[top["author"]["id"]] == {"id": top["author"]["id"], "name": "Giulia Rossi",
                                          "username": "giulia_rossi"}
    assert users[under["author"]["id"]]["username"] == "marco_bianchi"
    assert post not in by_id  # the post itself is not one of its replies


def test_deleted_and_old_comments_are_not_listed(control, session, x_auth, post) -> None:
    gone = control.add_comment("x", post, "Ho sbagliato post")
    control.advance_clock(8 * 24 * 3600)
    assert "data" not in search(session, x_auth, post).json()  # older than 7 days
    kept = control.add_comment("x", post, "Che bello")
    gone_too = control.add_comment("x", post, "Ci ripenso")
    control.delete_comment(gone_too["id"])
    body = search(session, x_auth, post).json()
    assert [t["id"] for t in body["data"]] == [kept["id"]]
    assert gone["id"] != kept["id"]
    empty = search(session, x_auth, "1860000000000000999").json()
    assert empty == {"meta": {"result_count": 0}}


def test_since_id_and_start_time(control, session, x_auth, post) -> None:
    first = control.add_comment("x", post, "Primo")
    control.advance_clock(3600)
    second = control.add_comment("x", post, "Secondo")
    body = search(session, x_auth, post, since_id=first["id"]).json()
    assert [t["id"] for t in body["data"]] == [second["id"]]
    body = search(session, x_auth, post, start_time=x_time(second["created_ts"] - 1)).json()
    assert [t["id"] for t in body["data"]] == [second["id"]]
    too_old = search(session, x_auth, post, start_time=x_time(second["created_ts"] - 8 * 86400))
    assert too_old.status_code == 400 and "start_time" in too_old.json()["errors"][0]["message"]


@pytest.mark.parametrize("params", [{"query": "from:someone"}, {"query": "telaio"},
                                    {"max_results": "5"}, {"max_results": "101"},
                                    {"next_token": "not-a-token!"}, {"expansions": "nope"}])
def test_bad_search_parameters_are_400(session, x_auth, post, params) -> None:
    query = {"query": f"conversation_id:{post}", **params}
    reply = session.get(SEARCH, params=query, auth=x_auth)
    assert reply.status_code == 400
    body = reply.json()
    assert body["title"] == "Invalid Request"
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert body["errors"][0]["message"]


def test_search_has_its_own_rate_limit(control, session, x_auth, post) -> None:
    control.settings(x_search_per_window=2)
    first = search(session, x_auth, post)
    assert first.headers["x-rate-limit-limit"] == "2"
    assert first.headers["x-rate-limit-remaining"] == "1"
    assert search(session, x_auth, post).status_code == 200
    spent = search(session, x_auth, post)
    assert spent.status_code == 429
    assert spent.headers["x-rate-limit-remaining"] == "0"
    assert spent.headers["x-rate-limit-reset"] == first.headers["x-rate-limit-reset"]
    # Posting is counted apart: the search window does not stop a post.
    assert session.post(TWEETS, json={"text": "Ancora"}, auth=x_auth).status_code == 201
    control.advance_clock(15 * 60)
    assert search(session, x_auth, post).status_code == 200


def test_a_fault_can_force_the_search_429(control, session, x_auth, post) -> None:
    control.fault("x", "search_recent", rate_limit_reset=120)
    reply = search(session, x_auth, post)
    assert reply.status_code == 429 and int(reply.headers["x-rate-limit-reset"]) > 0


def test_the_account_answers_a_comment(control, x_client, session, x_auth, post,
                                       creds) -> None:
    control.settings(x_self_replies_allowed=False)  # answering the audience is not a self-reply
    comment = control.add_comment("x", post, "Fate spedizioni?")
    answer = x_client.create_tweet(text="Sì, in tutta Italia!", in_reply_to_tweet_id=comment["id"],
                                   user_auth=True).data["id"]
    [record] = [c for c in control.comments("x") if c["id"] == answer]
    assert record["by_account"] is True and record["parent"] == comment["id"]
    assert record["post"] == post and record["author"]["id"] == creds["x"]["user_id"]
    assert [p["id"] for p in control.posts("x")] == [post, answer]
    body = search(session, x_auth, post).json()
    mine = next(t for t in body["data"] if t["id"] == answer)
    assert mine["author_id"] == creds["x"]["user_id"]
    assert mine["in_reply_to_user_id"] == comment["author"]["id"]
    assert mine["referenced_tweets"] == [{"type": "replied_to", "id": comment["id"]}]
    assert mine["conversation_id"] == post
    # GET /2/tweets/{id} answers for the audience's comment too.
    got = session.get(f"{TWEETS}/{comment['id']}", params={"tweet.fields": FIELDS},
                      auth=x_auth).json()["data"]
    assert got["author_id"] == comment["author"]["id"] and got["conversation_id"] == post
    # A reply to its own answer is a self-reply: refused with the setting off.
    with pytest.raises(tweepy.Forbidden):
        x_client.create_tweet(text="E anche all'estero", in_reply_to_tweet_id=answer,
                              user_auth=True)


def test_no_answer_to_a_deleted_comment_or_in_another_conversation(control, x_client,
                                                                   x_client_for, post) -> None:
    comment = control.add_comment("x", post, "Ciao")
    control.delete_comment(comment["id"])
    with pytest.raises(tweepy.Forbidden, match="deleted or not visible"):
        x_client.create_tweet(text="Ciao a te", in_reply_to_tweet_id=comment["id"],
                              user_auth=True)
    other = x_client_for(control.create_accounts("altra"))
    live = control.add_comment("x", post, "Buongiorno")
    with pytest.raises(tweepy.Forbidden, match="not allowed"):
        other.create_tweet(text="Buongiorno!", in_reply_to_tweet_id=live["id"], user_auth=True)


def test_the_owner_hides_a_reply(control, session, x_auth, post, x_client_for) -> None:
    comment = control.add_comment("x", post, "Pubblicità: compra qui")
    url = f"{TWEETS}/{comment['id']}/hidden"
    reply = session.put(url, json={"hidden": True}, auth=x_auth)
    assert reply.status_code == 200 and reply.json() == {"data": {"hidden": True}}
    assert next(c for c in control.comments("x") if c["id"] == comment["id"])["hidden"] is True
    assert session.put(url, json={"hidden": "yes"}, auth=x_auth).status_code == 400
    other = control.create_accounts("altra")["x"]
    other_auth = tweepy.OAuth1UserHandler(other["consumer_key"], other["consumer_secret"],
                                          other["access_token"],
                                          other["access_token_secret"]).apply_auth()
    assert session.put(url, json={"hidden": False}, auth=other_auth).status_code == 403
    reply = session.put(url, json={"hidden": False}, auth=x_auth)
    assert reply.json() == {"data": {"hidden": False}}
