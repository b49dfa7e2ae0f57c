"""The commented config file that `costanza init` writes."""

from __future__ import annotations

TEMPLATE = """\
# Costanza settings. Every line is optional: a missing key keeps its default.
# Your time zone and weekly slots live in the database:
#   costanza cadence show     costanza cadence set "mon 09:30, wed 18:00, fri 12:00"
# Secrets (tokens, keys) never go in this file: they live in secrets.toml
# (mode 0600) next to the database, or in a systemd credentials directory.

[ui]
# The language Costanza speaks: "it" (italiano) or "en" (English). The option --lang and
# the environment variable COSTANZA_LANG choose for one command.
language = "{language}"

[database]
# url = "sqlite:///path/to/costanza.db"          # default: costanza.db in the data folder
# url = "postgresql+psycopg://costanza@db.example.org/costanza"
# busy_timeout_ms = 10000

[daemon]
# A slot missed while the daemon was stopped is still published this late;
# past it, the queue moves on to the next slot (no bursts of posts).
# grace_period = "2h"
# Warn when fewer than this many days of posts are left in the queue.
# runway_warning_days = 7

[media]
# How photos are fitted to Instagram's shapes (4:5 to 1.91:1): "pad" or "crop".
# fit = "pad"
# Facebook videos above this size (MB) are uploaded in chunks.
# facebook_chunk_mb = 20
# Originals of removed and published posts leave the media store this long after
# their last use ("30d"), unless another post still uses them; "never" keeps them.
# keep_originals = "30d"

[networks]
# Send all network traffic to one address (the sandbox, a test double, a proxy).
# The environment variable COSTANZA_PLATFORM_URL does the same.
# base_url = "http://127.0.0.1:8787"
# How long to wait for a network's answer, in seconds.
# timeout_seconds = 30
# When a network does not answer in time, the post may still appear a little later:
# Costanza keeps checking ("checking whether it went out") for this long after it was
# sent before publishing it again. Each must be longer than timeout_seconds.
# settle_seconds_x = 120
# settle_seconds_facebook = 120
# settle_seconds_instagram = 120

# Instagram fetches photos from a public address. Pick one:
# [media_host]
# kind = "folder"                                   # your own web space
# path = "/srv/www/costanza-media"                  # where Costanza copies the files
# base_url = "https://www.example.it/costanza-media/"   # where the world reads them
# kind = "s3"                                       # an S3-compatible bucket
# bucket = "my-bucket"
# endpoint_url = "https://s3.example.com"
# region = "eu-south-1"
# prefix = "costanza/"
# url_expiry = "1h"

[log]
# format = "text"      # or "json", for journald and log tools
# keep_days = 365
"""


def template(language: str) -> str:
    """The settings file for a profile that speaks ``language``."""
    return TEMPLATE.replace("{language}", language)
