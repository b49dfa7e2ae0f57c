"""Finding a post again after an unknown outcome: same text, published after the intent."""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta

from config.i18n import _
from posts.networks import network_label

URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)

# Clocks differ between us and the platform: accept posts a little before the intent
# (generously: missing a post that went out would publish it twice).
CLOCK_SLACK = timedelta(minutes=10)


def first_url(text: str) -> str | None:
    match = URL_RE.search(text or "")
    return match.group(0).rstrip(".,;:!?)") if match else None


def normalise(text: str | None) -> str:
    """Text as compared: NFC, entities decoded, links removed (X shortens them), spaces folded."""
    out = unicodedata.normalize("NFC", html.unescape(text or ""))
    out = URL_RE.sub(" ", out)
    return " ".join(out.split()).casefold()


def same_text(ours: str | None, theirs: str | None) -> bool:
    return normalise(ours) == normalise(theirs)


def parse_time(value: str | None) -> datetime | None:
    """Platform timestamps: ``2026-11-28T18:00:00+0000``, ``...Z``, ``...+00:00``."""
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def after_intent(created: str | None, intent_at: datetime | None) -> bool:
    """True when a post created at ``created`` may belong to an attempt made at ``intent_at``."""
    if intent_at is None:
        return True
    when = parse_time(created)
    if when is None:
        return True
    return when >= intent_at - CLOCK_SLACK


def doubles_note(network: str, ids: list[str]) -> str | None:
    """Plain words when several posts on the network match one delivery, oldest first:
    the oldest is counted as the post, the others are named so the artisan can act."""
    if len(ids) < 2:
        return None
    others = ", ".join(ids[1:])
    return _("{network} shows this post {n} times (an earlier attempt went out as well): "
             "Costanza counts the oldest ({oldest}) as this post. Look at the account and "
             "delete the other copy ({others}) if you do not want it.").format(
        network=network_label(network), n=len(ids), oldest=ids[0], others=others)
