"""`account add` ends with the line that points at its section of docs/accounts.md.

Run against the sandbox, each way of connecting (a Facebook Page, Instagram through it,
X with its access token, X's PIN step) prints the line last, and the section it names
exists in the guide (tests/integration/test_accounts_docs.py checks the guide itself);
with --json the output is the JSON alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from costanza.app import App
from tests.costanza.services.accounts.conftest import Platform

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[4]
LINE = re.compile(r"^Step-by-step guide: docs/(accounts\.md)#([a-z0-9-]+)$")


def _facebook(platform: Platform) -> list[str]:
    fb = platform.creds["facebook"]
    return ["facebook", "--page-id", fb["page_id"], "--page-token", fb["page_token"]]


def _x(platform: Platform, *extra: str) -> list[str]:
    x = platform.creds["x"]
    return ["x", "--consumer-key", x["consumer_key"], "--consumer-secret", x["consumer_secret"],
            *extra]


def _x_tokens(platform: Platform) -> list[str]:
    x = platform.creds["x"]
    return _x(platform, "--access-token", x["access_token"],
              "--access-token-secret", x["access_token_secret"])


def _last_line_section(result: Result) -> str:
    assert result.exit_code == 0, result.output
    found = LINE.match(result.stdout.splitlines()[-1])
    assert found, result.stdout
    guide = (ROOT / "docs" / found.group(1)).read_text(encoding="utf-8")
    assert f'<a id="{found.group(2)}"></a>' in guide
    return found.group(2)


def test_facebook_then_instagram_end_with_their_sections(run: Run, app: App,
                                                         platform: Platform) -> None:
    assert _last_line_section(run("account", "add", *_facebook(platform))) == "facebook"
    assert _last_line_section(run("account", "add", "instagram")) == "instagram"


def test_x_ends_with_its_section(run: Run, app: App, platform: Platform) -> None:
    assert _last_line_section(run("account", "add", *_x_tokens(platform))) == "x"


def test_the_pin_step_ends_with_the_section_of_x(run: Run, app: App,
                                                 platform: Platform) -> None:
    assert _last_line_section(run("account", "add", *_x(platform, "--no-prompt"))) == "x"


@pytest.mark.parametrize("args", [_facebook, _x_tokens], ids=["facebook", "x"])
def test_with_json_only_the_json(run: Run, app: App, platform: Platform,
                                 args: Callable[[Platform], list[str]]) -> None:
    result = run("account", "add", *args(platform), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"]
    assert "Step-by-step guide" not in result.output
