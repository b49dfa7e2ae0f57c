from __future__ import annotations

from datetime import UTC, datetime

from scheduler.publishers.matching import after_intent, first_url, parse_time, same_text


def test_same_text_ignores_shortened_links_entities_and_spacing() -> None:
    ours = "Pane & burro: https://example.it/a-very-long-link  fresh today"
    theirs = "Pane &amp; burro: https://t.co/abc123 fresh today https://t.co/media1"
    assert same_text(ours, theirs)
    assert not same_text("Pane e burro", "Pane e miele")


def test_first_url_drops_trailing_punctuation() -> None:
    assert first_url("See https://example.it/story. Enjoy!") == "https://example.it/story"
    assert first_url("no link here") is None


def test_platform_time_formats() -> None:
    expected = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    assert parse_time("2026-11-28T18:00:00+0000") == expected
    assert parse_time("2026-11-28T18:00:00.000Z") == expected
    assert parse_time("nonsense") is None


def test_after_intent_allows_clock_slack() -> None:
    intent = datetime(2026, 11, 28, 18, 0, tzinfo=UTC)
    assert after_intent("2026-11-28T17:55:00+0000", intent)
    assert not after_intent("2026-11-28T17:00:00+0000", intent)
    assert after_intent(None, intent) and after_intent("2026-01-01T00:00:00Z", None)
