"""The sandbox's login tokens: how long each lives (``debug_token``), the permissions a login
granted or declined (``/me/permissions``), and a login managing several Pages."""

from __future__ import annotations

from typing import Any

import requests

from costanza.demo.sandbox.control import SandboxClient

GRAPH = "https://graph.facebook.com/v26.0"
HOUR, DAY = 3600, 24 * 3600


def _debug(session: requests.Session, token: str, login: str) -> dict[str, Any]:
    reply = session.post(f"{GRAPH}/debug_token", data={"method": "GET", "input_token": token},
                         headers={"Authorization": f"OAuth {login}"})
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["data"])


def _exchange(session: requests.Session, short: str) -> str:
    reply = session.post(f"{GRAPH}/oauth/access_token", data={
        "grant_type": "fb_exchange_token", "client_id": "1", "client_secret": "s",
        "fb_exchange_token": short})
    assert reply.status_code == 200, reply.text
    assert reply.json()["expires_in"] == 60 * DAY
    return str(reply.json()["access_token"])


def _pages(session: requests.Session, login: str) -> list[dict[str, Any]]:
    reply = session.get(f"{GRAPH}/me/accounts", headers={"Authorization": f"OAuth {login}"})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["data"])


def test_a_short_login_lasts_an_hour_and_its_page_token_too(session, creds, control):
    now = control.advance_clock(0)
    short = creds["facebook"]["short_user_token"]
    user = _debug(session, short, short)
    assert user["type"] == "USER" and user["is_valid"] is True
    assert now + 0.5 * HOUR < user["expires_at"] <= now + 2 * HOUR
    page_token = _pages(session, short)[0]["access_token"]
    assert page_token != creds["facebook"]["page_token"]
    page = _debug(session, page_token, short)
    assert page["type"] == "PAGE" and page["expires_at"] == user["expires_at"]


def test_a_long_lived_login_lasts_60_days_and_its_page_token_never_expires(
        session, creds, control):
    long_lived = _exchange(session, creds["facebook"]["short_user_token"])
    now = control.advance_clock(0)
    user = _debug(session, long_lived, long_lived)
    assert now + 59 * DAY < user["expires_at"] <= now + 61 * DAY
    page_token = _pages(session, long_lived)[0]["access_token"]
    assert page_token == creds["facebook"]["page_token"]
    page = _debug(session, page_token, long_lived)
    assert page["expires_at"] == 0 and page["is_valid"] is True
    assert page["profile_id"] == creds["facebook"]["page_id"]


def test_a_lapsed_short_login_is_reported_invalid(session, creds, control):
    short = creds["facebook"]["short_user_token"]
    control.advance_clock(2 * HOUR)
    user = _debug(session, short, creds["facebook"]["user_token"])
    assert user["is_valid"] is False and user["error"]["code"] == 190


def test_a_declined_permission_shows_in_permissions_and_scopes(session, creds, control):
    login = creds["facebook"]["user_token"]
    assert control.decline_permissions(["instagram_content_publish"]) == {
        "tester": ["instagram_content_publish"]}
    reply = session.get(f"{GRAPH}/me/permissions", headers={"Authorization": f"OAuth {login}"})
    status = {p["permission"]: p["status"] for p in reply.json()["data"]}
    assert status["instagram_content_publish"] == "declined"
    assert status["pages_manage_posts"] == "granted"
    for token in (login, creds["facebook"]["page_token"]):
        scopes = _debug(session, token, login)["scopes"]
        assert "instagram_content_publish" not in scopes and "instagram_basic" in scopes
    control.decline_permissions([])
    assert "instagram_content_publish" in _debug(session, login, login)["scopes"]


def test_a_declined_publishing_permission_refuses_page_posts(session, creds, control):
    control.decline_permissions(["pages_manage_posts"], account="tester")
    reply = session.post(f"{GRAPH}/{creds['facebook']['page_id']}/feed",
                         data={"message": "Hi", "access_token": creds["facebook"]["page_token"]})
    assert reply.status_code == 403 and reply.json()["error"]["code"] == 200


def test_permissions_need_the_users_own_token(session, creds):
    reply = session.get(f"{GRAPH}/me/permissions",
                        headers={"Authorization": f"OAuth {creds['facebook']['page_token']}"})
    assert reply.status_code >= 400


def test_a_login_managing_several_pages_lists_them_all(session, creds, base_url):
    other = SandboxClient(base_url).create_accounts("caseificio", managed_by="tester")
    pages = _pages(session, creds["facebook"]["user_token"])
    assert [(p["id"], p["access_token"]) for p in pages] == [
        (creds["facebook"]["page_id"], creds["facebook"]["page_token"]),
        (other["facebook"]["page_id"], other["facebook"]["page_token"])]
    reply = session.post(f"{GRAPH}/{other['facebook']['page_id']}/feed",
                         data={"message": "Formaggi", "access_token": pages[1]["access_token"]})
    assert reply.status_code == 200, reply.text


def test_unknown_permissions_or_accounts_are_refused(base_url):
    control = SandboxClient(base_url)
    for body in ({"declined": ["not_a_permission"]}, {"declined": "pages_manage_posts"},
                 {"declined": [], "account": "nobody"}):
        reply = requests.post(f"{base_url}/_sandbox/permissions", json=body, timeout=10)
        assert reply.status_code == 400
    reply = requests.post(f"{base_url}/_sandbox/accounts",
                          json={"name": "x", "managed_by": "nobody"}, timeout=10)
    assert reply.status_code == 400
    assert control.accounts() == []
