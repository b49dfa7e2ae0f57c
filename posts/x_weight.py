"""X's weighted length of a text, by twitter-text's rules, without its slowest part
when it cannot matter."""

from __future__ import annotations

import importlib
import re
import sys
import types
import unicodedata
from pathlib import Path
from typing import Any


def _load(module: str) -> Any:
    """Import a twitter-text module. twitter-text reads its list of emoji through
    ``pkg_resources``, whose import alone costs 12 MB and a tenth of a second (it indexes
    every installed package), and which recent Python set-ups no longer have. Unless it
    is loaded already, twitter-text's import is given a stand-in with the one call it
    makes: reading a file that sits next to one of its modules. (Imported once, at start
    or by a command, before any thread could look for the real one meanwhile.)"""
    if "twitter_text" in sys.modules or "pkg_resources" in sys.modules:
        return importlib.import_module(module)
    stand_in = types.ModuleType("pkg_resources")

    def resource_string(owner: str, name: str) -> bytes:
        return (Path(str(sys.modules[owner].__file__)).parent / name).read_bytes()

    stand_in.resource_string = resource_string  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = stand_in
    try:
        return importlib.import_module(module)
    finally:
        if sys.modules.get("pkg_resources") is stand_in:
            del sys.modules["pkg_resources"]


parse_tweet = _load("twitter_text").parse_tweet
extract_urls_with_indices = _load("twitter_text.extract_urls").extract_urls_with_indices
get_character_weight = _load("twitter_text.get_character_weight").get_character_weight
_COUNTING = _load("twitter_text.config").config["defaults"]
_LINE_END = re.compile(r"\r\n|\r|\n")
# twitter-text looks for emoji with a pattern that takes a third of a millisecond on a
# short story. Below U+2070 (Latin, Greek, Cyrillic..., typographic quotes and dashes)
# only these four are emoji to it (a test checks every character), so a text without
# them and without any later character is counted by the same rules without the pattern.
_EMOJI_FROM = "\u2070"
_LOW_EMOJI = ("\u00a9", "\u00ae", "\u203c", "\u2049")
_LIGHT_BELOW = "\u1100"  # every character below counts one


def weight(text: str) -> int:
    """X's weighted length (URLs count 23, most emoji and CJK count 2)."""
    normalized = _LINE_END.sub("\n", unicodedata.normalize("NFC", text))
    if not normalized:
        return 0
    if max(normalized) < _EMOJI_FROM and not any(e in normalized for e in _LOW_EMOJI):
        return _weight_without_emoji(normalized)
    return int(parse_tweet(text).weightedLength)


def _weight_without_emoji(normalized: str) -> int:
    """twitter-text's count of a text it would find no emoji in (NFC, ``\\n`` line ends)."""
    total, start = 0, 0
    for found in extract_urls_with_indices(normalized):
        begin = found["indices"][0]
        total += _chars_weight(normalized[start:begin]) + _COUNTING["transformed_url_length"]
        start = begin + len(found["url"])
    return total + _chars_weight(normalized[start:])


def _chars_weight(text: str) -> int:
    if not text or max(text) < _LIGHT_BELOW:
        return len(text)
    scaled = sum(get_character_weight(c, _COUNTING) if c >= _LIGHT_BELOW else _COUNTING["scale"]
                 for c in text)
    return scaled // _COUNTING["scale"]
