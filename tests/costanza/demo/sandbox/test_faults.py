"""Faults on demand: failures before the effect, after the effect, drops, timeouts, limits."""

from __future__ import annotations

import pytest
import requests
import tweepy

TWEETS = "https://api.x.com/2/tweets"
GRAPH = "https://graph.facebook.com/v26.0"


def test_fault_status_and_body_then_normal(x_client, control):
    control.fault("x", "tweets", status=503, times=2)
    for _ in range(2):
        with pytest.raises(tweepy.TwitterServerError):
            x_client.create_tweet(text="not yet")
    assert control.posts("x") == []
    x_client.create_tweet(text="now")
    assert len(control.posts("x")) == 1


def test_fault_after_effect_creates_the_post_then_500(x_client, control):
    control.fault("x", "/2/tweets", after_effect=True)
    with pytest.raises(tweepy.TwitterServerError):
        x_client.create_tweet(text="Did it go out?")
    [post] = control.posts("x")
    assert post["text"] == "Did it go out?"
    with pytest.raises(tweepy.Forbidden):  # a blind retry is a duplicate
        x_client.create_tweet(text="Did it go out?")


def test_fault_after_effect_with_dropped_connection(graph, creds, control):
    control.fault("facebook", "feed", after_effect=True, drop=True)
    with pytest.raises(requests.ConnectionError):
        graph.request(f"v26.0/{creds['facebook']['page_id']}/feed",
                      post_args={"message": "Lost reply"})
    assert [p["text"] for p in control.posts("facebook")] == ["Lost reply"]


def test_fault_drop_means_nothing_happened(session, x_auth, control):
    control.fault("x", "tweets", drop=True)
    with pytest.raises(requests.ConnectionError):
        session.post(TWEETS, json={"text": "dropped"}, auth=x_auth)
    assert control.posts("x") == []


def test_fault_timeout_holds_the_connection(session, x_auth, control):
    control.fault("x", "tweets", timeout=True, hold_secs=3)
    with pytest.raises(requests.Timeout):
        session.post(TWEETS, json={"text": "slow"}, auth=x_auth, timeout=0.3)
    assert control.posts("x") == []


def test_fault_x_rate_limit_with_reset(x_client, control):
    control.fault("x", "tweets", rate_limit_reset=600)
    with pytest.raises(tweepy.TooManyRequests) as caught:
        x_client.create_tweet(text="too soon")
    headers = caught.value.response.headers
    assert headers["x-rate-limit-remaining"] == "0"
    assert caught.value.reset_time == int(headers["x-rate-limit-reset"])


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_fault_graph_rate_limits(session, creds, control, code):
    control.fault("facebook", "feed", rate_limit_reset=300, rate_limit_code=code)
    response = session.post(f"{GRAPH}/{creds['facebook']['page_id']}/feed",
                            data={"message": "x", "access_token":
                                  creds["facebook"]["page_token"]})
    assert response.json()["error"]["code"] == code
    usage = response.headers["X-Business-Use-Case-Usage"]
    assert "estimated_time_to_regain_access" in usage
    assert "call_count" in response.headers["X-App-Usage"]


def test_fault_expire_token(graph, creds, control):
    control.fault("facebook", "feed", expire_token=True)
    page = f"v26.0/{creds['facebook']['page_id']}"
    import facebook

    for _ in range(2):  # expired for good, not only once
        with pytest.raises(facebook.GraphAPIError) as caught:
            graph.request(f"{page}/feed", post_args={"message": "x"})
        assert caught.value.code == 190


def test_fault_expire_x_token(x_client, control):
    control.fault("x", expire_token=True)
    with pytest.raises(tweepy.Unauthorized):
        x_client.create_tweet(text="x")


def test_fault_scoped_by_network_and_endpoint(x_client, graph, creds, control):
    control.fault("instagram", status=500)
    control.fault("x", "media_upload", status=500)
    control.fault("facebook", "feed", method="GET", status=500)
    x_client.create_tweet(text="fine")
    graph.request(f"v26.0/{creds['facebook']['page_id']}/feed", post_args={"message": "ok"})
    assert len(control.faults()) == 3
    control.clear_faults()
    assert control.faults() == []


def test_fault_graph_default_500_body(graph, creds, control):
    control.fault("facebook", "feed", status=500)
    import facebook

    with pytest.raises(facebook.GraphAPIError) as caught:
        graph.request(f"v26.0/{creds['facebook']['page_id']}/feed",
                      post_args={"message": "x"})
    assert caught.value.code == 2
    assert caught.value.result["error"]["is_transient"] is True


def test_fault_custom_body_and_latency(session, x_auth, control):
    control.fault("x", "tweets", status=400, body={"detail": "custom"}, latency_ms=10)
    response = session.post(TWEETS, json={"text": "x"}, auth=x_auth)
    assert response.status_code == 400 and response.json() == {"detail": "custom"}


def test_fault_bad_spec_is_refused(control):
    with pytest.raises(requests.HTTPError):
        control.fault("myspace", "tweets", status=500)


def test_requests_log_has_no_secrets(x_client, control, creds):
    x_client.create_tweet(text="logged")
    log = control.requests()
    assert log[-1]["path"] == "/2/tweets" and log[-1]["status"] == 201
    assert creds["x"]["access_token"] not in str(log)


def test_fault_after_effect_with_timeout(session, x_auth, control):
    control.fault("x", "tweets", after_effect=True, timeout=True, hold_secs=3)
    with pytest.raises(requests.Timeout):
        session.post(TWEETS, json={"text": "slow but done"}, auth=x_auth, timeout=0.3)
    assert [p["text"] for p in control.posts("x")] == ["slow but done"]


def test_fault_times_counts_matching_calls_only(x_client, graph, creds, control):
    control.fault("facebook", "feed", status=500, times=1)
    x_client.create_tweet(text="unaffected")  # another network: the fault stays armed
    assert len(control.faults()) == 1
    import facebook

    with pytest.raises(facebook.GraphAPIError):
        graph.request(f"v26.0/{creds['facebook']['page_id']}/feed", post_args={"message": "a"})
    assert control.faults() == []


def _wait_for_posts(control, network: str, count: int, within: float = 5.0) -> list:
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        posts = control.posts(network)
        if len(posts) >= count:
            return posts
        time.sleep(0.05)
    return control.posts(network)


def test_fault_commit_delay_creates_the_post_after_the_client_gave_up(session, x_auth,
                                                                       control):
    control.fault("x", "tweets", commit_delay_secs=0.8)
    with pytest.raises(requests.Timeout):
        session.post(TWEETS, json={"text": "held"}, auth=x_auth, timeout=0.3)
    assert control.posts("x") == []  # not yet: the server still holds it
    [post] = _wait_for_posts(control, "x", 1)
    assert post["text"] == "held"


def test_a_held_request_is_checked_as_when_it_arrived(session, x_auth, control):
    """A re-send made while the first request is held is no duplicate of it, and the
    held one, checked on arrival, lands too: the double a settle period prevents."""
    control.fault("x", "tweets", commit_delay_secs=0.8)
    with pytest.raises(requests.Timeout):
        session.post(TWEETS, json={"text": "twice"}, auth=x_auth, timeout=0.3)
    again = session.post(TWEETS, json={"text": "twice"}, auth=x_auth, timeout=5)
    assert again.status_code == 201
    posts = _wait_for_posts(control, "x", 2)
    assert [p["text"] for p in posts] == ["twice", "twice"]
    # Without a held request, the same text is refused as X refuses it.
    third = session.post(TWEETS, json={"text": "twice"}, auth=x_auth, timeout=5)
    assert third.status_code == 403


def test_fault_commit_delay_on_facebook_feed_then_answers(graph, creds, control):
    control.fault("facebook", "feed", commit_delay_secs=0.3)
    reply = graph.request(f"v26.0/{creds['facebook']['page_id']}/feed",
                          post_args={"message": "Late but there"})
    assert reply["id"]
    assert [p["text"] for p in control.posts("facebook")] == ["Late but there"]
