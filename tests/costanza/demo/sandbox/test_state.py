"""The sandbox's memory: each account's posts are found without reading every post,
after a restart from its saved file too."""

from __future__ import annotations

from pathlib import Path

from costanza.demo.sandbox.state import SandboxState


def _post(network: str, account_id: str, text: str) -> dict[str, object]:
    return {"network": network, "account_id": account_id, "text": text, "deleted": False}


def test_posts_are_found_by_account_and_network_after_a_restart(tmp_path: Path) -> None:
    state = SandboxState(tmp_path)
    with state.change():
        state.add_post("x:1", _post("x", "42", "first"))
        state.add_post("facebook:7_1", _post("facebook", "7", "on the page"))
        state.add_post("x:2", _post("x", "42", "second"))
        state.add_post("x:3", _post("x", "43", "someone else"))
    assert [p["text"] for p in state.posts_of("x", "42")] == ["first", "second"]
    assert [p["text"] for p in state.posts_of("facebook", "7")] == ["on the page"]
    assert state.posts_of("instagram", "42") == []

    again = SandboxState(tmp_path)  # a sandbox restarted on the same folder
    assert [p["text"] for p in again.posts_of("x", "42")] == ["first", "second"]
    again.clear()
    assert again.posts_of("x", "42") == []
