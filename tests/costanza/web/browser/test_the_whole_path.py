"""The whole path of the page, walked in headless Chromium through the pages only: the
week with a queued post's thumbnail; a photo post made in the test, checked and queued on
"New post"; moved up and down, the queue paused and resumed on "The queue"; published by a
real `costanza daemon --once` against the sandbox and read back on the log with its
permalinks; the other pages open; a form posted without its CSRF token is refused and
changes nothing. Every page is saved as a screenshot in `.artifacts/web/`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from costanza.demo.sandbox.control import SandboxClient
from tests.costanza.web.browser.conftest import Costanza
from tests.costanza.web.browser.helpers import ROOT, Browser, PageProcess

pytestmark = pytest.mark.slow
NETWORKS = ("facebook", "instagram", "x")
ROME = ZoneInfo("Europe/Rome")
QUEUED = "La lana arriva dalla Val di Fiemme"
UPLOADED = "Il nuovo cesto di vimini, intrecciato a mano in bottega"


def photo(folder: Path) -> Path:
    """A real JPEG, 1200x900, with a little drawing in it."""
    path = folder / "cesto.jpg"
    picture = Image.new("RGB", (1200, 900), (180, 120, 60))
    for x in range(0, 1200, 60):
        picture.paste((240, 220, 170), (x, 0, x + 20, 900))
    picture.save(path, "JPEG", quality=88)
    return path


def queue_order(browser: Browser) -> list[int]:
    ids: list[str] = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('ol.queue li.queued')).map(l => l.id);")
    return [int(i.removeprefix("post-")) for i in ids]


def thumbnails(browser: Browser) -> list[dict[str, object]]:
    return [i for i in browser.loaded_images() if i["src"].startswith("/thumbs/")]


def see_the_week(browser: Browser, page: PageProcess) -> None:
    browser.open(page.address)
    assert browser.path == "/"
    assert "This week and the next three" in browser.text()
    assert QUEUED in browser.text()
    thumbs = thumbnails(browser)
    assert len(thumbs) == 1 and thumbs[0]["complete"] and thumbs[0]["width"] > 0, thumbs
    assert browser.shot("week").stat().st_size > 0


def add_a_photo_post(browser: Browser, picture: Path) -> int:
    """Upload, "Check", read the verdicts, "Add to the queue": the week shows it."""
    browser.visit("/new")
    assert "New post" in browser.text()
    browser.shot("new")
    browser.fill("text", UPLOADED)
    browser.fill("photos", str(picture))
    browser.fill("alts", "Un cesto di vimini chiaro su un tavolo di legno")
    browser.submit("Check")
    assert browser.path == "/new/check"
    text = browser.text()
    assert "What each network will do" in text, text
    for label in ("Facebook", "Instagram", "X"):
        assert f"{label}: ready as it is" in text or f"{label}: will be adjusted" in text, text
    assert "Checked and kept for this post: cesto.jpg." in text
    browser.shot("new-checked")
    browser.submit("Add to the queue")
    assert browser.path == "/"
    text = browser.text()
    assert "Added post 2." in text and UPLOADED in text, text
    thumbs = thumbnails(browser)
    assert len(thumbs) == 2 and all(t["complete"] and t["width"] > 0 for t in thumbs), thumbs
    browser.shot("week-added")
    return 2


def move_it(browser: Browser, uploaded: int) -> None:
    browser.visit("/queue")
    assert queue_order(browser) == [1, uploaded]
    browser.shot("queue")
    browser.submit("Move up", within=f"#post-{uploaded}")
    assert f"Post {uploaded} moved." in browser.text()
    assert queue_order(browser) == [uploaded, 1]
    browser.shot("queue-moved-up")
    browser.submit("Move down", within=f"#post-{uploaded}")
    assert queue_order(browser) == [1, uploaded]
    drag(browser, uploaded, onto=1)
    assert f"Post {uploaded} moved." in browser.text()
    assert queue_order(browser) == [uploaded, 1]
    drag(browser, 1, onto=uploaded)
    assert queue_order(browser) == [1, uploaded]


def drag(browser: Browser, post: int, onto: int) -> None:
    """Drag one post onto another, as a mouse does (the page's queue.js handles it)."""
    from selenium.webdriver.common.by import By

    old_page = browser.driver.find_element(By.TAG_NAME, "html")
    browser.driver.execute_script(
        "const from = document.getElementById(arguments[0]),"
        " to = document.getElementById(arguments[1]), data = new DataTransfer();"
        "for (const [node, kind] of [[from, 'dragstart'], [to, 'dragover'], [to, 'drop'],"
        " [from, 'dragend']]) {"
        " node.dispatchEvent(new DragEvent(kind, {bubbles: true, cancelable: true,"
        " dataTransfer: data})); }", f"post-{post}", f"post-{onto}")
    browser.wait_for_new_page(old_page)


def queue_times(browser: Browser) -> list[str]:
    times: list[str] = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('ol.queue li.queued p.time'))"
        ".map(p => p.textContent.trim());")
    return times


def pause_and_resume(browser: Browser) -> None:
    """Paused from today for eight days (so a slot of the week ahead falls in it, whatever
    the day the test runs): the plan moves past them; "Go on now" undoes it."""
    planned = queue_times(browser)
    today = datetime.now(ROME).date()
    browser.set_value("first", today.isoformat())
    browser.set_value("last", (today + timedelta(days=7)).isoformat())
    browser.submit("Pause these days")
    text = browser.text()
    assert "The queue is paused: nothing goes out on those days." in text, text
    days = [f"{(today + timedelta(days=n)):%d %b}" for n in range(8)]
    assert f"Paused now: {today:%a %d %b %Y} to " in text, text
    paused = queue_times(browser)
    assert paused[0] != planned[0] and not any(d in t for d in days for t in paused), paused
    browser.shot("queue-paused")
    browser.submit("Go on now")
    text = browser.text()
    assert "The queue goes on" in text and "The queue is not paused." in text, text
    assert queue_times(browser) == planned


def refuse_a_form_without_its_token(browser: Browser, uploaded: int) -> None:
    """The hidden CSRF field removed by script before "Move up": refused, nothing moved."""
    browser.visit("/queue")
    before = queue_order(browser)
    removed = browser.driver.execute_script(
        "const f = document.querySelector(arguments[0]); let n = 0; "
        "f.querySelectorAll('input[type=hidden]').forEach(i => { i.remove(); n++; }); "
        "return n;", f"#post-{uploaded} form[action$='/up']")
    assert removed == 1
    browser.submit("Move up", within=f"#post-{uploaded}")
    assert browser.path == f"/queue/{uploaded}/up"
    assert "Not done" in browser.text()
    browser.shot("refused-without-token")
    browser.visit("/queue")
    assert queue_order(browser) == before


def pin_then_publish_now(browser: Browser, uploaded: int) -> None:
    """Its own time next week, then "Publish now": it goes out at the daemon's next round."""
    browser.visit("/queue")
    when = (datetime.now(ROME) + timedelta(days=7)).replace(second=0, microsecond=0)
    browser.set_value(f"at-{uploaded}", when.strftime("%Y-%m-%dT%H:%M"))
    browser.submit("Pin to this time", within=f"#post-{uploaded}")
    assert f"Post {uploaded} now has its own time." in browser.text(), browser.text()
    assert "Pinned: it goes out at its own time." in browser.text()
    browser.shot("queue-pinned")
    browser.submit("Publish now", within=f"#post-{uploaded}")
    assert f"Post {uploaded} goes out as soon as the daemon sends it." in browser.text()
    browser.shot("queue-publish-now")


def read_the_log(browser: Browser, sandbox: SandboxClient) -> None:
    records = sandbox.posts()
    assert sorted(p["network"] for p in records) == list(NETWORKS), records
    assert all(UPLOADED in (p.get("text") or "") for p in records), records
    permalinks = sorted(p["permalink"] for p in records)
    browser.visit("/log")
    text = browser.text()
    assert "What went out" in text and "Post 2: Il nuovo cesto di vimini" in text, text
    assert sorted(browser.links("see the post on")) == permalinks
    browser.shot("log")
    browser.visit("/")
    assert sorted(browser.links("see the post on")) == permalinks
    assert "Published" in browser.text()
    browser.shot("week-published")


def the_other_pages_open(browser: Browser) -> None:
    for path, heading, name in (("/comments", "Comments", "comments"),
                                ("/steadiness", "Did you keep your slots?", "steadiness"),
                                ("/accounts", "Your accounts", "accounts")):
        browser.visit(path)
        assert browser.path == path and heading in browser.text(), (path, browser.text())
        assert browser.shot(name).stat().st_size > 0


def test_the_whole_path_through_the_pages(
        prepared: Costanza, page: PageProcess, browser: Browser,
        sandbox: SandboxClient, tmp_path: Path) -> None:
    prepared("post", "add", QUEUED, "--photo", str(ROOT / "examples" / "gomitoli.jpg"),
             "--to", ",".join(NETWORKS))
    see_the_week(browser, page)
    uploaded = add_a_photo_post(browser, photo(tmp_path))
    move_it(browser, uploaded)
    pause_and_resume(browser)
    refuse_a_form_without_its_token(browser, uploaded)
    pin_then_publish_now(browser, uploaded)
    browser.visit("/log")
    assert browser.links("see the post on") == []
    browser.shot("log-empty")
    the_other_pages_open(browser)

    prepared("daemon", "--once")
    read_the_log(browser, sandbox)
    browser.visit("/queue")
    assert queue_order(browser) == [1]
