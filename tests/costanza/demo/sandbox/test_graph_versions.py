"""The sandbox answers every Graph API version not retired on its clock, and the others
the way the Graph API does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

GRAPH = "https://graph.facebook.com"


def _get(session: requests.Session, creds, version: str) -> requests.Response:
    return session.get(f"{GRAPH}/{version}/{creds['facebook']['page_id']}",
                       headers={"Authorization": f"OAuth {creds['facebook']['page_token']}"})


# Only versions whose retirement Meta has not published: the sandbox's clock is real time.
@pytest.mark.parametrize("version", ["v26.0", "v27.0"])
def test_a_version_not_retired_answers(session, creds, version: str) -> None:
    reply = _get(session, creds, version)
    assert reply.status_code == 200 and reply.json()["id"] == creds["facebook"]["page_id"]


def test_a_retired_version_is_deprecated(session, creds) -> None:
    reply = _get(session, creds, "v20.0")  # available until 24 September 2026
    error = reply.json()["error"]
    assert reply.status_code == 400 and error["code"] == 2635
    assert "deprecated version of the Graph API (v20.0)" in error["message"]
    assert "latest version: v27.0" in error["message"]


def test_a_version_meta_never_released_is_an_unknown_path(session, creds) -> None:
    reply = _get(session, creds, "v99.0")
    error = reply.json()["error"]
    assert error["code"] == 2500 and error["message"].startswith(
        "Unknown path components: /v99.0/")


def test_a_version_retires_on_the_sandbox_clock(session, creds, control) -> None:
    now = control.advance_clock(0)
    retires = datetime(2028, 7, 29, tzinfo=UTC).timestamp()  # v25.0's "Available Until"
    control.advance_clock(max(0.0, retires - now) + 60)
    assert _get(session, creds, "v25.0").json()["error"]["code"] == 2635
    assert _get(session, creds, "v26.0").status_code == 200  # no date published
