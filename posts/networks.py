"""The networks Costanza publishes to, and their names as people write them."""

from __future__ import annotations

NETWORKS = ("facebook", "instagram", "x")
NETWORK_NAMES = {"facebook": "Facebook", "instagram": "Instagram", "x": "X"}


def network_label(network: str) -> str:
    """"instagram" -> "Instagram" (an unknown name is shown as it is)."""
    return NETWORK_NAMES.get(network, network)
