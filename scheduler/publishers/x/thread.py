"""Splitting a long story into a numbered X thread, by X's own counting rules."""

from __future__ import annotations

import re
import unicodedata

from posts.x_weight import weight

MAX_WEIGHT = 280
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n\s*\n")
_RESERVE = " 99/99"  # room kept for the "n/m" counter on every part


def fits(text: str) -> bool:
    return weight(text) <= MAX_WEIGHT  # (weight counts the NFC form)


def split_thread(text: str, limit: int = MAX_WEIGHT) -> list[str]:
    """``text`` as parts of at most ``limit`` weighted characters, numbered "1/3" when several.

    Cuts at sentence ends where it can, else between words, and inside a word
    only when one word alone is too long. A text that fits stays one part.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if weight(text) <= limit:
        return [text]
    room = limit - weight(_RESERVE)
    pieces: list[tuple[str, str]] = []  # (separator before it, text)
    chunks = _SENTENCE_END.split(text)
    separators = [m.group(0) for m in _SENTENCE_END.finditer(text)]
    for index, sentence in enumerate(chunks):
        sentence = sentence.strip()
        if not sentence:
            continue
        sep = "\n\n" if index and "\n" in separators[index - 1] else " "
        if weight(sentence) <= room:
            pieces.append((sep, sentence))
        else:
            words = _split_words(sentence, room)
            pieces.append((sep, words[0]))
            pieces.extend((" ", w) for w in words[1:])
    parts: list[str] = []
    current = ""
    for sep, piece in pieces:
        joined = f"{current}{sep}{piece}" if current else piece
        if weight(joined) <= room:
            current = joined
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    total = len(parts)
    return [f"{part} {i}/{total}" for i, part in enumerate(parts, start=1)]


def _split_words(sentence: str, room: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in sentence.split():
        joined = f"{current} {word}" if current else word
        if weight(joined) <= room:
            current = joined
            continue
        if current:
            out.append(current)
        if weight(word) <= room:
            current = word
        else:
            chunks = _split_chars(word, room)
            out.extend(chunks[:-1])
            current = chunks[-1]
    if current:
        out.append(current)
    return out


def _split_chars(word: str, room: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for char in word:
        if current and weight(current + char) > room:
            chunks.append(current)
            current = ""
        current += char
    chunks.append(current)
    return chunks
