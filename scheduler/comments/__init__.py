"""The dialogue: comments under the posts Costanza published, fetched on a schedule, and the
artisan's replies, sent with a post's guarantees (``base.py`` is the one contract)."""
