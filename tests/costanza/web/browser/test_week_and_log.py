"""The page in a real browser: `costanza web` opened at its printed address in headless
Chromium shows the week with the queued photo's thumbnail; the daemon publishes the post
to the sandbox and the log page shows it with its permalinks. Each page is saved as a
screenshot in `.artifacts/web/`."""

from __future__ import annotations

import pytest

from costanza.demo.sandbox.control import SandboxClient
from tests.costanza.web.browser.conftest import Costanza
from tests.costanza.web.browser.helpers import ROOT, Browser, PageProcess

pytestmark = pytest.mark.slow
NETWORKS = ("facebook", "instagram", "x")


def test_the_week_shows_the_thumbnail_and_the_log_the_published_post(
        prepared: Costanza, page: PageProcess, browser: Browser,
        sandbox: SandboxClient) -> None:
    prepared("post", "add", "La lana arriva dalla Val di Fiemme", "--photo",
             str(ROOT / "examples" / "gomitoli.jpg"), "--to", ",".join(NETWORKS))

    browser.open(page.address)
    assert browser.path == "/"
    assert "This week and the next three" in browser.text()
    assert "La lana arriva dalla Val di Fiemme" in browser.text()
    thumbs = [i for i in browser.loaded_images() if i["src"].startswith("/thumbs/")]
    assert len(thumbs) == 1 and thumbs[0]["complete"] and thumbs[0]["width"] > 0, thumbs
    assert browser.shot("week").stat().st_size > 0

    browser.visit("/log")
    assert browser.path == "/log" and "What went out" in browser.text()
    assert browser.links("see the post on") == []
    browser.shot("log-empty")

    prepared("post", "now", "1")
    prepared("daemon", "--once")
    published = {p["network"]: p["permalink"] for p in sandbox.posts()}
    assert sorted(published) == list(NETWORKS)

    browser.visit("/log")
    assert sorted(browser.links("see the post on")) == sorted(published.values())
    assert "La lana arriva dalla Val di Fiemme" in browser.text()
    browser.shot("log")
    browser.visit("/")
    assert sorted(browser.links("see the post on")) == sorted(published.values())
    assert "Published" in browser.text()
    browser.shot("week-published")
