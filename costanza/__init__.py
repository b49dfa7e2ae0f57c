"""Costanza: a self-hosted social-media scheduler that keeps a steady weekly cadence."""

__version__ = "0.1.0"
