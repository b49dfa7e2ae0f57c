"""X's weighted length: the quick count agrees with twitter-text's own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from posts.x_weight import weight


def test_only_four_characters_below_u2070_are_emoji_to_twitter_text() -> None:
    """``weight`` skips twitter-text's emoji pattern for texts made of characters below
    U+2070 other than these four: the pattern must find no emoji among the others, alone
    or joined (a keycap or a flag needs a character from further on)."""
    from twitter_text.regexp.emoji import emoji

    found = {chr(c) for c in range(0x2070)
             if emoji.search(chr(c)) or emoji.search(f"{chr(c)}\u200d{chr(c)}")}
    assert found == {"\u00a9", "\u00ae", "\u203c", "\u2049"}


_PIECES = ["a", "Z", "7", " ", ".", "!", "#", "@", "\n", "\r\n", "\r", "è", "à", "ß",
           "e\u0301", "Ω", "ж", "\u1100", "\u1f00", "©", "®", "‼", "⁉", "🧀", "日本",
           "\u2019", "\u2014", "\u2026", "\u2030", "\u2033", "\u200d", "\u2060",
           "\u2070", "#\ufe0f\u20e3",
           " https://example.com/lana ", " www.etsy.com/shop ", " t.co ", "#tessitura",
           " http://xn--bcher-kva.example/ "]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60))
def test_weight_agrees_with_twitter_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert weight(text) == parse_tweet(text).weightedLength


def test_counting_does_not_load_pkg_resources() -> None:
    """twitter-text's import would pull in pkg_resources (12 MB, a tenth of a second):
    the daemon and `post add` load it with a stand-in instead, and count the same."""
    import subprocess
    import sys

    code = ("import sys; from posts.x_weight import weight, parse_tweet; "
            "text = '🧶 La lana, https://example.com/lana'; "
            "print('pkg_resources' in sys.modules, weight(text), "
            "parse_tweet(text).weightedLength)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "35", "35"]  # the emoji counts 2: its pattern was read
