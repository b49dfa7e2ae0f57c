"""X's weighted length of a text, by twitter-text's rules, without its slowest part
when it cannot matter."""

from __future__ import annotations

import re
import unicodedata

from twitter_text import parse_tweet
from twitter_text.config import config
from twitter_text.extract_urls import extract_urls_with_indices
from twitter_text.get_character_weight import get_character_weight

_COUNTING = config["defaults"]
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
