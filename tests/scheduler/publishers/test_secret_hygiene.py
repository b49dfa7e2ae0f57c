"""No token in logs (every HTTP library at DEBUG), printed debug output, errors or URLs."""

from __future__ import annotations

import http.client
import logging

import pytest

from config.errors import CostanzaError
from scheduler.publishers.graph.facebook import FacebookPublisher
from scheduler.publishers.graph.instagram import InstagramPublisher
from scheduler.publishers.x.publisher import XPublisher

LOGGERS = ("", "tweepy", "urllib3", "requests_oauthlib", "oauthlib", "facebook", "requests")


def _secrets(creds: dict) -> list[str]:
    return [creds["x"][k] for k in ("consumer_key", "consumer_secret", "access_token",
                                    "access_token_secret")] + [
        creds["facebook"]["page_token"], creds["facebook"]["user_token"],
        creds["instagram"]["token"]]


def test_no_secret_leaks_anywhere(sandbox, make_request, media, checkpoints, caplog,
                                  capfd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http.client.HTTPConnection, "debuglevel", 1)
    for name in LOGGERS:
        monkeypatch.setattr(logging.getLogger(name), "level", logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    x = XPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep, chunk_bytes=4096)
    fb = FacebookPublisher(sandbox.base_url, timeout=10, chunk_threshold=1024)
    ig = InstagramPublisher(sandbox.base_url, timeout=10, sleep=sandbox.sleep)
    sandbox.settings(fb_video_chunk_bytes=2048)
    messages: list[str] = []
    runs = [
        (x, make_request("x", "Canary text", [media.photo(alt="alt")])),
        (x, make_request("x", "Canary video", [media.video()])),
        (fb, make_request("facebook", "Canary photos", [media.photo(), media.photo()])),
        (fb, make_request("facebook", "Canary video", [media.video()])),
        (ig, make_request("instagram", "Canary", [media.photo(size=(400, 400))],
                          first_comment="first")),
        (ig, make_request("instagram", "Canary reel", [media.video()])),
    ]
    for publisher, request in runs:
        result = publisher.publish(request, checkpoints)
        messages.append(repr(result))
        messages.append(repr(publisher.reconcile(request)))
    # Failures too: expired tokens and refusals carry messages.
    for network, publisher, request in [
        ("x", x, make_request("x", "Canary text")),  # duplicate
        ("facebook", fb, make_request("facebook", "Canary x2")),
        ("instagram", ig, make_request("instagram", "C", [media.photo(size=(900, 300))])),
    ]:
        sandbox.control.fault(network, None, expire_token=network != "instagram")
        with pytest.raises(CostanzaError) as info:
            publisher.publish(request, checkpoints)
        messages.append(info.value.message)
        messages.append(repr(info.value.args))
    out, err = capfd.readouterr()
    paths = " ".join(str(r) for r in sandbox.get("requests"))
    haystacks = {"logs": caplog.text, "stdout": out, "stderr": err,
                 "results and errors": " ".join(messages), "progress": repr(checkpoints.calls),
                 "request paths": paths}
    assert len(caplog.text) > 1000, "DEBUG logging was really on"
    for secret in _secrets(sandbox.creds):
        for where, text in haystacks.items():
            assert secret not in text, f"a secret leaked into {where}"
