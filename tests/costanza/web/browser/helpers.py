"""Helpers for the real-browser tests: headless Chromium driven by Selenium, a real
`costanza web` process on a real home, screenshots in `.artifacts/web/`.

A step of a test is a few calls here: `browser.visit("/queue")`, `browser.submit(button
text)`, `browser.shot("queue")`; the pages still to come (the queue, a new post) need
nothing more than their own steps."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[4]
ARTIFACTS = ROOT / ".artifacts" / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def missing_browser() -> str | None:
    """Why the real-browser tests cannot run here (None: they can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed (pip install -e '.[test]')"
    for needed in (CHROMIUM, CHROMEDRIVER):
        if not needed.exists():
            return (f"{needed} is missing: apt-get install chromium chromium-driver "
                    "(./scripts/test does it when run as root)")
    return None


class PageProcess:
    """`costanza web --port PORT` as a person runs it; the address it prints."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "costanza", "web", "--port",
                                      str(port)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        lines = [self.proc.stdout.readline() for _ in range(2)]
        self.address = lines[1].strip()
        assert self.address.startswith("http://"), (lines, self.proc.stderr)
        self.base = self.address.split("/login", 1)[0]

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        _out, err = self.proc.communicate(timeout=30)
        return err


class Browser:
    """Headless Chromium (Debian's, through its chromedriver)."""

    def __init__(self, base: str) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1100,1400", "--lang=en-US",
                     f"--user-data-dir={ARTIFACTS.parent / 'chromium-profile'}-{os.getpid()}"):
            options.add_argument(flag)
        self.base = base
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.driver.set_page_load_timeout(30)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def open(self, address: str) -> None:
        self.driver.get(address)

    def visit(self, path: str) -> None:
        self.driver.get(self.base + path)

    @property
    def path(self) -> str:
        url: str = self.driver.current_url
        return url.removeprefix(self.base)

    def text(self) -> str:
        from selenium.webdriver.common.by import By

        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def loaded_images(self) -> list[dict[str, Any]]:
        """Every picture of the page, with its natural width (0: it did not load)."""
        found: list[dict[str, Any]] = self.driver.execute_script(
            "return Array.from(document.images).map(i => ({src: i.getAttribute('src'), "
            "alt: i.alt, complete: i.complete, width: i.naturalWidth}));")
        return found

    def links(self, text: str) -> list[str]:
        from selenium.webdriver.common.by import By

        return [a.get_attribute("href") for a in
                self.driver.find_elements(By.PARTIAL_LINK_TEXT, text)]

    def submit(self, button_text: str, within: str = "body") -> None:
        """Press the first button saying ``button_text`` (a plain form, no script),
        inside the element the CSS selector ``within`` finds."""
        from selenium.webdriver.common.by import By

        where = self.driver.find_element(By.CSS_SELECTOR, within)
        buttons = [b for b in where.find_elements(By.TAG_NAME, "button")
                   if b.text.strip() == button_text]
        assert buttons, f"no button {button_text!r} in {within} on {self.path}"
        old_page = self.driver.find_element(By.TAG_NAME, "html")
        buttons[0].click()
        self.wait_for_new_page(old_page)

    def wait_for_new_page(self, old_page: Any) -> None:
        """Until the page that was shown (its <html> element) has been replaced."""
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.driver, 30).until(expected_conditions.staleness_of(old_page))
        WebDriverWait(self.driver, 30).until(lambda d: d.execute_script(
            "return document.readyState") == "complete")

    def fill(self, field_id: str, value: str) -> None:
        """Type ``value`` into the field (text box, or files for a file input)."""
        from selenium.webdriver.common.by import By

        field = self.driver.find_element(By.ID, field_id)
        if field.get_attribute("type") != "file":
            field.clear()
        field.send_keys(value)

    def set_value(self, field_id: str, value: str) -> None:
        """Set a date or time field as its picker would (the pickers differ by locale)."""
        self.driver.execute_script(
            "const f = document.getElementById(arguments[0]); f.step = 1; "
            "f.value = arguments[1];", field_id, value)

    def shot(self, name: str) -> Path:
        """A screenshot of the whole page in `.artifacts/web/<name>.png`."""
        path = ARTIFACTS / f"{name}.png"
        height = self.driver.execute_script("return document.body.scrollHeight")
        self.driver.set_window_size(1100, max(800, min(int(height) + 120, 6000)))
        self.driver.save_screenshot(str(path))
        return path

    def quit(self) -> None:
        self.driver.quit()
        shutil.rmtree(f"{ARTIFACTS.parent / 'chromium-profile'}-{os.getpid()}",
                      ignore_errors=True)
