from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.publishers.x.thread import split_thread, weight


def test_short_text_stays_one_part() -> None:
    assert split_thread("Fresh ricotta today.") == ["Fresh ricotta today."]


def test_long_text_splits_at_sentences_and_numbers_parts() -> None:
    sentence = "We milk the goats at dawn and the curd rests until noon."
    text = " ".join([sentence] * 12)
    parts = split_thread(text)
    assert len(parts) > 1
    for i, part in enumerate(parts, start=1):
        assert part.endswith(f" {i}/{len(parts)}")
        assert weight(part) <= 280
        assert part.removesuffix(f" {i}/{len(parts)}").endswith(".")


def test_emoji_and_urls_count_by_x_rules() -> None:
    text = ("🧀" * 100) + " https://example.com/a/very/long/path/that/counts/as/23 " + ("🐐" * 100)
    parts = split_thread(text)
    assert all(weight(p) <= 280 for p in parts)
    assert any("https://example.com" in p for p in parts)


def test_a_word_longer_than_a_post_is_cut() -> None:
    parts = split_thread("a" * 700)
    assert len(parts) == 3 and all(weight(p) <= 280 for p in parts)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abc def. ghi! é 漢 😀\n")), min_size=1,
               max_size=1500))
def test_every_part_fits(text: str) -> None:
    parts = split_thread(text)
    assert all(weight(p) <= 280 for p in parts)
    bodies = [p.rsplit(" ", 1)[0] for p in parts] if len(parts) > 1 else parts
    assert "".join("".join(b.split()) for b in bodies) == "".join(
        unicodedata.normalize("NFC", text).split())


def test_paragraphs_stay_paragraphs_inside_a_part() -> None:
    para = "The wool comes from the valley. " * 4
    text = f"{para.strip()}\n\n{para.strip()}\n\n" + "Then we spin it by hand. " * 12
    parts = split_thread(text)
    assert "\n\nThe wool" in parts[0]
    assert all(weight(p) <= 280 for p in parts)

