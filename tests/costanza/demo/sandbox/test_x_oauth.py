"""X's OAuth 1.0a PIN flow in the sandbox, driven by tweepy's OAuth1UserHandler."""

from __future__ import annotations

import re

import pytest
import requests
import tweepy
import tweepy.auth
from requests_oauthlib import OAuth1Session

from costanza.demo.sandbox.routing import redirect_session


@pytest.fixture
def pin_flow(base_url, monkeypatch):
    """tweepy's handler makes a new OAuth1Session per step: give each the redirect."""

    class RedirectedSession(OAuth1Session):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            redirect_session(base_url, self)

    monkeypatch.setattr(tweepy.auth, "OAuth1Session", RedirectedSession)


def test_x_pin_flow_gives_the_accounts_access_token(pin_flow, creds, session, x_client_for):
    x = creds["x"]
    handler = tweepy.OAuth1UserHandler(x["consumer_key"], x["consumer_secret"], callback="oob")
    url = handler.get_authorization_url()
    assert url.startswith("https://api.twitter.com/oauth/authorize?oauth_token=")
    page = session.get(url)
    pin = re.search(r'<code id="oauth_pin">(\d+)</code>', page.text).group(1)
    token, secret = handler.get_access_token(pin)
    assert (token, secret) == (x["access_token"], x["access_token_secret"])
    with pytest.raises(tweepy.TweepyException):  # a request token is good once
        handler.get_access_token(pin)


def test_x_pin_flow_wrong_pin(pin_flow, creds):
    x = creds["x"]
    handler = tweepy.OAuth1UserHandler(x["consumer_key"], x["consumer_secret"], callback="oob")
    handler.get_authorization_url()
    with pytest.raises(tweepy.TweepyException):
        handler.get_access_token("0000000x")


def test_x_request_token_needs_a_valid_signature(pin_flow, creds):
    handler = tweepy.OAuth1UserHandler(creds["x"]["consumer_key"], "wrong", callback="oob")
    with pytest.raises(tweepy.TweepyException):
        handler.get_authorization_url()


def test_x_authorize_with_unknown_token(base_url):
    reply = requests.get(f"{base_url}/oauth/authorize?oauth_token=nope", timeout=5)
    assert reply.status_code == 400


def test_x_oauth2_token_expires_and_refreshes(session, creds, control):
    x = creds["x"]
    me = "https://api.x.com/2/users/me"
    assert session.get(me, headers={"Authorization": f"Bearer {x['oauth2_user_token']}"}).ok
    control.advance_clock(2 * 3600 + 1)
    expired = session.get(me, headers={"Authorization": f"Bearer {x['oauth2_user_token']}"})
    assert expired.status_code == 401
    form = {"grant_type": "refresh_token", "refresh_token": x["oauth2_refresh_token"],
            "client_id": x["oauth2_client_id"]}
    fresh = session.post("https://api.x.com/2/oauth2/token", data=form).json()
    assert fresh["expires_in"] == 7200 and fresh["token_type"] == "bearer"
    assert session.get(me, headers={"Authorization": f"Bearer {fresh['access_token']}"}).ok
    again = session.post("https://api.x.com/2/oauth2/token", data=form)  # rotated
    assert again.status_code == 400 and again.json()["error"] == "invalid_request"
