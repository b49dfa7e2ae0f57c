"""X API v2 in the sandbox, driven by tweepy's Client (OAuth 1.0a) and plain requests."""

from __future__ import annotations

import tweepy

from costanza.demo.sandbox.x_api import DUPLICATE

TWEETS = "https://api.x.com/2/tweets"


def test_x_create_tweet_with_tweepy_is_recorded(x_client, control, creds):
    response = x_client.create_tweet(text="Fresh ricotta this morning")
    tweet_id = response.data["id"]
    assert response.data["text"] == "Fresh ricotta this morning"
    assert response.data["edit_history_tweet_ids"] == [tweet_id]
    [post] = control.posts("x")
    assert post["id"] == tweet_id
    assert post["account_id"] == creds["x"]["user_id"]
    assert post["permalink"] == f"https://x.com/{creds['x']['username']}/status/{tweet_id}"
    assert post["media_sha256"] == []


def test_x_duplicate_text_gets_the_exact_403(x_client, session, x_auth):
    x_client.create_tweet(text="Same words twice")
    response = session.post(TWEETS, json={"text": "Same words twice"}, auth=x_auth)
    assert response.status_code == 403
    assert response.json() == {"detail": DUPLICATE, "type": "about:blank",
                               "title": "Forbidden", "status": 403}


def test_x_rate_limit_headers_on_every_post(session, x_auth):
    response = session.post(TWEETS, json={"text": "one"}, auth=x_auth)
    assert response.status_code == 201
    assert response.headers["x-rate-limit-limit"] == "100"
    assert response.headers["x-rate-limit-remaining"] == "99"
    assert int(response.headers["x-rate-limit-reset"]) > 0
    assert "x-user-limit-24hour-remaining" in response.headers


def test_x_weighted_length_counts_cjk_twice(x_client):
    x_client.create_tweet(text="漢" * 140)
    try:
        x_client.create_tweet(text="字" * 141)
    except tweepy.Forbidden as exc:
        assert "shorter" in str(exc)
    else:
        raise AssertionError("a 282-weighted post was accepted")


def test_x_urls_count_23(x_client):
    text = "a" * 256 + " https://example.com/" + "x" * 200
    x_client.create_tweet(text=text)  # 256 + 1 + 23 = 280


def test_x_body_is_checked_against_the_spec(session, x_auth):
    bad = [
        {"text": "hi", "unknown": 1},
        {"text": "hi", "media": {"media_ids": []}},
        {"text": "hi", "media": {"media_ids": ["1", "2", "3", "4", "5"]}},
        {"text": "hi", "reply": {}},
        {"text": "hi", "reply": {"in_reply_to_tweet_id": "abc"}},
        {"text": 5},
    ]
    for body in bad:
        response = session.post(TWEETS, json=body, auth=x_auth)
        assert response.status_code == 400, body
        payload = response.json()
        assert payload["title"] == "Invalid Request"
        assert payload["type"] == "https://api.twitter.com/2/problems/invalid-request"
        assert payload["errors"][0]["message"]


def test_x_empty_post_is_refused(session, x_auth):
    response = session.post(TWEETS, json={"text": "  "}, auth=x_auth)
    assert response.status_code == 400


def test_x_bad_signature_is_401(x_client_for, creds):
    wrong = {**creds, "x": {**creds["x"], "consumer_secret": "not-the-secret"}}
    client = x_client_for(wrong)
    try:
        client.create_tweet(text="nope")
    except tweepy.Unauthorized as exc:
        assert exc.response.json() == {"title": "Unauthorized", "type": "about:blank",
                                       "status": 401, "detail": "Unauthorized"}
    else:
        raise AssertionError("a bad signature was accepted")


def test_x_signature_over_the_sandbox_url_is_accepted(base_url, x_auth):
    import requests

    response = requests.post(f"{base_url}/2/tweets", json={"text": "signed locally"},
                             auth=x_auth)
    assert response.status_code == 201


def test_x_unsigned_and_replayed_requests_are_401(session, base_url, x_auth):
    assert session.post(TWEETS, json={"text": "x"}).status_code == 401
    import requests

    prepared = requests.Request("POST", f"{base_url}/2/tweets", json={"text": "replay"},
                                auth=x_auth).prepare()
    with requests.Session() as plain:
        assert plain.send(prepared).status_code == 201
        assert plain.send(prepared).status_code == 401  # same nonce


def test_x_oauth2_user_token_posts_and_app_token_cannot(session, creds):
    user = {"Authorization": f"Bearer {creds['x']['oauth2_user_token']}"}
    assert session.post(TWEETS, json={"text": "oauth2"}, headers=user).status_code == 201
    app = {"Authorization": f"Bearer {creds['x']['app_bearer_token']}"}
    response = session.post(TWEETS, json={"text": "app only"}, headers=app)
    assert response.status_code == 403
    assert response.json()["title"] == "Unsupported Authentication"


def test_x_thread_replies_and_listing(x_client, control, creds):
    first = x_client.create_tweet(text="1/2 The wool").data["id"]
    second = x_client.create_tweet(text="2/2 The loom", in_reply_to_tweet_id=first).data["id"]
    posts = {p["id"]: p for p in control.posts("x")}
    assert posts[second]["reply_to"] == first
    listing = x_client.get_users_tweets(creds["x"]["user_id"], user_auth=True,
                                        tweet_fields=["created_at", "referenced_tweets"])
    assert [t.id for t in listing.data] == [int(second), int(first)]
    assert str(listing.data[0].referenced_tweets[0]["id"]) == first
    assert listing.data[0].created_at is not None
    assert listing.meta["result_count"] == 2


def test_x_reply_to_missing_post_is_403(x_client):
    try:
        x_client.create_tweet(text="orphan", in_reply_to_tweet_id="1860000000000009999")
    except tweepy.Forbidden:
        pass
    else:
        raise AssertionError("a reply to a missing post was accepted")


def test_x_reply_to_another_user_is_restricted(x_client_for, control, x_client):
    other = x_client_for(control.create_accounts("other"))
    target = other.create_tweet(text="not yours").data["id"]
    try:
        x_client.create_tweet(text="hello", in_reply_to_tweet_id=target)
    except tweepy.Forbidden as exc:
        assert "not allowed" in str(exc)
    else:
        raise AssertionError("a restricted reply was accepted")


def test_x_users_me(x_client, creds):
    me = x_client.get_me().data
    assert str(me.id) == creds["x"]["user_id"]
    assert me.username == creds["x"]["username"]


def test_x_user_tweets_pagination(x_client, creds):
    for index in range(7):
        x_client.create_tweet(text=f"post {index}")
    page = x_client.get_users_tweets(creds["x"]["user_id"], user_auth=True, max_results=5)
    assert len(page.data) == 5
    rest = x_client.get_users_tweets(creds["x"]["user_id"], user_auth=True, max_results=5,
                                     pagination_token=page.meta["next_token"])
    assert [t.text for t in rest.data] == ["post 1", "post 0"]
    assert "next_token" not in rest.meta


def test_x_user_tweets_bad_since_id_is_a_400(session, x_auth, creds):
    response = session.get(f"https://api.x.com/2/users/{creds['x']['user_id']}/tweets",
                           params={"since_id": "abc"}, auth=x_auth)
    assert response.status_code == 400
    assert "since_id" in response.json()["errors"][0]["message"]


def test_x_rate_limit_window(control, session, x_auth):
    control.settings(x_tweets_per_window=2)
    assert session.post(TWEETS, json={"text": "a"}, auth=x_auth).status_code == 201
    assert session.post(TWEETS, json={"text": "b"}, auth=x_auth).status_code == 201
    response = session.post(TWEETS, json={"text": "c"}, auth=x_auth)
    assert response.status_code == 429
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert int(response.headers["x-rate-limit-reset"]) > 0
    assert len(control.posts("x")) == 2


def test_x_delete_and_get_tweet(x_client, session, x_auth):
    tweet_id = x_client.create_tweet(text="to delete").data["id"]
    assert x_client.get_tweet(tweet_id, user_auth=True).data.text == "to delete"
    x_client.delete_tweet(tweet_id)
    response = session.get(f"https://api.x.com/2/tweets/{tweet_id}", auth=x_auth)
    assert response.json()["errors"][0]["title"] == "Not Found Error"


def test_x_v1_is_closed(session, x_auth):
    reply = session.post("https://upload.twitter.com/1.1/media/upload.json", auth=x_auth,
                         files={"media": b"x"})
    assert reply.status_code == 403 and reply.json()["errors"][0]["code"] == 453


def test_x_rate_limit_headers_on_reads(session, x_auth):
    first = session.get("https://api.x.com/2/users/me", auth=x_auth)
    second = session.get("https://api.x.com/2/users/me", auth=x_auth)
    assert first.headers["x-rate-limit-limit"] == "75"
    assert int(second.headers["x-rate-limit-remaining"]) == \
        int(first.headers["x-rate-limit-remaining"]) - 1


def test_x_strict_reply_policy_refuses_even_own_threads(x_client, control):
    control.settings(x_self_replies_allowed=False)
    first = x_client.create_tweet(text="1/2").data["id"]
    try:
        x_client.create_tweet(text="2/2", in_reply_to_tweet_id=first)
    except tweepy.Forbidden:
        pass
    else:
        raise AssertionError("the strict reply policy let a reply through")
    assert [p["text"] for p in control.posts("x")] == ["1/2"]
